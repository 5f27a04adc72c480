using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using System.Text.Json;
using AkkaTtfs.Cli.Commands;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// Bad input is refused before any work and changes nothing (no folder, no file, no training), and the
/// checks that exist to make that so. Small runs only: a random model, a few dozen samples.
/// </summary>
public sealed class CliInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string RandomModelFile(string arch = "c4k5-p2-d10") => CliAssert.RandomModelFile(_temp, arch);

    private static void AssertRefused(CliProcess.Outcome run, string expected) => CliAssert.Refused(run, expected);

    [Theory]
    [InlineData(new[] { "--partitions", "c99" }, "--partitions c99: stage 0 (c12k5): 99 channel slices")]
    [InlineData(new[] { "--limit", "0" }, "--limit must be >= 1")]
    [InlineData(new[] { "--limit", "-1" }, "--limit must be >= 1")]
    [InlineData(new[] { "--nodes", "0" }, "--nodes must be >= 1")]
    [InlineData(new[] { "--in-flight", "0" }, "--in-flight must be >= 1")]
    [InlineData(new[] { "--arch", "c12k5-p2-d7" }, "10 classes")]
    [InlineData(new[] { "--seed", "not-an-address" }, "seed 'not-an-address' is not an Akka address")]
    [InlineData(new[] { "--preset", "sr-tr-tb", "--partitions", "t99x1" }, "--partitions t99x1")]     // the preset passes the parser; the spec is refused
    public void Run_refuses_bad_input_before_training_and_leaves_no_report_folder(string[] args, string expected)
    {
        // In a folder of its own, so that the default report folder (runs/run-<time>) would show up.
        var run = CliProcess.RunIn(_temp.Path, TimeSpan.FromMinutes(2), ["run", .. args]);
        AssertRefused(run, expected);
        Assert.DoesNotContain("training", run.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.File("runs")), "a refused run makes no report folder");
    }

    [Fact]
    public void A_run_that_fails_on_the_cluster_removes_only_the_empty_folders_it_made_and_never_a_users_file()
    {
        // Fails after the folder exists: nothing answers at the seed. An existing --out folder with a user's
        // file in it survives untouched; a new nested --out folder is removed with the parents it made.
        var model = RandomModelFile();
        var seed = "akka.tcp://akkattfs@127.0.0.1:9";
        var existing = Directory.CreateDirectory(_temp.File("mine")).FullName;
        File.WriteAllText(Path.Combine(existing, "notes.txt"), "keep me");
        var kept = CliProcess.Run("run", "--model", model, "--seed", seed, "--join-timeout", "2", "--limit", "10", "--out", existing);
        Assert.True(kept.ExitCode == 2, kept.ToString());
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(existing, "notes.txt")));

        var nested = _temp.File(Path.Combine("new", "deeper", "report"));
        var removed = CliProcess.Run("run", "--model", model, "--seed", seed, "--join-timeout", "2", "--limit", "10", "--out", nested);
        Assert.True(removed.ExitCode == 2, removed.ToString());
        Assert.False(Directory.Exists(_temp.File("new")), "the folders the failed run made are gone");
    }

    [Fact]
    public void A_campaign_whose_out_folder_lies_under_a_file_is_refused_before_any_point_runs()
    {
        var file = _temp.File("notes.txt");
        File.WriteAllText(file, "not a folder");
        var run = CliProcess.Run("faults", "--model", RandomModelFile(), "--kind", "drop", "--layer", "0", "--rates", "0,0.5", "--limit", "10",
            "--out", Path.Combine(file, "campaign"));
        AssertRefused(run, $"{file} is a file; give a folder for the campaign");
        Assert.DoesNotContain("point", run.StdErr.Replace("error:", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_refuses_a_model_that_does_not_fit_the_data_before_making_the_folder()
    {
        var network = Core.Network.ArchitectureParser.Build("c4k3-d10", Core.Network.TensorShape.Image(1, 10, 10));
        var modelPath = _temp.File("small.safetensors");
        ModelFile.Save(RandomModel.Create(network, 1), modelPath);
        var folder = _temp.File("never");
        AssertRefused(CliProcess.Run("run", "--model", modelPath, "--out", folder), "[1,10,10]");
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Run_refuses_cut_faults_on_a_cluster_joined_without_fault_injection_before_starting()
    {
        var planPath = _temp.File("cut.json");
        File.WriteAllText(planPath, """{ "faults": [], "runtime": [ { "kind": "cut", "node": 0, "to": 1, "at": 1, "for": 1 } ] }""");
        var folder = _temp.File("never");
        var run = CliProcess.Run("run", "--model", RandomModelFile(), "--faults", planPath, "--seed", "akka.tcp://akkattfs@127.0.0.1:9", "--nodes", "2", "--out", folder);
        AssertRefused(run, "runtime entry 0 (runtime[0]): a cut needs the fault-injection adapters");
        Assert.DoesNotContain("coordinator", run.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("simulate")]
    [InlineData("faults")]
    public void A_missing_fault_plan_is_named_as_the_fault_plan(string command)
    {
        var plan = _temp.File("nosuch.json");
        string[] args = command switch
        {
            "run" => ["run", "--model", RandomModelFile(), "--faults", plan, "--out", _temp.File("never")],
            "simulate" => ["simulate", "--model", RandomModelFile(), "--faults", plan],
            _ => ["faults", "--model", RandomModelFile(), "--kind", "drop", "--layer", "0", "--with", plan],
        };
        AssertRefused(CliProcess.Run(args), $"error: fault plan {plan}: no such file");
    }

    [Theory]
    [InlineData(new[] { "--engine", "clock", "--spikes-out", "SPIKES" }, "--spikes-out needs recorded spike times: use --engine event, partitioned or cluster")]
    [InlineData(new[] { "--engine", "clock", "--check-dnn" }, "--check-dnn compares spike times with the DNN")]
    [InlineData(new[] { "--engine", "clock", "--partitions", "2" }, "the clock-driven oracle runs it whole")]
    [InlineData(new[] { "--nodes", "0" }, "--nodes must be >= 1")]
    [InlineData(new[] { "--limit", "0" }, "--limit must be >= 1")]
    [InlineData(new[] { "--host", "127.0.0.1" }, "--host is an option of the cluster engine")]
    [InlineData(new[] { "--nodes", "2", "--join-timeout", "0" }, "--join-timeout must be >= 1")]
    [InlineData(new[] { "--report", "FOLDER" }, "is a folder; give a file name")]
    [InlineData(new[] { "--spikes-out", "NOFOLDER/s.csv" }, "does not exist")]
    [InlineData(new[] { "--predictions-out", "FOLDER" }, "--predictions-out")]
    [InlineData(new[] { "--spikes-out", "SPIKES", "--predictions-out", "NOFOLDER/p.csv" }, "does not exist")]     // no spikes file either
    public void Simulate_refuses_option_combinations_and_output_paths_before_running(string[] args, string expected)
    {
        var resolved = args.Select(a => a.Replace("SPIKES", _temp.File("s.csv"), StringComparison.Ordinal)
            .Replace("NOFOLDER", _temp.File("nofolder"), StringComparison.Ordinal)
            .Replace("FOLDER", _temp.Path, StringComparison.Ordinal)).ToArray();
        string[] limit = args.Contains("--limit") ? [] : ["--limit", "50"];
        var run = CliProcess.Run(["simulate", "--model", RandomModelFile(), .. limit, .. resolved]);
        AssertRefused(run, expected);
        Assert.DoesNotContain("simulating", run.StdErr, StringComparison.Ordinal);
        Assert.Equal("", run.StdOut);
        Assert.False(File.Exists(_temp.File("s.csv")));
    }

    [Fact]
    public void Simulate_on_the_cluster_engine_records_spikes_and_takes_the_cluster_options()
    {
        var modelPath = RandomModelFile();
        var csv = _temp.File("spikes.csv");
        var run = CliProcess.Run("simulate", "--model", modelPath, "--nodes", "2", "--partitions", "c2,1", "--limit", "20", "--batch", "8",
            "--in-flight", "2", "--join-timeout", "60", "--host", "127.0.0.1", "--spikes-out", csv);
        Assert.True(run.ExitCode == 0, run.ToString());
        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var expected = new EventDrivenSimulator().Run(model, test.NormaliseRange(0, 20, model.Normalisation), 20);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("sample,layer,neuron,time", lines[0]);
        Assert.Equal(expected.TotalSpikes, lines.Length - 1);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void Simulate_notes_that_runtime_faults_act_on_the_cluster_only()
    {
        var planPath = _temp.File("plan.json");
        File.WriteAllText(planPath, """
            { "seed": 3, "faults": [ { "kind": "drop", "layer": 0, "rate": 0.2 } ],
              "runtime": [ { "kind": "crash", "partition": 0, "at": 1 }, { "kind": "crash", "partition": 1, "at": 2 } ] }
            """);
        var run = CliProcess.Run("simulate", "--model", RandomModelFile(), "--faults", planPath, "--limit", "50");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("note: the plan's 2 runtime faults act on the cluster engine only (--nodes N)", run.StdErr, StringComparison.Ordinal);

        // One rounding everywhere: the summary's spikes/sample is the table's "with faults" value.
        var summary = run.StdOut.Split('\n').First(l => l.StartsWith("spikes/sample ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var table = run.StdOut.Split('\n').Last(l => l.StartsWith("spikes/sample ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(summary, table[2]);
    }

    [Fact]
    public void Train_and_model_random_refuse_a_folder_as_out_before_any_work()
    {
        var train = CliProcess.Run("train", "--arch", "d16-d10", "--epochs", "1", "--train-limit", "200", "--out", _temp.Path);
        AssertRefused(train, "is a folder");
        Assert.DoesNotContain("epoch", train.StdErr, StringComparison.Ordinal);
        AssertRefused(CliProcess.Run("model", "random", "--arch", "mlp", "--out", _temp.Path), "is a folder");
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void Train_with_bad_data_removes_the_output_folder_it_made()
    {
        var model = Path.Combine(_temp.File("new-folder"), "m.safetensors");
        AssertRefused(CliProcess.Run("train", "--data", "no-such-data", "--out", model), "mnist-10k");
        Assert.False(Directory.Exists(_temp.File("new-folder")));
    }

    [Fact]
    public void A_campaign_writes_whole_progress_lines_when_stderr_is_redirected()
    {
        var run = CliProcess.Run("faults", "--model", RandomModelFile(), "--kind", "drop", "--layer", "0", "--rates", "0.1,0.2", "--limit", "30");
        Assert.True(run.ExitCode == 0, run.ToString());
        // One line per point here (two points: each is a tenth or more), never "point 1/2point 2/2".
        Assert.Single(run.ErrorLines, l => l.StartsWith("points: 1/2 ", StringComparison.Ordinal));
        Assert.Single(run.ErrorLines, l => l.StartsWith("points: 2/2 ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3185.95, 1, "3186.0")]     // stored as 3185.9499...: "F1" alone prints 3185.9, the fault table printed 3186.0
    [InlineData(2.25, 1, "2.3")]
    [InlineData(-0.04, 1, "0.0")]
    [InlineData(1234.5, 0, "1235")]
    public void Printed_numbers_round_halves_away_from_zero_everywhere(double value, int decimals, string expected)
    {
        Assert.Equal(expected, Numbers.Fixed(value, decimals));
        Assert.Equal(value > 0 ? "+" + expected : expected, Numbers.Signed(value, decimals));
    }
}
