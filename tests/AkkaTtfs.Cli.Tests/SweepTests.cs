using System.Text.Json;
using AkkaTtfs.App;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.App.Reports;
using AkkaTtfs.App.Services;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// <c>sweep</c>: every point against a Core reference and a traffic prediction computed here, a failing point that does not
/// stop the sweep, placements that move the measured cross-node bytes as Core predicts, the files, Ctrl+C and bad input.
/// </summary>
public sealed class SweepTests(SweepTests.Models models) : IDisposable, IClassFixture<SweepTests.Models>
{
    private const int Samples = 24;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The random model files, made once for the class (each is a CLI process).</summary>
    public sealed class Models : IDisposable
    {
        private readonly TempDirectory _folder = new();

        public string File(string arch)
        {
            lock (_folder) return CliAssert.RandomModelFile(_folder, arch);
        }

        public void Dispose() => _folder.Dispose();
    }

    [Fact]
    public void Every_point_equals_the_reference_and_prediction_computed_here_a_failed_point_is_recorded_and_the_sweep_goes_on()
    {
        var modelPath = models.File("mnist-cnn");
        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var inputs = test.NormaliseRange(0, Samples, model.Normalisation);
        var reference = new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(8, RecordSpikes: true));
        var outcomes = new Dictionary<int, JobOutcome>();
        var service = new SweepService(SilentEvents.Instance)
        {
            // Point 1 gets inputs that fit no model: its job fails at deployment, and the points after it must still run.
            JobHook = (point, job) => point.Index == 1 ? job with { Inputs = new JobInputs.Normalised(new float[5], 1) } : job,
            PointObserver = (point, outcome) => { lock (outcomes) outcomes[point.Index] = outcome; },
        };
        var settings = new SweepSettings
        {
            ModelFile = modelPath,
            Limit = Samples,
            Partitions = "1,c3",
            Nodes = "1,2",
            Batch = "8",
            Placement = "balanced,round-robin",
            OutFolder = _temp.File("sweep"),
            Cluster = new ClusterSetup(1, [], null, null, TimeSpan.FromSeconds(60), 2, null, false, ClusterSecret.Generate()),
        };
        var result = service.Execute(SweepService.Prepare(settings));

        var points = result.Report.Points;
        Assert.Equal(8, points.Count);
        Assert.True(result.Report.Complete);
        var failed = points[1];
        Assert.Equal(SweepStatus.Failed, failed.Status);
        Assert.Contains("input values are not 1 samples", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.MeasuredSpikes);
        Assert.False(outcomes.ContainsKey(1));

        var crossByPlacement = new Dictionary<string, long>();
        foreach (var p in points.Where(p => p.Index != 1))
        {
            Assert.True(p.Status == SweepStatus.Ok, $"point {p.Index}: {p.Status} {p.Error}");
            var run = outcomes[p.Index].Run;
            AssertSameResult(reference, run.Result, p.Index);

            // The traffic model, from this test's own reference, is what the point reports as predicted and what its links measured.
            var plan = PartitionPlanner.Plan(model.Network, p.Partitions);
            var predicted = TrafficModel.Predict(model, plan, inputs, Samples, reference, p.Batch);
            Assert.Equal(predicted.TotalSpikes, p.PredictedSpikes);
            Assert.Equal(predicted.TotalMessages, p.PredictedMessages);
            Assert.Equal(run.Links.Sum(l => l.Spikes), p.MeasuredSpikes);
            Assert.Equal(run.Links.Sum(l => l.Messages), p.MeasuredMessages);
            Assert.Equal(p.PredictedSpikes, p.MeasuredSpikes);
            Assert.Equal(p.PredictedMessages, p.MeasuredMessages);
            Assert.Equal(p.PredictedPayloadBytes, p.MeasuredPayloadBytes);

            // The placement is the strategy's own function over the point's nodes, and the measured cross-node bytes are what Core predicts for it.
            int[] expected = p.Placement == "balanced" ? Placement.Assign(plan, p.Nodes) : PlacementStrategies.RoundRobin(plan, p.Nodes);
            Assert.Equal(expected, run.NodeOfPartition);
            Assert.Equal(p.Nodes, run.Nodes.Count);
            var cross = predicted.CrossNodeBytes(expected, 0);
            Assert.Equal(cross, p.MeasuredCrossNodeBytes);
            Assert.Equal(cross, p.PredictedCrossNodeBytes);
            if (p.Nodes == 1) Assert.Equal(0, p.MeasuredCrossNodeBytes);
            if (p.Nodes == 2 && p.Partitions == "c3") crossByPlacement[p.Placement] = p.MeasuredCrossNodeBytes!.Value;
        }

