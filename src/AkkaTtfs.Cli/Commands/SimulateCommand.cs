using AkkaTtfs.Core.Distributed;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs simulate</c>: run a model file on a dataset split with a Core engine and report.</summary>
internal static class SimulateCommand
{
    private static readonly string[] Engines = ["event", "partitioned", "cluster", "clock"];

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "Model file (.safetensors)", Required = true };
        var data = DatasetCommand.DataOption();
        var split = new Option<string>("--split") { Description = "Which split to simulate: test or train", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var limit = new Option<int?>("--limit", "-n") { Description = "Simulate only the first N samples of the split" };
        var batch = new Option<int>("--batch", "-b") { Description = "Samples per batch", DefaultValueFactory = _ => 64 };
        var engine = new Option<string>("--engine")
        {
            Description = "event: the event-driven reference; partitioned: the same cut by --partitions in one thread (implied by --partitions); " +
                          "cluster: the actor runtime, which records spikes too (implied by --nodes or --seed); clock: the time-stepped oracle (slow; no spike times, faults or partitions)",
            DefaultValueFactory = _ => "event",
        };
        engine.AcceptOnlyFromAmong(Engines);
        var partitions = new Option<string?>("--partitions", "-p")
        {
            Description = "Cut the network for the partitioned or cluster engine; given alone, it switches the default event engine to partitioned " +
                          "(with --nodes or --seed, the cluster's partitions; default 1 there). " + RunCommand.PartitionSpecHelp,
        };
        var nodes = new Option<int?>("--nodes") { Description = "Cluster engine: embedded nodes to start in this process, or with --seed the worker nodes to wait for" };
        var seedNodes = new Option<string[]>("--seed") { Description = "Cluster engine: join the cluster of these seed addresses as coordinator", AllowMultipleArgumentsPerToken = true };
        var cluster = new ClusterCliOptions("Cluster engine: ");
        var checkDnn = new Option<bool>("--check-dnn") { Description = "Also run the quantised DNN (double precision) and report prediction agreement and spike-time mismatches" };
        var spikesOut = new Option<FileInfo?>("--spikes-out") { Description = "Write every spike as CSV: sample,layer,neuron,time; layer = 0-based index of the weighted layer (hidden layers only: 0 = first conv/dense), neuron = flat index in that layer's output, time = absolute step (layer l fires in window l + 1: time = (l + 1) * T + r, r the step within the window)" };
        var report = new Option<FileInfo?>("--report") { Description = "Write a JSON report" };
        var eAc = new Option<double>("--e-ac") { Description = "Energy per accumulate in pJ (energy estimate)", DefaultValueFactory = _ => EnergyModel.Default.AccumulatePicojoules };
        var eMac = new Option<double>("--e-mac") { Description = "Energy per multiply-accumulate in pJ (energy estimate)", DefaultValueFactory = _ => EnergyModel.Default.MultiplyAccumulatePicojoules };
        var faults = new Option<FileInfo?>("--faults") { Description = "Inject the faults of this plan (JSON, see samples/faults/README.md) and compare with the fault-free run (event, partitioned and cluster engines; the plan's runtime faults act on the cluster only)" };
        var command = new Command("simulate", "Simulate a model file on a dataset with a Core reference engine and print accuracy, spikes, SynOps and energy")
        {
            model, data, split, limit, batch, engine, partitions, nodes, seedNodes, checkDnn, spikesOut, report, eAc, eMac, faults,
        };
        cluster.AddTo(command);

        command.SetAction(parse => CliErrors.Run(() =>
        {
            // Option combinations and output paths are checked first: a refusal after a slow run (and after
            // its results were printed) would waste the run.
            var engineName = parse.GetValue(engine)!;
            var partitionSpec = parse.GetValue(partitions);
            var seeds = parse.GetValue(seedNodes) ?? [];
            var nodeCount = parse.GetValue(nodes);
            if (nodeCount is not null || seeds.Length > 0)
            {
                if (engineName == "clock") throw new CliUsageException("--nodes and --seed run the cluster engine; they cannot be combined with --engine clock");
                engineName = "cluster";
            }
            else if (partitionSpec is not null && engineName == "event")
            {
                engineName = "partitioned";
            }

            if (engineName == "partitioned" && partitionSpec is null)
                throw new CliUsageException("--engine partitioned needs --partitions (for example --partitions 4 or --partitions 1,c4,1)");
            if (engineName == "clock" && partitionSpec is not null)
                throw new CliUsageException("--partitions cuts the network for the partitioned and cluster engines; the clock-driven oracle runs it whole");
            if (nodeCount is < 1) throw new CliUsageException("--nodes must be >= 1");
            if (parse.GetValue(batch) < 1) throw new CliUsageException("--batch must be >= 1");
            if (parse.GetValue(limit) is < 1) throw new CliUsageException("--limit must be >= 1");
            ClusterSettings? settings = null;
            if (engineName == "cluster") settings = cluster.Read(parse);
            else if (cluster.Given(parse).FirstOrDefault() is { } clusterOption)
                throw new CliUsageException($"{clusterOption} is an option of the cluster engine (--engine cluster, --nodes or --seed); this run uses the {engineName} engine");
            if (engineName == "clock")
            {
                // The clock-driven oracle counts spikes but keeps no spike times; every other engine (the cluster's too) records them.
                if (parse.GetValue(spikesOut) is not null)
                    throw new CliUsageException("--spikes-out needs recorded spike times: use --engine event, partitioned or cluster (the clock-driven oracle records none)");
                if (parse.GetValue(checkDnn))
                    throw new CliUsageException("--check-dnn compares spike times with the DNN: use --engine event, partitioned or cluster (the clock-driven oracle records none)");
            }

            var faultFile = parse.GetValue(faults);
            if (faultFile is not null)
            {
                if (engineName == "clock")
                    throw new CliUsageException("--faults runs with the event-driven engines (--engine event, partitioned or cluster), not the clock-driven oracle");
                if (parse.GetValue(checkDnn)) throw new CliUsageException("--check-dnn compares the fault-free SNN with the DNN; run it without --faults");
            }

            if (parse.GetValue(report) is { } reportTarget) CliFiles.CheckOutputFile(reportTarget.FullName, "--report");
            if (parse.GetValue(spikesOut) is { } spikesTarget) CliFiles.CheckOutputFile(spikesTarget.FullName, "--spikes-out");

            var modelPath = parse.GetValue(model)!.FullName;
            var snn = ModelFile.Load(modelPath);
            FaultPlan? faultPlan = null;
            if (faultFile is not null)
            {
                faultPlan = CliFiles.LoadFaultPlan(faultFile);
                RunCommand.ValidatePlan(faultPlan, faultFile, snn.Network);     // a plan that does not fit fails before anything runs
            }

            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            var dataset = parse.GetValue(split) == "train" ? pair.Train : pair.Test;
            CheckFits(snn, dataset);
            var n = Math.Min(parse.GetValue(limit) ?? dataset.Count, dataset.Count);
            if (n < 1) throw new CliUsageException($"{dataset.Name} has no samples to simulate");
            var plan = engineName is "partitioned" or "cluster" ? RunCommand.PlanPartitions(snn.Network, partitionSpec ?? "1") : null;
            if (engineName == "cluster")
            {
                RunCommand.ValidateRuntimeFaults(faultPlan, plan!, nodeCount ?? 1, seeds);
                RunCommand.CheckFaultInjection(faultPlan, seeds, settings!.FaultInjection);
                RunCommand.CheckSeeds(seeds, settings, faultPlan);
            }
            else if (faultPlan is { Runtime.Count: > 0 })
            {
                var count = faultPlan.Runtime.Count;
                Console.Error.WriteLine($"note: the plan's {count} runtime fault{(count == 1 ? "" : "s")} act{(count == 1 ? "s" : "")} on the cluster engine only (--nodes N); the {engineName} engine ignores {(count == 1 ? "it" : "them")}");
            }

            var inputs = dataset.NormaliseRange(0, n, snn.Normalisation);
            var labels = Enumerable.Range(0, n).Select(i => (byte)dataset.Label(i)).ToArray();
            var options = new SimulationOptions(parse.GetValue(batch), RecordSpikes: parse.GetValue(spikesOut) is not null || parse.GetValue(checkDnn));

            Console.Error.WriteLine($"simulating {n} {dataset.Name} samples with {snn.Network.Architecture} ({engineName} engine)");
            var clock = Stopwatch.StartNew();
            double seconds = 0;
            SimulationResult? result = null;
            OracleResult? clockResult = null;
            Dictionary<string, object>? recovery = null;
            switch (engineName)
            {
                case "event":
                    result = new EventDrivenSimulator(snn, faultPlan).Run(inputs, n, options, new ConsoleProgress("samples", n));
                    break;
                case "partitioned":
                    result = new PartitionedSimulator(snn, plan!, faultPlan).Run(inputs, n, options);
                    break;
                case "cluster":
                    var outcome = RunCommand.RunOnCluster(snn, plan!, inputs, n,
                        new Cluster.Runtime.RunOptions(options.BatchSize, settings!.InFlight, RecordSpikes: options.RecordSpikes),
                        nodeCount ?? 1, seeds, settings, faultPlan);
                    result = outcome.Result;
                    seconds = outcome.RunTime.TotalSeconds;
                    recovery = RunReport.Recovery(outcome);
                    break;
                default:
                    clockResult = ClockDrivenSimulator.Run(snn, inputs, n);
                    break;
            }

            if (engineName != "cluster") seconds = clock.Elapsed.TotalSeconds;
            var summary = clockResult is not null
                ? Summarise(snn, labels, clockResult, seconds)
                : Summarise(snn, labels, result!, seconds, new EnergyModel(parse.GetValue(eAc), parse.GetValue(eMac)), plan);
            if (parse.GetValue(checkDnn)) summary["dnn_check"] = CompareWithDnn(snn, inputs, n, labels, result!);

            if (faultPlan is not null)
            {
                // The same engine without the plan, for the comparison; for the cluster, the Core event engine, which it equals bit for bit.
                var cleanClock = Stopwatch.StartNew();
                var clean = plan is null || engineName == "cluster" ? new EventDrivenSimulator(snn).Run(inputs, n, options) : new PartitionedSimulator(snn, plan).Run(inputs, n, options);
                summary["faults"] = FaultsCommand.Compare(faultFile!.FullName, faultPlan, snn, labels, clean, cleanClock.Elapsed.TotalSeconds, result!, seconds);
            }

            if (recovery is not null) summary["recovery"] = recovery;
            Print(summary);
            if (recovery is not null) RunReport.PrintRecovery(recovery);
            if (summary.TryGetValue("faults", out var faultSummary)) FaultsCommand.PrintComparison((Dictionary<string, object>)faultSummary);
            if (parse.GetValue(spikesOut) is { } spikesFile) WriteSpikes(result!, spikesFile.FullName);
            if (parse.GetValue(report) is { } reportFile)
            {
                summary["model_file"] = modelPath;
                summary["dataset"] = dataset.Name;
                CliFiles.WriteText(reportFile.FullName, JsonSerializer.Serialize(summary, JsonOptions));
                Console.WriteLine($"report written to {reportFile.FullName}");
            }

            return 0;
        }));
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The model must take the dataset's sample shape and have a class for every label.</summary>
    public static void CheckFits(SnnModel model, Dataset dataset)
    {
        var expected = model.Network.Input;
        var actual = dataset.SampleShape;
        if (expected.Size != actual.Size || (expected.Rank == 3 && expected != actual))
            throw new CliUsageException($"the model takes inputs of shape {expected}, but {dataset.Name} has samples of shape {actual}");
        if (dataset.ClassCount > model.Network.ClassCount)
            throw new CliUsageException($"the model has {model.Network.ClassCount} output classes, but {dataset.Name} has labels up to {dataset.ClassCount - 1}");
    }

    private static Dictionary<string, object> Summarise(SnnModel model, byte[] labels, SimulationResult result, double seconds, EnergyModel energyModel, PartitionPlan? plan)
    {
        var energy = energyModel.Estimate(model.Network, result);
        var summary = new Dictionary<string, object>
        {
            ["samples"] = result.SampleCount,
            ["accuracy"] = result.Accuracy(labels),
            ["spikes_per_sample"] = result.SpikesPerSample,
            ["spikes_per_sample_per_layer"] = result.SpikesPerStage.Select(s => (double)s / result.SampleCount).ToArray(),
            ["synops_per_sample"] = result.SynOpsPerSample,
            ["dnn_macs_per_sample"] = model.Network.Macs,
            ["energy"] = new Dictionary<string, object>
            {
                ["snn_nJ_per_sample"] = energy.SnnPicojoules / 1000,
                ["dnn_nJ_per_sample"] = energy.DnnPicojoules / 1000,
                ["ratio"] = energy.Ratio,
                ["e_ac_pJ"] = energyModel.AccumulatePicojoules,
                ["e_mac_pJ"] = energyModel.MultiplyAccumulatePicojoules,
                ["assumption"] = "E_snn = SynOps*E_AC + analog first-layer MACs*E_MAC; E_dnn = MACs*E_MAC (docs/ttfs-method.md section 5)",
            },
            ["seconds"] = seconds,
            ["samples_per_second"] = result.SampleCount / Math.Max(seconds, 1e-9),
            ["synaptic_events_per_second"] = (result.SynOps + result.AnalogInputEvents) / Math.Max(seconds, 1e-9),
        };
        if (plan is not null)
        {
            summary["partitions"] = plan.Describe();
            summary["partition_count"] = plan.Partitions.Count;
            summary["routes"] = plan.Routes.Count;
        }

        return summary;
    }

    private static Dictionary<string, object> Summarise(SnnModel model, byte[] labels, OracleResult result, double seconds)
    {
        var correct = Enumerable.Range(0, result.SampleCount).Count(s => result.Predictions[s] == labels[s]);
        return new Dictionary<string, object>
        {
            ["samples"] = result.SampleCount,
            ["accuracy"] = (double)correct / result.SampleCount,
            ["spikes_per_sample"] = (double)result.TotalSpikes / result.SampleCount,
            ["spikes_per_sample_per_layer"] = result.SpikesPerStage.Select(s => (double)s / result.SampleCount).ToArray(),
            ["dnn_macs_per_sample"] = model.Network.Macs,
            ["seconds"] = seconds,
            ["samples_per_second"] = result.SampleCount / Math.Max(seconds, 1e-9),
        };
    }

    /// <summary>Fidelity to the DNN: prediction agreement and spike-time mismatches, counted rather than hidden.</summary>
    private static Dictionary<string, object> CompareWithDnn(SnnModel model, float[] inputs, int n, byte[] labels, SimulationResult snn)
    {
        var dnn = QuantisedDnn.Forward(model, inputs, n);
        long mismatches = 0, neurons = 0;
        var disagreeing = new List<int>();
        for (var s = 0; s < n; s++)
        {
            if (dnn.Predictions[s] != snn.Predictions[s]) disagreeing.Add(s);
            for (var d = 0; d < model.Network.SpikingLayerCount; d++)
            {
                var size = model.Network.Stages[d].ConvShape.Size;
                var expected = dnn.SpikeTimesOf(d, s);
                var actual = snn.SpikeTimes![d].AsSpan(s * size, size);
                for (var j = 0; j < size; j++)
                {
                    neurons++;
                    if (expected[j] != actual[j]) mismatches++;
                }
            }
        }

        var dnnCorrect = Enumerable.Range(0, n).Count(s => dnn.Predictions[s] == labels[s]);
        return new Dictionary<string, object>
        {
            ["dnn_accuracy"] = (double)dnnCorrect / n,
            ["prediction_agreement"] = 1.0 - ((double)disagreeing.Count / n),
            ["disagreeing_samples"] = disagreeing.ToArray(),
            ["spike_time_mismatches"] = mismatches,
            ["hidden_neurons_compared"] = neurons,
        };
    }

    private static void Print(Dictionary<string, object> summary)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"samples            {summary["samples"]}"));
        Console.WriteLine(string.Create(inv, $"accuracy           {(double)summary["accuracy"]:P2}"));
        Console.WriteLine(string.Create(inv, $"spikes/sample      {Numbers.Fixed((double)summary["spikes_per_sample"], 1)}  per layer [{Numbers.List((double[])summary["spikes_per_sample_per_layer"], 1)}]"));
        if (summary.TryGetValue("synops_per_sample", out var synops))
            Console.WriteLine(string.Create(inv, $"SynOps/sample      {Numbers.Fixed((double)synops, 0)}  (DNN MACs/sample {summary["dnn_macs_per_sample"]:N0})"));
        if (summary.TryGetValue("energy", out var e) && e is Dictionary<string, object> energy)
            Console.WriteLine(string.Create(inv, $"energy/sample      SNN {(double)energy["snn_nJ_per_sample"]:F1} nJ vs DNN {(double)energy["dnn_nJ_per_sample"]:F1} nJ (ratio {(double)energy["ratio"]:F3}; E_AC {energy["e_ac_pJ"]} pJ, E_MAC {energy["e_mac_pJ"]} pJ, an estimate)"));
        if (summary.TryGetValue("partitions", out var p))
            Console.WriteLine(string.Create(inv, $"partitions         {p} ({summary["partition_count"]} partitions, {summary["routes"]} routes)"));
        Console.WriteLine(string.Create(inv, $"time               {(double)summary["seconds"]:F2} s ({(double)summary["samples_per_second"]:F0} samples/s)"));
        if (summary.TryGetValue("dnn_check", out var c) && c is Dictionary<string, object> check)
        {
            Console.WriteLine(string.Create(inv, $"DNN accuracy       {(double)check["dnn_accuracy"]:P2} (quantised DNN, double precision)"));
            Console.WriteLine(string.Create(inv, $"DNN agreement      {(double)check["prediction_agreement"]:P2} ({((int[])check["disagreeing_samples"]).Length} samples disagree)"));
            Console.WriteLine(string.Create(inv, $"spike mismatches   {check["spike_time_mismatches"]} of {check["hidden_neurons_compared"]:N0} hidden neurons (float rounding at Q boundaries)"));
        }
    }

    private static void WriteSpikes(SimulationResult result, string path)
    {
        CliFiles.WriteText(path, writer =>
        {
            writer.WriteLine("sample,layer,neuron,time");
            foreach (var spike in result.EnumerateSpikes())
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spike.Sample},{spike.Stage},{spike.Neuron},{spike.Time}"));
        });
        Console.WriteLine($"spikes written to {path}");
    }
}
