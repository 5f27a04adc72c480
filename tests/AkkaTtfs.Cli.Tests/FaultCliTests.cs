using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using System.Globalization;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cli.Tests;

/// <summary>The fault commands as a user runs them: results against the Core engine in-process, and bad plans refused before running.</summary>
public sealed class FaultCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string RandomModel()
    {
        var path = _temp.File("m.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "c4k5-p2-d10", "--out", path, "--seed", "3");
        Assert.True(made.ExitCode == 0, made.ToString());
        return path;
    }

    [Theory]
    [InlineData("event")]
    [InlineData("cluster")]
    public void Simulate_with_a_plan_reports_what_the_core_engine_computes_with_that_plan(string engine)
    {
        var modelPath = RandomModel();
        var planPath = _temp.File("plan.json");
        File.WriteAllText(planPath, """{ "seed": 7, "faults": [ { "kind": "drop", "layer": 0, "rate": 0.3 } ] }""");
        var reportPath = _temp.File("r.json");
        var predictionsPath = _temp.File("p.csv");
        string[] engineArgs = engine == "cluster" ? ["--nodes", "2", "--partitions", "c2,1"] : [];
        var run = CliProcess.Run(["simulate", "--model", modelPath, "--faults", planPath, "--limit", "100", "--report", reportPath, "--predictions-out", predictionsPath, .. engineArgs]);
        Assert.True(run.ExitCode == 0, run.ToString());

        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var (expected, labels) = ReferenceCheck.Reference(modelPath, 100, planPath);
        Assert.True(expected.Faults.SpikesDropped > 0);
        ReferenceCheck.AssertPredictionsMatch(predictionsPath, expected, labels);
        using var json = JsonDocument.Parse(File.ReadAllText(reportPath));
        Assert.Equal(expected.Accuracy(labels), json.RootElement.GetProperty("accuracy").GetDouble());
        Assert.Equal(expected.SpikesPerSample, json.RootElement.GetProperty("spikes_per_sample").GetDouble());
        // Dropped spikes reach no synapse: the faulty run's SynOps are below the fault-free run's, and the report has the faulty ones.
        var clean = new EventDrivenSimulator().Run(model, test.NormaliseRange(0, 100, model.Normalisation), 100);
        Assert.True(expected.SynOps < clean.SynOps);
        Assert.Equal(expected.SynOpsPerSample, json.RootElement.GetProperty("synops_per_sample").GetDouble());
        Assert.Equal(expected.Faults.SpikesDropped, json.RootElement.GetProperty("faults").GetProperty("counters").GetProperty("spikes_dropped").GetInt64());
    }

    [Fact]
    public void Run_with_a_plan_on_two_nodes_is_verified_against_the_core_reference_with_the_same_plan()
    {
        var modelPath = RandomModel();
        var planPath = _temp.File("plan.json");
        File.WriteAllText(planPath, """
            { "seed": 11, "faults": [ { "kind": "jitter", "layer": 0, "rate": 0.5, "steps": 3 }, { "kind": "bitflip", "layer": 1, "rate": 0.01 } ] }
            """);
        var folder = _temp.File("run");
        var run = CliProcess.Run("run", "--model", modelPath, "--faults", planPath, "--nodes", "2", "--partitions", "c2,1", "--limit", "150", "--batch", "16", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());

        // Oracle: the Core reference with the same plan, computed here; the cluster's predictions.csv must equal it bit for bit.
        var (expected, labels) = ReferenceCheck.Reference(modelPath, 150, planPath);
        Assert.True(expected.Faults.SpikesJittered > 0 && expected.Faults.WeightsFlipped > 0, expected.Faults.ToString());
        ReferenceCheck.AssertPredictionsMatch(Path.Combine(folder, "predictions.csv"), expected, labels);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var root = json.RootElement;
        Assert.Equal(expected.Accuracy(labels), root.GetProperty("accuracy").GetDouble());
        Assert.True(root.GetProperty("bit_identical_to_reference").GetBoolean());     // the run's own verdict agrees with the check above
        Assert.Equal(expected.SpikesPerSample, root.GetProperty("spikes_per_sample").GetDouble());
        var counters = root.GetProperty("faults").GetProperty("counters");
        foreach (var (name, value) in expected.Faults.Entries()) Assert.Equal(value, counters.GetProperty(name).GetInt64());
    }

    [Theory]
    [InlineData("""{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1 }, { "kind": "stuck", "layer": 9, "rate": 0.1 } ] }""", "entry 1 (faults[1])")]
    [InlineData("""{ "faults": [], "runtime": [ { "kind": "kill", "node": 0, "at": 1 } ] }""", "runtime entry 0 (runtime[0]), field 'node': node 0 also hosts the coordinator")]
    [InlineData("""{ "faults": [], "runtime": [ { "kind": "crash", "partition": 3, "at": 1 } ] }""", "the run has partitions 0..2")]
    public void Run_with_a_bad_plan_fails_before_training_naming_the_entry(string plan, string expected)
    {
        var planPath = _temp.File("bad.json");
        File.WriteAllText(planPath, plan);
        var folder = _temp.File("never");
        var run = CliProcess.Run("run", "--faults", planPath, "--out", folder);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("training", run.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "a refused run writes nothing");
    }

    [Theory]
    [InlineData("""{ "seed": 1, "faults": [ { "kind": "melt", "layer": 0, "rate": 0.1 } ] }""", "melt")]
    [InlineData("""{ "seed": 1, "faults": [ { "kind": "drop", "layer": 0, "rate": 1.5 } ] }""", "rate")]
    [InlineData("""{ "seed": 1, "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1 }, { "kind": "dead", "layer": 7, "rate": 0.1 } ] }""", "entry 1")]
    public void A_bad_plan_fails_before_the_run_naming_the_entry(string plan, string expected)
    {
        var modelPath = RandomModel();
        var planPath = _temp.File("bad.json");
        File.WriteAllText(planPath, plan);
        var run = CliProcess.Run("simulate", "--model", modelPath, "--faults", planPath, "--limit", "10");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("accuracy", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_campaign_writes_one_point_per_rate_and_rate_zero_equals_the_fault_free_run()
    {
        var modelPath = RandomModel();
        var folder = _temp.File("campaign");
        var run = CliProcess.Run("faults", "--model", modelPath, "--kind", "drop", "--layer", "0", "--rates", "0,0.5", "--limit", "100", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        var csv = File.ReadAllLines(Path.Combine(folder, "campaign.csv"));
        Assert.True(csv.Length >= 3, string.Join('\n', csv));
        Assert.Contains(Directory.GetFiles(folder), f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".svg", StringComparison.Ordinal));

        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var labels = Enumerable.Range(0, 100).Select(i => (byte)test.Label(i)).ToArray();
        var clean = new EventDrivenSimulator().Run(model, test.NormaliseRange(0, 100, model.Normalisation), 100).Accuracy(labels);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "campaign.json")));
        var text = json.RootElement.GetRawText();
        Assert.Contains(clean.ToString("R", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }
}
