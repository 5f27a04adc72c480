using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Simulation;

namespace AkkaTtfs.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Help_lists_every_command()
    {
        var run = CliProcess.Run("--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var command in new[] { "dataset", "simulate", "model", "bench" })
            Assert.Contains(command, run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_options_and_commands_fail_with_a_message()
    {
        var run = CliProcess.Run("simulate", "--model", "x.safetensors", "--no-such-option");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--no-such-option", run.StdErr + run.StdOut, StringComparison.Ordinal);
        Assert.NotEqual(0, CliProcess.Run("frobnicate").ExitCode);
    }

    [Fact]
    public void Dataset_prints_the_bundled_mnist_counts()
    {
        var run = CliProcess.Run("dataset");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("8000 samples", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("2000 samples", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("[1,28,28]", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_dataset_names_the_known_ones()
    {
        var run = CliProcess.Run("dataset", "--data", "no-such-data");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("mnist-10k", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_reports_what_the_core_reference_computes_and_partitioning_changes_nothing()
    {
        var modelPath = _temp.File("random.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", modelPath, "--seed", "5");
        Assert.True(made.ExitCode == 0, made.ToString());
        var info = CliProcess.Run("model", "info", modelPath);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("c12k5-p2-c64k5-p2-d10", info.StdOut, StringComparison.Ordinal);

        var eventReport = _temp.File("event.json");
        var partitionedReport = _temp.File("partitioned.json");
        var run = CliProcess.Run("simulate", "--model", modelPath, "--limit", "200", "--check-dnn", "--report", eventReport);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("accuracy", run.StdOut, StringComparison.Ordinal);
        var split = CliProcess.Run("simulate", "--model", modelPath, "--limit", "200", "--partitions", "c3t2x2", "--batch", "7", "--report", partitionedReport);
        Assert.True(split.ExitCode == 0, split.ToString());

        // Oracle: the Core reference run in this process on the same file and samples.
        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var expected = new EventDrivenSimulator(model).Run(test.NormaliseRange(0, 200, model.Normalisation), 200);
        var labels = Enumerable.Range(0, 200).Select(i => (byte)test.Label(i)).ToArray();
        foreach (var path in new[] { eventReport, partitionedReport })
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            Assert.Equal(200, root.GetProperty("samples").GetInt32());
            Assert.Equal(expected.Accuracy(labels), root.GetProperty("accuracy").GetDouble());
            Assert.Equal(expected.SpikesPerSample, root.GetProperty("spikes_per_sample").GetDouble());
            Assert.Equal(expected.SynOpsPerSample, root.GetProperty("synops_per_sample").GetDouble());
        }

        using var withCheck = JsonDocument.Parse(File.ReadAllText(eventReport));
        var check = withCheck.RootElement.GetProperty("dnn_check");
        Assert.InRange(check.GetProperty("prediction_agreement").GetDouble(), 0.99, 1.0);
    }

    [Fact]
    public void Spikes_out_writes_one_csv_row_per_spike()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "c4k5-p2-d10", "--out", modelPath).ExitCode);
        var csv = _temp.File("spikes.csv");
        var run = CliProcess.Run("simulate", "--model", modelPath, "--limit", "5", "--spikes-out", csv);
        Assert.True(run.ExitCode == 0, run.ToString());
        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var expected = new EventDrivenSimulator(model).Run(test.NormaliseRange(0, 5, model.Normalisation), 5);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("sample,layer,neuron,time", lines[0]);
        Assert.Equal(expected.TotalSpikes, lines.Length - 1);
    }

    [Fact]
    public void A_corrupt_model_file_gives_a_clear_error_naming_the_file()
    {
        var modelPath = _temp.File("broken.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mlp", "--out", modelPath).ExitCode);
        var bytes = File.ReadAllBytes(modelPath);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(modelPath, bytes);
        var run = CliProcess.Run("simulate", "--model", modelPath, "--limit", "3");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("broken.safetensors", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("checksum", run.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_model_that_does_not_fit_the_data_is_rejected_before_simulating()
    {
        // A model for 10x10 images written through the Core API (the CLI's random models take a dataset's shape).
        var network = AkkaTtfs.Core.Network.ArchitectureParser.Build("c4k3-d10", AkkaTtfs.Core.Network.TensorShape.Image(1, 10, 10));
        var modelPath = _temp.File("small.safetensors");
        ModelFile.Save(RandomModel.Create(network, 1), modelPath);
        var run = CliProcess.Run("simulate", "--model", modelPath);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("[1,10,10]", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("[1,28,28]", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Partitioned_engine_without_a_plan_and_bad_plans_are_usage_errors()
    {
        var modelPath = _temp.File("p.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", modelPath).ExitCode);
        var run = CliProcess.Run("simulate", "--model", modelPath, "--engine", "partitioned");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--partitions", run.StdErr, StringComparison.Ordinal);
        run = CliProcess.Run("simulate", "--model", modelPath, "--partitions", "c99");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("99 channel slices", run.StdErr, StringComparison.Ordinal);
    }
}

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_on_an_embedded_two_node_cluster_reports_results_identical_to_the_reference()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", modelPath, "--seed", "9").ExitCode);
        var folder = _temp.File("run");
        var run = CliProcess.Run("run", "--model", modelPath, "--nodes", "2", "--partitions", "c2t2x1,c2,1", "--limit", "300", "--batch", "32", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("bit-identical to the Core reference", run.StdOut, StringComparison.Ordinal);

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var root = json.RootElement;
        Assert.True(root.GetProperty("bit_identical_to_reference").GetBoolean());
        Assert.Equal(2, root.GetProperty("nodes").GetArrayLength());
        var traffic = root.GetProperty("traffic");
        // 300 samples in batches of 32: 10 batches, one message per batch and link.
        var links = File.ReadAllLines(Path.Combine(folder, "links.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(links, l => Assert.Equal("10", l[6]));
        Assert.Equal(links.Sum(l => long.Parse(l[6], System.Globalization.CultureInfo.InvariantCulture)), traffic.GetProperty("messages").GetInt64());
        Assert.InRange(traffic.GetProperty("payload_bytes_per_spike").GetDouble(), 0.5, 4.0);
    }

    [Fact]
    public void Run_with_an_unreachable_seed_fails_within_the_timeout_naming_the_seed()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mlp", "--out", modelPath).ExitCode);
        var run = CliProcess.Run(TimeSpan.FromMinutes(2), "run", "--model", modelPath, "--seed", "akka.tcp://akkattfs@127.0.0.1:9", "--join-timeout", "5", "--out", _temp.File("r"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("127.0.0.1:9", run.StdErr, StringComparison.Ordinal);
    }
}