        Assert.NotEqual(crossByPlacement["balanced"], crossByPlacement["round-robin"]);

        // The files: sweep.json reads back as the report, sweep.csv has a row per point, the plots exist.
        var json = SweepSerializer.Deserialize(File.ReadAllText(Path.Combine(result.Folder, SweepService.JsonFile)));
        Assert.Equal(points.Select(p => (p.Index, p.Status, p.MeasuredCrossNodeBytes)), json.Points.Select(p => (p.Index, p.Status, p.MeasuredCrossNodeBytes)));
        var csv = File.ReadAllLines(Path.Combine(result.Folder, SweepService.CsvFile));
        Assert.Equal(string.Join(',', SweepFiles.Columns), csv[0]);
        Assert.Equal(9, csv.Length);
        Assert.Contains(",failed,", csv[2], StringComparison.Ordinal);
        foreach (var plot in new[] { "bytes-per-sample", "cross-node-bytes", "throughput", "latency", "time-split" })
            Assert.True(File.Exists(Path.Combine(result.Folder, "plots", plot + ".png")), plot);
    }

    /// <summary>
    /// sweep --seed: the coordinator joins a cluster of two worker nodes started here as <c>akkattfs node</c> starts them (port 0,
    /// one secret), runs both points on those workers (not on itself) bit-identical to the reference computed here, and a grid
    /// asking for more nodes than are up is refused in one line. Every node is shut down, also when the test fails.
    /// </summary>
    [Fact]
    public async Task A_sweep_joined_to_node_actor_systems_runs_its_points_on_them_bit_identical_to_the_reference_and_refuses_more_nodes_than_are_up()
    {
        var modelPath = models.File("mnist-cnn");
        var model = ModelFile.Load(modelPath);
        var inputs = DatasetCatalog.Load().Test.NormaliseRange(0, Samples, model.Normalisation);
        var reference = new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(8, RecordSpikes: true));
        var secret = ClusterSecret.Generate();
        var workers = new List<ClusterNode>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var node = ClusterNode.Start(new ClusterNodeOptions
                {
                    Profile = i == 0 ? NodeProfile.Seed : NodeProfile.Worker,
                    Host = "127.0.0.1",
                    Port = 0,
                    SeedNodes = i == 0 ? [] : [workers[0].SelfAddress.ToString()],
                    Secret = secret,
                    ExtraHocon = ClusterLauncher.QuietLogging,
                });
                workers.Add(node);
                await node.WaitUntilUpAsync(TimeSpan.FromSeconds(60));
                ClusterRuntime.StartNodeAgent(node.System);
            }

            var seed = workers[0].SelfAddress.ToString();
            var addresses = workers.Select(w => w.SelfAddress.ToString()).Order(StringComparer.Ordinal).ToArray();
            var outcomes = new Dictionary<int, JobOutcome>();
            var service = new SweepService(SilentEvents.Instance) { PointObserver = (point, outcome) => { lock (outcomes) outcomes[point.Index] = outcome; } };
            var joined = new ClusterSetup(1, [seed], "127.0.0.1", 0, TimeSpan.FromSeconds(90), 2, null, false, secret);
            var settings = new SweepSettings
            {
                ModelFile = modelPath, Limit = Samples, Partitions = "c3", Nodes = "1,2", Batch = "8", OutFolder = _temp.File("joined"), Cluster = joined,
            };
            var result = service.Execute(SweepService.Prepare(settings));

            Assert.Equal(2, result.Report.Points.Count);
            foreach (var p in result.Report.Points)
            {
                Assert.True(p.Status == SweepStatus.Ok, $"point {p.Index}: {p.Status} {p.Error}");
                var run = outcomes[p.Index].Run;
                AssertSameResult(reference, run.Result, p.Index);
                Assert.Equal(p.Nodes, run.Nodes.Count);
                Assert.All(run.Nodes, n => Assert.Contains(n, addresses));
            }

            // The 2-node point used both workers, so traffic crossed between them: as much as Core predicts for the placement.
            var two = result.Report.Points.Single(p => p.Nodes == 2);
            Assert.Equal(addresses, outcomes[two.Index].Run.Nodes.Order(StringComparer.Ordinal));
            var plan = PartitionPlanner.Plan(model.Network, "c3");
            var cross = TrafficModel.Predict(model, plan, inputs, Samples, reference, 8).CrossNodeBytes(Placement.Assign(plan, 2), -1);
            Assert.True(cross > 0);
            Assert.Equal(cross, two.MeasuredCrossNodeBytes);

            // More nodes than the cluster has: one line with the count, after the join timeout, and no folder left.
            var tooMany = settings with { Nodes = "1,3", OutFolder = _temp.File("too-many"), Cluster = joined with { JoinTimeout = TimeSpan.FromSeconds(20) } };
            var e = Assert.Throws<UsageException>(() => service.Execute(SweepService.Prepare(tooMany)));
            Assert.True(e.Message.Contains("--nodes 3: only 2 worker node(s) are up", StringComparison.Ordinal), e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(Directory.Exists(_temp.File("too-many")));
        }
        finally
        {
            foreach (var node in Enumerable.Reverse(workers)) await node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>
    /// --link-latency as an axis: the point with a 20 ms link measures (generously) at least most of it as its cross-node message
    /// latency, and both points carry exactly the same traffic, link for link, bit-identical to the reference computed here.
    /// With --seed the link axes are refused (the workers' links are their own).
    /// </summary>
    [Fact]
    public void A_link_latency_axis_shows_in_the_measured_latency_and_leaves_every_link_s_traffic_and_the_results_unchanged()
    {
        const double latencyMs = 20;
        var modelPath = models.File("mnist-cnn");
        var model = ModelFile.Load(modelPath);
        var inputs = DatasetCatalog.Load().Test.NormaliseRange(0, Samples, model.Normalisation);
        var reference = new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(8, RecordSpikes: true));
        var outcomes = new Dictionary<int, JobOutcome>();
        var service = new SweepService(SilentEvents.Instance) { PointObserver = (point, outcome) => { lock (outcomes) outcomes[point.Index] = outcome; } };
        var settings = new SweepSettings
        {
            ModelFile = modelPath, Limit = Samples, Partitions = "c2", Nodes = "2", Batch = "8", Placement = "round-robin", LinkLatency = "0,20ms",
            OutFolder = _temp.File("links"), Cluster = new ClusterSetup(1, [], null, null, TimeSpan.FromSeconds(60), 2, null, false, ClusterSecret.Generate()),
        };
        var result = service.Execute(SweepService.Prepare(settings));

        Assert.Equal(["0", "20ms"], result.Report.Grid.LinkLatency);
        var (plain, slow) = (result.Report.Points[0], result.Report.Points[1]);
        foreach (var p in new[] { plain, slow })
        {
            Assert.True(p.Status == SweepStatus.Ok, $"point {p.Index}: {p.Status} {p.Error}");
            AssertSameResult(reference, outcomes[p.Index].Run.Result, p.Index);
        }

        Assert.Equal(0, plain.LinkLatencyMs);
        Assert.Equal(latencyMs, slow.LinkLatencyMs);
        // The delay stage never delivers early, so EVERY cross-node message of the slow point took the latency (a load alone
        // makes some slow, never all); the trace's clock conversion may shave a little off (generous bound).
        var crossing = outcomes[slow.Index].Run.Trace!.Links.Where(r => r.CrossProcess).Select(r => r.LatencyMs).ToArray();
        Assert.NotEmpty(crossing);
        Assert.True(crossing.Min() >= 0.75 * latencyMs, $"fastest cross-node message {crossing.Min()} ms with a {latencyMs} ms link");
        Assert.True(slow.CrossNodeLatencyP50Ms >= 0.75 * latencyMs, $"cross-node message p50 {slow.CrossNodeLatencyP50Ms} ms with a {latencyMs} ms link");
        // Traffic per link from the runs themselves (not the report's copy): identical, and crossing nodes.
        var links = new[] { plain, slow }.Select(p => outcomes[p.Index].Run.Links.OrderBy(l => l.SourceId).ThenBy(l => l.TargetId).ToArray()).ToArray();
        Assert.Equal(links[0], links[1]);
        Assert.True(plain.MeasuredCrossNodeBytes > 0);
        Assert.Equal(plain.MeasuredCrossNodeBytes, slow.MeasuredCrossNodeBytes);
        Assert.Equal(plain.Links, slow.Links);
        var rows = File.ReadAllLines(Path.Combine(result.Folder, SweepService.LinksCsvFile));
        Assert.Equal(string.Join(',', SweepFiles.LinkColumns), rows[0]);
        Assert.Equal(1 + (2 * links[0].Length), rows.Length);

        var joined = settings with { Cluster = settings.Cluster with { Seeds = ["akka.tcp://akkattfs@127.0.0.1:4053"], Secret = null } };
        var e = Assert.Throws<UsageException>(() => SweepService.Prepare(joined));
        Assert.Contains("with --seed the workers' links are their own", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_results_comparison_of_these_tests_sees_one_changed_potential()
    {
        var model = ModelFile.Load(models.File("mlp"));
        var inputs = DatasetCatalog.Load().Test.NormaliseRange(0, 4, model.Normalisation);
        var reference = new EventDrivenSimulator().Run(model, inputs, 4, new SimulationOptions(4));
        var copy = new EventDrivenSimulator().Run(model, inputs, 4, new SimulationOptions(4));
        AssertSameResult(reference, copy, 0);
        copy.OutputPotentials[3] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(copy.OutputPotentials[3]) + 1);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertSameResult(reference, copy, 0));
    }

    [Fact]
    public void The_cli_sweeps_reports_the_folder_and_a_ctrl_c_leaves_a_valid_partial_sweep()
    {
        var model = models.File("mnist-cnn");
        var folder = _temp.File("cli");
        var run = CliProcess.Run("sweep", "--model", model, "--limit", "16", "--partitions", "c2", "--nodes", "1,2", "--batch", "8", "--placement", "traffic", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("point 2/2: partitions c2, 2 node(s), batch 8, traffic", run.StdErr, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sweep.json"))))
        {
            Assert.Equal(SweepSerializer.SchemaVersion, doc.RootElement.GetProperty("schema_version").GetInt32());
            Assert.All(doc.RootElement.GetProperty("points").EnumerateArray(), p => Assert.Equal("ok", p.GetProperty("status").GetString()));
        }

        var report = CliProcess.Run("report", folder);
        Assert.True(report.ExitCode == 0, report.ToString());
        var page = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.Contains("id=\"plot-cross-node-bytes\"", page, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("c2 · 2n · b8 · traffic"), page, StringComparison.Ordinal);
        // The 1-node point has no cross-node messages, so no cross-node latency: said as such, not as "not recorded".
        Assert.Contains("none (no cross-node messages)", page, StringComparison.Ordinal);

        // Ctrl+C during the second of many points: exit 130, and sweep.json holds the points done so far, marked incomplete.
        // The interrupt lands 0.5 s after "point 2/12" shows: each point simulates all 2,000 test samples so that the ten
        // points left take far longer than that (at 64 samples a quiet machine finished all twelve first).
        var partial = _temp.File("partial");
        var (exit, stderr) = CliOutputTests.Interrupt(
            ["sweep", "--model", model, "--limit", "2000", "--partitions", "1,c2,c3", "--nodes", "1,2", "--batch", "8,16", "--out", partial], "point 2/12");
        Assert.True(exit == 130, stderr);
        var sweep = SweepSerializer.Deserialize(File.ReadAllText(Path.Combine(partial, SweepService.JsonFile)));
        Assert.False(sweep.Complete);
        Assert.Equal(12, sweep.PointsPlanned);
        Assert.InRange(sweep.Points.Count, 1, 11);
        Assert.Equal(sweep.Points.Count + 1, File.ReadAllLines(Path.Combine(partial, SweepService.CsvFile)).Length);
        Assert.Empty(Directory.GetFiles(partial, "*.tmp*"));
    }

    [Theory]
    [InlineData(new[] { "--placement", "nearest" }, "unknown placement 'nearest'")]
    [InlineData(new[] { "--nodes", "1,0" }, "--nodes must be >= 1")]
    [InlineData(new[] { "--nodes", "1,1" }, "names an entry twice")]
    [InlineData(new[] { "--batch", "8,x" }, "'x' is not a whole number")]
    [InlineData(new[] { "--partitions", "1,c999" }, "--partitions c999")]
    [InlineData(new[] { "--placement", "missing.json" }, "no such file")]
    [InlineData(new[] { "--placement", "bad.json" }, "bad.json: partition 0: node index -1")]
    [InlineData(new[] { "--placement", "far.json", "--nodes", "1,2" }, "on node 5, and the run has 2 node(s)")]
    [InlineData(new[] { "--placement", "tagged.json" }, "the nodes of an embedded cluster carry no tags")]
    [InlineData(new[] { "--link-latency", "0,5" }, "--link-latency: '5' has no unit")]
    [InlineData(new[] { "--link-latency", "1ms,1000us" }, "names the value of '1000us' twice")]
    [InlineData(new[] { "--link-bandwidth", "0,fast" }, "--link-bandwidth: 'fast' is not a rate")]
    public void Bad_input_is_refused_before_any_work(string[] extra, string expected)
    {
        var model = models.File("mlp");
        File.WriteAllText(_temp.File("bad.json"), """{"partitions": {"0": -1}}""");
        File.WriteAllText(_temp.File("far.json"), """{"partitions": {"0": 5}}""");
        File.WriteAllText(_temp.File("tagged.json"), """{"partitions": {"0": "tag:gpu"}}""");
        var folder = _temp.File("refused");
        var settings = new SweepSettings
        {
            ModelFile = model,
            Limit = 4,
            OutFolder = folder,
            Cluster = new ClusterSetup(1, [], null, null, TimeSpan.FromSeconds(60), 2, null, false, ClusterSecret.Generate()),
        };
        for (var i = 0; i < extra.Length; i += 2)
        {
            var value = extra[i + 1].EndsWith(".json", StringComparison.Ordinal) ? _temp.File(extra[i + 1]) : extra[i + 1];
            settings = extra[i] switch
            {
                "--placement" => settings with { Placement = value },
                "--nodes" => settings with { Nodes = value },
                "--batch" => settings with { Batch = value },
                "--link-latency" => settings with { LinkLatency = value },
                "--link-bandwidth" => settings with { LinkBandwidth = value },
                _ => settings with { Partitions = value },
            };
        }

        var e = Assert.Throws<UsageException>(() => SweepService.Prepare(settings));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void The_cli_refuses_a_bad_placement_file_and_a_placement_without_a_cluster_with_one_line_and_exit_2()
    {
        var model = models.File("mlp");
        File.WriteAllText(_temp.File("bad.json"), """{"partitions": {"0": "tag:"}}""");
        var folder = _temp.File("refused");
        CliAssert.Refused(CliProcess.Run("sweep", "--model", model, "--limit", "4", "--placement", _temp.File("bad.json"), "--out", folder), "needs a tag name");
        Assert.False(Directory.Exists(folder));
        CliAssert.Refused(CliProcess.Run("simulate", "--model", model, "--limit", "4", "--placement", "traffic"), "--placement places partitions on cluster nodes");
    }

    [Fact]
    public void Run_records_its_placement_with_measured_and_predicted_cross_node_bytes()
    {
        var model = models.File("mnist-cnn");
        var pins = _temp.File("pins.json");
        File.WriteAllText(pins, """{"strategy": "round-robin", "partitions": {"0": 1, "1": 1}}""");
        var folder = _temp.File("run");
        var run = CliProcess.Run("run", "--model", model, "--limit", "16", "--batch", "8", "--partitions", "c2", "--nodes", "2", "--placement", pins, "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var placement = doc.RootElement.GetProperty("placement");
        Assert.Equal("file:pins.json (rest round-robin)", placement.GetProperty("strategy").GetString());

        // The pins over round-robin, computed here, and Core's prediction for them from this test's own reference.
        var loaded = ModelFile.Load(model);
        var plan = PartitionPlanner.Plan(loaded.Network, "c2");
        var expected = PlacementStrategies.RoundRobin(plan, 2);
        (expected[0], expected[1]) = (1, 1);
        Assert.Equal(expected, placement.GetProperty("partition_nodes").EnumerateArray().Select(e => e.GetInt32()));
        var inputs = DatasetCatalog.Load().Test.NormaliseRange(0, 16, loaded.Normalisation);
        var reference = new EventDrivenSimulator().Run(loaded, inputs, 16, new SimulationOptions(8, RecordSpikes: true));
        var cross = TrafficModel.Predict(loaded, plan, inputs, 16, reference, 8).CrossNodeBytes(expected, 0);
        Assert.Equal(cross, placement.GetProperty("measured_cross_node_payload_bytes").GetInt64());
        Assert.Equal(cross, placement.GetProperty("predicted_cross_node_payload_bytes").GetInt64());
    }

    private static void AssertSameResult(SimulationResult expected, SimulationResult actual, int point)
    {
        Assert.True(expected.Predictions.AsSpan().SequenceEqual(actual.Predictions), $"point {point}: predictions differ");
        Assert.Equal(expected.OutputPotentials.Length, actual.OutputPotentials.Length);
        for (var i = 0; i < expected.OutputPotentials.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected.OutputPotentials[i]) == BitConverter.SingleToInt32Bits(actual.OutputPotentials[i]),
                $"point {point}: potential {i} is {actual.OutputPotentials[i]:R}, the reference {expected.OutputPotentials[i]:R}");
        }

        Assert.Equal(expected.SpikesPerStage, actual.SpikesPerStage);
    }
}
