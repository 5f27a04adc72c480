using System.CommandLine;
using AkkaTtfs.App;
using AkkaTtfs.App.Services;
using AkkaTtfs.Core.Metrics;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs simulate</c>: run a model file on a dataset split with one engine and report (the work is <see cref="SimulateService"/>'s).</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data();
        var split = CliOptions.Split("simulate");
        var limit = CliOptions.Limit("Simulate only the first N samples of the split");
        var batch = CliOptions.Batch("Samples per batch");
        var engine = new Option<string>("--engine")
        {
            Description = "event: the event-driven reference; partitioned: the same cut by --partitions in one thread (implied by --partitions); " +
                          "cluster: the actor runtime, which records spikes too (implied by --nodes or --seed); clock: the time-stepped oracle (slow; no spike times, faults or partitions)",
            DefaultValueFactory = _ => "event",
        };
        engine.AcceptOnlyFromAmong(Enum.GetValues<SimulationEngine>().Select(SimulateService.Name).ToArray());
        var partitions = new Option<string?>("--partitions", "-p")
        {
            Description = "Cut the network for the partitioned or cluster engine; given alone, it switches the default event engine to partitioned " +
                          "(with --nodes or --seed, the cluster's partitions; default 1 there). " + CliOptions.PartitionSpecHelp,
        };
        var nodes = CliOptions.OptionalInt("--nodes", "Cluster engine: embedded nodes to start in this process, or with --seed the worker nodes to wait for", OptionRanges.JoinedNodes);
        nodes.Description = CliOptions.WithNodesRange(nodes.Description!);
        var seedNodes = CliOptions.Seeds("Cluster engine: join the cluster of these seed addresses as coordinator");
        var cluster = new ClusterCliOptions("Cluster engine: ");
        var checkDnn = new Option<bool>("--check-dnn") { Description = "Also run the quantised DNN (double precision) and report prediction agreement and spike-time mismatches" };
        var spikesOut = new Option<FileInfo?>("--spikes-out") { Description = "Write every spike as CSV: sample,layer,neuron,time; layer = 0-based index of the weighted layer (hidden layers only: 0 = first conv/dense), neuron = flat index in that layer's output, time = absolute step (layer l fires in window l + 1: time = (l + 1) * T + r, r the step within the window)" };
        var outFolder = new Option<DirectoryInfo?>("--out", "-o") { Description = "Cluster engine: write a run folder (report.json, predictions.csv, links.csv and the traffic files), as run does" };
        var predictionsOut = new Option<FileInfo?>("--predictions-out") { Description = "Write one CSV row per sample: sample,label,predicted and the output potential of every class (round-trip precision)" };
        var report = new Option<FileInfo?>("--report") { Description = "Write a JSON report" };
        var eAc = CliOptions.EnergyPerAccumulate();
        var eMac = CliOptions.EnergyPerMac();
        var faults = new Option<FileInfo?>("--faults") { Description = "Inject the faults of this plan (JSON, see samples/faults/README.md) and compare with the fault-free run (event, partitioned and cluster engines; the plan's runtime faults act on the cluster only)" };
        var placement = PlacementOption.Create("Cluster engine: ");
        var command = new Command("simulate", "Simulate a model file on a dataset with a Core reference engine and print accuracy, spikes, SynOps and energy")
        {
            model, data, split, limit, batch, engine, partitions, nodes, seedNodes, checkDnn, spikesOut, predictionsOut, outFolder, report, eAc, eMac, faults, placement,
        };
        cluster.AddTo(command);

        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            // --nodes and --seed imply the cluster engine, --partitions alone the partitioned one.
            var engineName = Enum.Parse<SimulationEngine>(parse.GetValue(engine)!, ignoreCase: true);
            var seeds = parse.GetValue(seedNodes) ?? [];
            var nodeCount = parse.GetValue(nodes);
            if (nodeCount is not null || seeds.Length > 0)
            {
                if (engineName == SimulationEngine.Clock) throw new CliUsageException("--nodes and --seed run the cluster engine; they cannot be combined with --engine clock");
                engineName = SimulationEngine.Cluster;
            }
            else if (parse.GetValue(partitions) is not null && engineName == SimulationEngine.Event)
            {
                engineName = SimulationEngine.Partitioned;
            }

            if (engineName != SimulationEngine.Cluster && cluster.Given(parse).FirstOrDefault() is { } clusterOption)
                throw new CliUsageException($"{clusterOption} is an option of the cluster engine (--engine cluster, --nodes or --seed); this run uses the {SimulateService.Name(engineName)} engine");
            if (engineName != SimulationEngine.Cluster && parse.GetResult(placement) is { Implicit: false })
                throw new CliUsageException($"--placement places partitions on cluster nodes (--nodes or --seed); this run uses the {SimulateService.Name(engineName)} engine");
            var settings = new SimulateSettings
            {
                ModelFile = parse.GetValue(model)!.FullName,
                Data = parse.GetValue(data)!,
                TrainSplit = parse.GetValue(split) == "train",
                Limit = parse.GetValue(limit),
                Batch = parse.GetValue(batch),
                Engine = engineName,
                Partitions = parse.GetValue(partitions),
                Cluster = engineName == SimulationEngine.Cluster ? CliOptions.Setup(cluster.Read(parse), nodeCount ?? 1, seeds) : null,
                CheckDnn = parse.GetValue(checkDnn),
                SpikesOut = parse.GetValue(spikesOut)?.FullName,
                PredictionsOut = parse.GetValue(predictionsOut)?.FullName,
                ReportOut = parse.GetValue(report)?.FullName,
                OutFolder = parse.GetValue(outFolder)?.FullName,
                Energy = new EnergyModel(parse.GetValue(eAc), parse.GetValue(eMac)),
                FaultPlanFile = parse.GetValue(faults)?.FullName,
                Placement = parse.GetValue(placement),
            };
            var service = new SimulateService(new ConsoleEvents());
            var outcome = service.Execute(service.Prepare(settings));
            ReportPrinter.Print(outcome.Report);
            if (settings.SpikesOut is { } spikesFile) Console.WriteLine($"spikes written to {spikesFile}");
            if (settings.PredictionsOut is { } predictionsFile) Console.WriteLine($"predictions written to {predictionsFile}");
            if (settings.ReportOut is { } reportFile) Console.WriteLine($"report written to {reportFile}");
            if (settings.OutFolder is { } outPath) Console.WriteLine($"run folder written to {outPath}");
            return 0;
        }));
        return command;
    }
}
