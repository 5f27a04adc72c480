using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;

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

    [Theory]
    [InlineData(new[] { "simulate", "--model", "x.safetensors", "--limt", "200" }, "unrecognized option '--limt'; did you mean '--limit'? (see 'akkattfs simulate --help')")]
    [InlineData(new[] { "simulate", "--model", "x.safetensors", "--no-such-option" }, "unrecognized option '--no-such-option'")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate' (see 'akkattfs --help')")]
    [InlineData(new string[0], "no command given; one of run, node, dataset, simulate")]
    [InlineData(new[] { "simulate", "--model", "x.safetensors", "--nodes", "abc" }, "option '--nodes' expects an integer, got 'abc'")]
    [InlineData(new[] { "simulate", "--model", "x.safetensors", "--engine", "foo" }, "option '--engine' got 'foo'; it must be one of event, partitioned, cluster, clock")]
    [InlineData(new[] { "model", "info" }, "missing argument <file> (see 'akkattfs model info --help')")]
    [InlineData(new[] { "simulate", "--limit", "5" }, "option '--model' is required")]
    [InlineData(new[] { "train", "--preset", "SR+XX" }, "it must be one of SM, SR, SR+TR, SR+TR+TB, ReLU")]
    public void Parse_errors_are_one_line_on_stderr_with_exit_code_2(string[] args, string expected)
    {
        var run = CliProcess.Run(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.StdOut);     // not the whole help
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simulate")]     // --model is required, but help needs no model
    [InlineData("model", "info")]
    [InlineData("run")]
    public void Help_of_a_command_works_without_its_required_options(params string[] command)
    {
        var run = CliProcess.Run([.. command, "--help"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.StdOut, StringComparison.Ordinal);
        Assert.Equal("", run.StdErr);
    }

    [Fact]
    public void Help_texts_say_what_the_options_do()
    {
        var run = CliProcess.Run("run", "--help");
        Assert.Contains("channels x ceil(N/channels) partitions", run.StdOut, StringComparison.Ordinal);
        var simulate = CliProcess.Run("simulate", "--help");
        Assert.Contains("switches the default event engine to partitioned", simulate.StdOut, StringComparison.Ordinal);
        foreach (var option in new[] { "--join-timeout", "--host", "--port", "--in-flight", "--config" })
            Assert.Contains(option, simulate.StdOut, StringComparison.Ordinal);
        var random = CliProcess.Run("model", "random", "--help");
        Assert.DoesNotContain("no data is read", random.StdOut, StringComparison.Ordinal);
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
        var eventPredictions = _temp.File("event.csv");
        var partitionedPredictions = _temp.File("partitioned.csv");
        var run = CliProcess.Run("simulate", "--model", modelPath, "--limit", "200", "--check-dnn", "--report", eventReport, "--predictions-out", eventPredictions);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("accuracy", run.StdOut, StringComparison.Ordinal);
        var split = CliProcess.Run("simulate", "--model", modelPath, "--limit", "200", "--partitions", "c3t2x2", "--batch", "7", "--report", partitionedReport,
            "--predictions-out", partitionedPredictions);
        Assert.True(split.ExitCode == 0, split.ToString());

        // Oracle: the Core reference run in this process on the same file and samples.
        var (expected, labels) = ReferenceCheck.Reference(modelPath, 200);
        foreach (var (path, predictions) in new[] { (eventReport, eventPredictions), (partitionedReport, partitionedPredictions) })
        {
            ReferenceCheck.AssertPredictionsMatch(predictions, expected, labels);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
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
    public void The_predictions_check_finds_a_potential_one_ulp_off_and_a_changed_prediction()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "c4k5-p2-d10", "--out", modelPath, "--seed", "2").ExitCode);
        var csv = _temp.File("p.csv");
        var run = CliProcess.Run("simulate", "--model", modelPath, "--limit", "20", "--predictions-out", csv);
        Assert.True(run.ExitCode == 0, run.ToString());
        var (expected, labels) = ReferenceCheck.Reference(modelPath, 20);
        ReferenceCheck.AssertPredictionsMatch(csv, expected, labels);

        // The same file with one potential moved by one unit in the last place, then with one prediction changed: both must fail.
        var lines = File.ReadAllLines(csv);
        var cells = lines[7].Split(',');
        var potential = float.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture);
        cells[5] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(potential) + 1).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var perturbed = _temp.File("perturbed.csv");
        File.WriteAllLines(perturbed, [.. lines[..7], string.Join(',', cells), .. lines[8..]]);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ReferenceCheck.AssertPredictionsMatch(perturbed, expected, labels));
        cells = lines[3].Split(',');
        cells[2] = ((int.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture) + 1) % 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllLines(perturbed, [.. lines[..3], string.Join(',', cells), .. lines[4..]]);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ReferenceCheck.AssertPredictionsMatch(perturbed, expected, labels));
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
        var expected = new EventDrivenSimulator().Run(model, test.NormaliseRange(0, 5, model.Normalisation), 5);
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

        // Oracle: the Core reference computed here; the cluster's predictions.csv must equal it sample by sample, bit for bit.
        var (expected, labels) = ReferenceCheck.Reference(modelPath, 300);
        ReferenceCheck.AssertPredictionsMatch(Path.Combine(folder, "predictions.csv"), expected, labels);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
        Assert.Equal(expected.Accuracy(labels), root.GetProperty("accuracy").GetDouble());
        Assert.Equal(expected.SpikesPerSample, root.GetProperty("spikes_per_sample").GetDouble());
        Assert.Equal(expected.SynOpsPerSample, root.GetProperty("synops_per_sample").GetDouble());
        // The run's own verdict agrees with the one computed here (it is checked, not trusted).
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
        var folder = _temp.File("r");
        var run = CliProcess.Run(TimeSpan.FromMinutes(2), "run", "--model", modelPath, "--seed", "akka.tcp://akkattfs@127.0.0.1:9", "--join-timeout", "5", "--out", folder);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("127.0.0.1:9", run.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "a failed run removes the report folder it made (nothing was trained)");
    }

    [Fact]
    public void A_coordinator_takes_its_config_file_and_names_the_rewritten_seed_it_joins()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mlp", "--out", modelPath).ExitCode);
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var config = _temp.File("coordinator.conf");
        File.WriteAllText(config, $"akka.remote.dot-netty.tcp.port = {port}\n");
        // In a folder of its own and without --out: the default report folder runs/run-<time> must go again.
        var run = CliProcess.RunIn(_temp.Path, TimeSpan.FromMinutes(2), "run", "--model", modelPath, "--seed", "akka.tcp://akkattfs@127.0.0.1:9", "--fault-injection",
            "--config", config, "--join-timeout", "2");
        Assert.True(run.ExitCode == 2, run.ToString());
        // The port comes from the file; the seed is shown as joined: rewritten to the fault-injection scheme.
        Assert.Contains($"coordinator akka.trttl.gremlin.tcp://akkattfs@127.0.0.1:{port} joining akka.trttl.gremlin.tcp://akkattfs@127.0.0.1:9", run.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.File("runs")), "a failed run removes the folders it made (runs/ too)");
    }

    [Fact]
    public void A_config_file_that_is_not_hocon_is_refused_before_anything_runs()
    {
        var config = _temp.File("bad.conf");
        File.WriteAllText(config, "akka.remote.dot-netty.tcp.port = ${no-such-setting}\n");
        var folder = _temp.File("never");
        var run = CliProcess.Run("run", "--model", "no-model-needed.safetensors", "--config", config, "--out", folder);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("bad.conf", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }
}
