using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs run</c>, the main job: obtain a model (train it, or load a file), deploy it to a cluster
/// (embedded by default), simulate the test split there, check it against the Core reference and report
/// accuracy, spikes and traffic.
/// </summary>
internal static class RunCommand
{
    /// <summary>What N means in a partition spec, precisely (PartitionPlanner.SlicesFor); shared by every --partitions help.</summary>
    internal const string PartitionSpecHelp =
        "Partition spec: one entry for every weighted layer, or one per layer, comma-separated. " +
        "N: N channel slices (dense layer: neuron ranges) when the layer has at least N channels; otherwise every channel is cut into " +
        "ceil(N/channels) row tiles, i.e. channels x ceil(N/channels) partitions (can be more than N). " +
        "cN: N channel slices; tRxC: R x C spatial tiles of the pooled output grid; cNtRxC: both; nK: about K neurons per partition";

    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "Use this model file instead of training one" };
        var data = DatasetCommand.DataOption();
        var arch = new Option<string>("--arch") { Description = "Architecture to train (string or preset)", DefaultValueFactory = _ => "mnist-cnn" };
        var preset = TrainCommand.PresetOption("Training preset", TrainingPresets.Name(TrainingPreset.SrTrTb));
        var epochs = new Option<int>("--epochs") { Description = "Training epochs (E_sr and E_k scale to half of them)", DefaultValueFactory = _ => 12 };
        var seed = new Option<int>("--train-seed") { Description = "Random seed of training", DefaultValueFactory = _ => 1 };
        var partitions = new Option<string>("--partitions", "-p") { Description = PartitionSpecHelp, DefaultValueFactory = _ => "1" };
        var nodes = new Option<int>("--nodes") { Description = "Worker nodes: embedded mode starts this many in this process; with --seed, waits for this many to join", DefaultValueFactory = _ => 1 };
        var seedNodes = new Option<string[]>("--seed") { Description = "Join the cluster of these seed node addresses (akka.tcp://akkattfs@host:port) as the coordinator instead of running an embedded cluster", AllowMultipleArgumentsPerToken = true };
        var limit = new Option<int?>("--limit", "-n") { Description = "Simulate only the first N test samples" };
        var batch = new Option<int>("--batch", "-b") { Description = "Samples per batch (one message per batch, window and link)", DefaultValueFactory = _ => 64 };
        var cluster = new ClusterCliOptions("");
        var verify = new Option<bool>("--verify") { Description = "Also run the Core reference and check the cluster's results bit for bit (on by default; --verify false skips it)", DefaultValueFactory = _ => true };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Report folder (default runs/run-<time>)" };
        var faults = new Option<FileInfo?>("--faults") { Description = "Inject the faults of this plan (JSON, see samples/faults/README.md) on the cluster; the report compares with the fault-free run and lists every fault's count" };
        var command = new Command("run",
            "The main job: train the surrogate on the bundled data (or load --model), deploy the SNN to a cluster " +
            "(embedded unless --seed), simulate the test split there, verify against the Core reference and report accuracy, spikes and traffic")
        {
            model, data, arch, preset, epochs, seed, partitions, nodes, seedNodes, limit, batch, verify, output, faults,
        };
        cluster.AddTo(command);

        command.SetAction(parse => CliErrors.Run(() =>
        {
            // Everything that can be checked is checked here, before the report folder exists and before a
            // model is trained for minutes: options, files, the architecture against the data, the
            // partition spec, the fault plan against both and the cluster.
            var nodeCount = parse.GetValue(nodes);
            if (nodeCount < 1) throw new CliUsageException("--nodes must be >= 1");
            if (parse.GetValue(batch) < 1) throw new CliUsageException("--batch must be >= 1");
            if (parse.GetValue(limit) is < 1) throw new CliUsageException("--limit must be >= 1");
            var seeds = parse.GetValue(seedNodes) ?? [];
            var settings = cluster.Read(parse);
            var folder = parse.GetValue(output)?.FullName ?? DefaultReportFolder();
            if (File.Exists(folder)) throw new CliUsageException($"--out {folder} is a file; give a folder for the report");
            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            var faultFile = parse.GetValue(faults);
            var faultPlan = faultFile is null ? null : CliFiles.LoadFaultPlan(faultFile);
            var modelFile = parse.GetValue(model);
            var loaded = modelFile is null ? null : ModelFile.Load(modelFile.FullName);
            TrainingOptions? training = null;
            NetworkSpec network;
            if (loaded is not null)
            {
                SimulateCommand.CheckFits(loaded, pair.Test);
                network = loaded.Network;
            }
            else
            {
                training = new TrainingOptions
                {
                    Data = parse.GetValue(data)!,
                    Architecture = parse.GetValue(arch)!,
                    Preset = TrainingPresets.Parse(parse.GetValue(preset)!),
                    Epochs = parse.GetValue(epochs),
                    Seed = parse.GetValue(seed),
                };
                network = TrainingPlan.Create(pair, training).Network;     // the network training will produce, checked against the data
            }

            var plan = PlanPartitions(network, parse.GetValue(partitions)!);
            ValidatePlan(faultPlan, faultFile, network);
            ValidateRuntimeFaults(faultPlan, plan, nodeCount, seeds);
            CheckFaultInjection(faultPlan, seeds, settings.FaultInjection);
            CheckSeeds(seeds, settings, faultPlan);

            var outFolder = CliFiles.OutputFolder.Create(folder);
            string? trainedModel = null;
            var finished = false;
            try
            {
                // 1. The model.
                SnnModel snn;
                if (loaded is not null)
                {
                    snn = loaded;
                    Console.Error.WriteLine($"model: {modelFile!.FullName} ({snn.Network.Architecture})");
                }
                else
                {
                    Console.Error.WriteLine($"training {training!.Architecture} ({training.Preset.Name()}, {training.Epochs} epochs) on {pair.Train.Name}");
                    var trained = new SurrogateTrainer().Train(pair, training, new EpochLine(), CancellationToken.None);
                    snn = trained.Model;
                    var modelPath = Path.Combine(folder, "model.safetensors");
                    ModelFile.Save(snn, modelPath);
                    trainedModel = modelPath;
                    CliFiles.WriteText(Path.Combine(folder, "training.json"), trained.Report.ToJson());
                    Console.Error.WriteLine($"trained: surrogate test accuracy {trained.Report.SurrogateTestAccuracy:P2}; model written to {modelPath}");
                    plan = PlanPartitions(snn.Network, parse.GetValue(partitions)!);
                }

                var test = pair.Test;
                var n = Math.Min(parse.GetValue(limit) ?? test.Count, test.Count);
                var inputs = test.NormaliseRange(0, n, snn.Normalisation);
                var labels = Enumerable.Range(0, n).Select(i => (byte)test.Label(i)).ToArray();

                // 2. The cluster, 3. the run.
                var runOptions = new RunOptions(parse.GetValue(batch), settings.InFlight, RecordSpikes: false);
                var outcome = RunOnCluster(snn, plan, inputs, n, runOptions, nodeCount, seeds, settings, faultPlan);

                // 4. Verification (the Core reference with the same plan) and report.
                bool? identical = null;
                double referenceSeconds = 0;
                if (parse.GetValue(verify))
                {
                    var clock = Stopwatch.StartNew();
                    var reference = new EventDrivenSimulator(snn, faultPlan).Run(inputs, n, new SimulationOptions(parse.GetValue(batch)));
                    referenceSeconds = clock.Elapsed.TotalSeconds;
                    identical = BitIdentical(reference, outcome.Result);
                }

                var report = RunReport.Build(snn, plan, outcome, labels, identical, referenceSeconds);
                if (faultPlan is not null)
                {
                    // The fault-free run for the comparison comes from the Core event engine, which the cluster equals bit for bit.
                    var cleanClock = Stopwatch.StartNew();
                    var clean = new EventDrivenSimulator(snn).Run(inputs, n, new SimulationOptions(parse.GetValue(batch)));
                    report["faults"] = FaultsCommand.Compare(faultFile!.FullName, faultPlan, snn, labels, clean, cleanClock.Elapsed.TotalSeconds,
                        outcome.Result, outcome.RunTime.TotalSeconds);
                }

                CliFiles.WriteText(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(report, RunReport.JsonOptions));
                RunReport.WriteLinksCsv(Path.Combine(folder, "links.csv"), outcome, plan);
                finished = true;
                RunReport.Print(report);
                if (report.TryGetValue("faults", out var faultSummary)) FaultsCommand.PrintComparison((Dictionary<string, object>)faultSummary!);
                Console.WriteLine($"report folder      {folder}");
                if (identical == false)
                {
                    Console.Error.WriteLine("error: the cluster's results differ from the Core reference (an exactness bug; please report it with this folder)");
                    return 1;
                }

                return 0;
            }
            catch (Exception ex) when (trainedModel is not null && !finished)
            {
                // Minutes of training are not thrown away with a failed cluster run: the folder stays, with the model.
                var kept = $"the trained model is kept in {trainedModel} (rerun with --model {trainedModel})";
                if (CliErrors.IsExpected(ex)) throw new CliUsageException($"{CliErrors.OneLine(ex.Message).TrimEnd('.')}; {kept}");
                Console.Error.WriteLine($"note: {kept}");
                throw;
            }
            finally
            {
                // Nothing worth keeping (no trained model, no report): a folder this run made goes again.
                if (!finished && trainedModel is null) outFolder.RemoveIfCreated();
            }
        }));
        return command;
    }

    /// <summary>Akka's INFO lines (joins, leaves, shutdown) would drown the report; warnings and errors still show.</summary>
    internal const string QuietLogging = "akka.loglevel = WARNING\nakka.stdout-loglevel = ERROR";

    /// <summary>Runs on an embedded cluster of <paramref name="nodes"/> in-process nodes, or joins the given seeds as coordinator.</summary>
    internal static RunOutcome RunOnCluster(SnnModel model, PartitionPlan plan, float[] inputs, int count, RunOptions options, int nodes,
        IReadOnlyList<string> seeds, ClusterSettings settings, FaultPlan? faults = null)
    {
        ValidateRuntimeFaults(faults, plan, nodes, seeds);
        CheckFaultInjection(faults, seeds, settings.FaultInjection);
        var started = new List<ClusterNode>();
        var faultInjection = UsesFaultInjection(faults, seeds, settings.FaultInjection);
        var joinTimeout = settings.JoinTimeout;
        try
        {
            ClusterNode coordinator;
            if (seeds.Count == 0)
            {
                for (var i = 0; i < nodes; i++)
                {
                    var node = ClusterNode.Start(new ClusterNodeOptions
                    {
                        Profile = i == 0 ? NodeProfile.SingleNode : NodeProfile.Worker,
                        Host = settings.Host,
                        Port = i == 0 ? settings.Port : 0,
                        SeedNodes = i == 0 ? [] : [started[0].SelfAddress.ToString()],
                        FaultInjection = faultInjection,
                        ConfigFile = settings.ConfigFile,
                        ExtraHocon = QuietLogging,
                        Secret = settings.EmbeddedSecret,
                    });
                    started.Add(node);
                    ClusterRuntime.StartNodeAgent(node.System);
                }

                coordinator = started[0];
                Console.Error.WriteLine($"embedded cluster: {nodes} node(s) on {coordinator.SelfAddress.Host}");
            }
            else
            {
                coordinator = ClusterNode.Start(new ClusterNodeOptions
                {
                    Profile = NodeProfile.Worker,
                    Roles = [ClusterNodeOptions.WellKnownRoles.Coordinator],
                    Host = settings.Host,
                    Port = settings.Port,
                    SeedNodes = seeds,
                    FaultInjection = faultInjection,
                    ConfigFile = settings.ConfigFile,
                    ExtraHocon = QuietLogging,
                    Secret = settings.Secret,
                    Insecure = settings.Insecure,
                });
                started.Add(coordinator);
                // The seeds as joined: with fault injection an akka.tcp:// seed was rewritten to the adapters' scheme.
                Console.Error.WriteLine($"coordinator {coordinator.SelfAddress} joining {string.Join(", ", coordinator.SeedNodes)}");
            }

            foreach (var node in started) node.WaitUntilUpAsync(joinTimeout).GetAwaiter().GetResult();
            var workers = ClusterRuntime.DiscoverWorkersAsync(coordinator.System, nodes, joinTimeout).GetAwaiter().GetResult();
            Console.Error.WriteLine($"deploying {plan.Partitions.Count} partitions ({plan.Describe()}) on {workers.Count} worker node(s); simulating {count} samples");
            var runId = "run-" + Guid.NewGuid().ToString("N")[..12];
            return ClusterRuntime.RunAsync(coordinator.System, new RunRequest(runId, model, plan, inputs, count, options) { Faults = faults }, workers, new LiveLine(count))
                .GetAwaiter().GetResult();
        }
        catch (ClusterJoinException ex)
        {
            throw new CliUsageException(ex.Message);
        }
        catch (RunFailedException ex)
        {
            throw new CliUsageException(ex.Message);
        }
        catch (Akka.Configuration.ConfigurationException ex)
        {
            throw new CliUsageException(ex.Message);
        }
        finally
        {
            // An embedded cluster is taken down whole on purpose: the remoting warnings each node logs when a
            // peer that already left closes its connection ("Association ... has failed") would only alarm.
            if (seeds.Count == 0)
            {
                foreach (var node in started) node.System.EventStream.SetLogLevel(Akka.Event.LogLevel.ErrorLevel);
            }

            foreach (var node in Enumerable.Reverse(started))
                node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        }
    }

    private static bool BitIdentical(SimulationResult a, SimulationResult b) =>
        a.Predictions.AsSpan().SequenceEqual(b.Predictions)
        && a.OutputPotentials.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.OutputPotentials.Select(BitConverter.SingleToInt32Bits))
        && a.SpikesPerStage.AsSpan().SequenceEqual(b.SpikesPerStage)
        && a.SynOps == b.SynOps
        && a.SpikesDelivered == b.SpikesDelivered
        && a.Faults == b.Faults;

    /// <summary>
    /// Runtime faults that name a partition or node the run will not have fail before any node starts. An embedded
    /// cluster's node 0 hosts the coordinator; a coordinator joining seeds is not a worker.
    /// </summary>
    internal static void ValidateRuntimeFaults(FaultPlan? faults, PartitionPlan plan, int nodes, IReadOnlyList<string> seeds)
    {
        if (faults is null) return;
        try
        {
            RuntimeFault.ValidateAll(faults.Runtime, plan.Partitions.Count, nodes, coordinatorNode: seeds.Count == 0 ? 0 : -1, new RunOptions().MaxRestarts);
        }
        catch (FaultPlanException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }

    /// <summary>
    /// Links are cut through the throttler transport adapter: an embedded cluster loads it when the plan cuts or
    /// kills; a coordinator joining seeds loads it when asked (--fault-injection) or when the seeds' address
    /// protocol says they have it.
    /// </summary>
    internal static bool UsesFaultInjection(FaultPlan? faults, IReadOnlyList<string> seeds, bool asked) =>
        asked || (seeds.Count == 0
            ? faults?.Runtime.Any(NeedsAdapters) == true
            : seeds.Any(s => s.StartsWith(ClusterConfig.FaultInjectionProtocol + "://", StringComparison.Ordinal)));

    /// <summary>Cut and kill faults act through the adapters; a crash is a message to a partition actor.</summary>
    private static bool NeedsAdapters(RuntimeFault fault) => fault.Kind != RuntimeFaultKind.CrashPartition;

    /// <summary>
    /// A plan that cuts links or kills nodes of a cluster joined without the fault-injection adapters cannot
    /// work (the nodes lack them too); said before anything trains or starts.
    /// </summary>
    internal static void CheckFaultInjection(FaultPlan? faults, IReadOnlyList<string> seeds, bool asked)
    {
        if (faults is null || seeds.Count == 0 || UsesFaultInjection(faults, seeds, asked)) return;
        var (fault, index) = faults.Runtime.Select((f, i) => (f, i)).FirstOrDefault(x => NeedsAdapters(x.f));
        if (fault is null) return;
        throw new CliUsageException(
            $"fault plan runtime entry {index} (runtime[{index}]): a {fault.KindName} needs the fault-injection adapters on every node, and --seed joins without them: " +
            $"start every node with 'akkattfs node --fault-injection' and add --fault-injection here (or give seeds as {ClusterConfig.FaultInjectionProtocol}://akkattfs@host:port)");
    }

    /// <summary>
    /// The --seed addresses as the coordinator's node will check them (scheme, system name, host, port), but
    /// now, before training, rather than when the node starts.
    /// </summary>
    internal static void CheckSeeds(IReadOnlyList<string> seeds, ClusterSettings settings, FaultPlan? faults)
    {
        if (seeds.Count == 0) return;
        var options = new ClusterNodeOptions
        {
            Profile = NodeProfile.Worker,
            SeedNodes = seeds,
            FaultInjection = UsesFaultInjection(faults, seeds, settings.FaultInjection),
            ConfigFile = settings.ConfigFile,
            Secret = settings.Secret,
        };
        ClusterConfig.ResolveSeeds(options, ClusterConfig.Build(options));
    }

    /// <summary>The partition plan of --partitions; a spec that does not fit the network names the option and the spec.</summary>
    internal static PartitionPlan PlanPartitions(NetworkSpec network, string spec)
    {
        try
        {
            return PartitionPlanner.Plan(network, spec);
        }
        catch (PartitionPlanException ex)
        {
            throw new CliUsageException($"--partitions {spec}: {ex.Message}");
        }
    }

    /// <summary>runs/run-&lt;UTC time&gt;, with a -2, -3, ... suffix when that folder exists (two runs started in the same second).</summary>
    private static string DefaultReportFolder()
    {
        var stem = Path.GetFullPath(Path.Combine("runs", "run-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        var folder = stem;
        for (var n = 2; Directory.Exists(folder) || File.Exists(folder); n++) folder = $"{stem}-{n}";
        return folder;
    }

    /// <summary>A plan that does not fit the network is a usage error naming the file and the entry.</summary>
    internal static void ValidatePlan(FaultPlan? plan, FileInfo? file, NetworkSpec network)
    {
        if (plan is null) return;
        try
        {
            plan.Validate(network);
        }
        catch (FaultPlanException ex)
        {
            throw new CliUsageException($"{file!.FullName}: {ex.Message}");
        }
    }

    /// <summary>One line per training epoch on stderr.</summary>
    private sealed class EpochLine : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (!value.EpochCompleted) return;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {value.Epoch + 1}/{value.Epochs}  loss {value.Loss:F4}  train {value.TrainAccuracy:P2}  val {value.ValidationAccuracy:P2}  p_SR {value.SrProbability:F2}  {value.SamplesPerSecond:F0} samples/s  ETA {value.Remaining:mm\\:ss}"));
        }
    }

    /// <summary>The live progress line while simulating: samples/s, spikes/s, messages/s, bytes/s, batches in flight.</summary>
    private sealed class LiveLine(int total) : IProgress<RunProgress>
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private int _lastDecile = -1;

        public void Report(RunProgress p)
        {
            var s = Math.Max(p.Elapsed.TotalSeconds, 1e-9);
            var decile = p.CompletedSamples * 10 / Math.Max(1, total);
            if (!_interactive && decile == _lastDecile && p.CompletedSamples < total) return;
            _lastDecile = decile;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"simulating {p.CompletedSamples}/{p.TotalSamples}  {p.CompletedSamples / s:F0} samples/s  {p.Spikes / s:E2} spikes/s  {p.Messages / s:F0} msg/s  {p.PayloadBytes / s / 1e6:F2} MB/s  in flight {p.BatchesInFlight}");
            if (_interactive) Console.Error.Write("\r" + line + "   ");
            else Console.Error.WriteLine(line);
            if (_interactive && p.CompletedSamples >= p.TotalSamples) Console.Error.WriteLine();
        }
    }
}
