using System.Diagnostics;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>The engines <c>simulate</c> can run.</summary>
public enum SimulationEngine
{
    Event,
    Partitioned,
    Cluster,
    Clock,
}

/// <summary>What <c>simulate</c> is asked to do; the engine is already resolved from the options that imply it.</summary>
public sealed record SimulateSettings
{
    public required string ModelFile { get; init; }

    public string Data { get; init; } = DatasetCatalog.DefaultName;

    public bool TrainSplit { get; init; }

    public int? Limit { get; init; }

    public int Batch { get; init; } = 64;

    public SimulationEngine Engine { get; init; }

    public string? Partitions { get; init; }

    /// <summary>The cluster engine's nodes (null for the other engines).</summary>
    public ClusterSetup? Cluster { get; init; }

    public bool CheckDnn { get; init; }

    public string? SpikesOut { get; init; }

    public string? PredictionsOut { get; init; }

    public string? ReportOut { get; init; }

    /// <summary>The cluster engine: a run folder (report.json as <c>run</c> writes it, predictions.csv and the traffic files); null: none.</summary>
    public string? OutFolder { get; init; }

    public EnergyModel Energy { get; init; } = EnergyModel.Default;

    public string? FaultPlanFile { get; init; }

    /// <summary>The cluster engine's --placement: balanced (default), traffic, round-robin, or a placement file (*.json).</summary>
    public string? Placement { get; init; }
}

/// <summary>A simulation whose inputs were all checked, with the data normalised for its model.</summary>
public sealed record PreparedSimulation(SimulateSettings Settings, SnnModel Model, Dataset Dataset, int Count, float[] Inputs, byte[] Labels, PartitionPlan? Plan, FaultPlan? Faults)
{
    /// <summary>The cluster engine's placement, checked against the plan and the node count.</summary>
    public PlacementChoice Placement { get; init; } = PlacementChoice.Balanced;
}

/// <summary>What a simulation produced: the report, and the result (null for the clock-driven oracle, which has its own).</summary>
public sealed record SimulateOutcome(SimulateReport Report, SimulationResult? Result, OracleResult? OracleResult);

/// <summary><c>simulate</c>: one model file on one dataset split with one engine, and its report and files.</summary>
public sealed class SimulateService(IAppEvents events)
{
    /// <summary>Option combinations, output paths, the model, the plan and the data are checked before anything runs.</summary>
    public PreparedSimulation Prepare(SimulateSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        CheckCombination(s);
        if (s.ReportOut is { } report) OutputFiles.CheckOutputFile(report, "--report");
        if (s.SpikesOut is { } spikes) OutputFiles.CheckOutputFile(spikes, "--spikes-out");
        if (s.PredictionsOut is { } predictions) OutputFiles.CheckOutputFile(predictions, "--predictions-out");

        var model = ModelFile.Load(Path.GetFullPath(s.ModelFile));
        FaultPlan? faults = null;
        if (s.FaultPlanFile is { } planFile)
        {
            faults = Preflight.LoadFaultPlan(planFile);
            Preflight.ValidatePlan(faults, Path.GetFullPath(planFile), model.Network);     // a plan that does not fit fails before anything runs
        }

        var pair = DatasetCatalog.Load(s.Data);
        var dataset = s.TrainSplit ? pair.Train : pair.Test;
        Preflight.CheckFits(model, dataset);
        var n = Math.Min(s.Limit ?? dataset.Count, dataset.Count);
        if (n < 1) throw new UsageException($"{dataset.Name} has no samples to simulate");
        var plan = s.Engine is SimulationEngine.Partitioned or SimulationEngine.Cluster ? Preflight.PlanPartitions(model.Network, s.Partitions ?? "1") : null;
        var placement = PlacementChoice.Balanced;
        if (s.Engine == SimulationEngine.Cluster)
        {
            Preflight.CheckClusterRun(faults, plan!, s.Cluster!);
            Preflight.CheckFrames(model.Network, plan!, model.InputMode, model.T, s.Batch, s.SpikesOut is not null || s.CheckDnn, faults);
            placement = PlacementReports.Load(s.Placement, plan!, s.Cluster!.Seeds.Count == 0 ? s.Cluster.Nodes : null);
        }
        else if (faults is { Runtime.Count: > 0 })
        {
            var count = faults.Runtime.Count;
            events.Status($"note: the plan's {count} runtime fault{(count == 1 ? "" : "s")} act{(count == 1 ? "s" : "")} on the cluster engine only (--nodes N); the {Name(s.Engine)} engine ignores {(count == 1 ? "it" : "them")}");
        }

        return new PreparedSimulation(s, model, dataset, n, dataset.NormaliseRange(0, n, model.Normalisation), Preflight.Labels(dataset, n), plan, faults)
        {
            Placement = placement,
        };
    }

    /// <summary>Runs the engine (and the fault-free run, the DNN check), writes the files asked for; returns the report.</summary>
    public SimulateOutcome Execute(PreparedSimulation p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var s = p.Settings;
        var options = new SimulationOptions(s.Batch, RecordSpikes: s.SpikesOut is not null || s.CheckDnn);
        events.Status($"simulating {p.Count} {p.Dataset.Name} samples with {p.Model.Network.Architecture} ({Name(s.Engine)} engine)");
        if (s.Engine == SimulationEngine.Clock) return ExecuteOracle(p);

        var clock = Stopwatch.StartNew();
        RecoveryReport? recovery = null;
        double? deploySeconds = null;
        AkkaTtfs.Cluster.Runtime.RunOutcome? clusterOutcome = null;
        SimulationResult result;
        double seconds;
        if (s.Engine == SimulationEngine.Cluster)
        {
            var outcome = ClusterLauncher.Run(p.Model, p.Plan!, p.Inputs, p.Count,
                new AkkaTtfs.Cluster.Runtime.RunOptions(options.BatchSize, s.Cluster!.InFlight, RecordSpikes: options.RecordSpikes), s.Cluster, p.Faults, events, p.Placement);
            result = outcome.Result;
            seconds = outcome.RunTime.TotalSeconds;
            deploySeconds = outcome.DeployTime.TotalSeconds;
            recovery = RunReports.Recovery(outcome);
            clusterOutcome = outcome;
        }
        else
        {
            result = p.Plan is null
                ? new EventDrivenSimulator().Run(p.Model, p.Inputs, p.Count, options with { Faults = p.Faults, Progress = events.Counter("samples", p.Count) })
                : new PartitionedSimulator().Run(p.Model, p.Inputs, p.Count, options with { Partitions = p.Plan, Faults = p.Faults });
            seconds = clock.Elapsed.TotalSeconds;
        }

        var report = Summarise(p, result, seconds) with
        {
            Recovery = recovery,
            DeploySeconds = deploySeconds,
            Memory = s.Cluster is { } cluster ? ProcessMemoryReport.OfCoordinator(cluster) : ProcessMemoryReport.Current("simulate"),
            NodeMemory = clusterOutcome is null ? null : NodeMemoryReport.Of(clusterOutcome),
            DnnCheck = s.CheckDnn ? CompareWithDnn(p, result) : null,
            Faults = p.Faults is null ? null : CompareWithFaultFree(p, options, result, seconds),
        };
        using (var outputs = OutputSet.Begin())
        {
            if (s.OutFolder is { } folder) WriteRunFolder(p, clusterOutcome!, folder, outputs);
            WriteFiles(p, report, result, null);
            outputs.Commit();
        }

        return new SimulateOutcome(report, result, null);
    }

    public static string Name(SimulationEngine engine) => engine.ToString().ToLowerInvariant();

    private static void CheckCombination(SimulateSettings s)
    {
        if (s.Cluster is not null) Preflight.AtLeastOne(s.Cluster.Nodes, "--nodes");
        Preflight.AtLeastOne(s.Batch, "--batch");
        Preflight.AtLeastOne(s.Limit, "--limit");
        if (s.OutFolder is not null && s.Engine != SimulationEngine.Cluster)
            throw new UsageException("--out writes a cluster run's folder: it needs the cluster engine (--nodes N)");
        if (s.Engine == SimulationEngine.Partitioned && s.Partitions is null)
            throw new UsageException("--engine partitioned needs --partitions (for example --partitions 4 or --partitions 1,c4,1)");
        if (s.Engine == SimulationEngine.Cluster && s.Cluster is null) throw new UsageException("the cluster engine needs its cluster settings");
        if (s.Engine != SimulationEngine.Clock)
        {
            if (s.FaultPlanFile is not null && s.CheckDnn) throw new UsageException("--check-dnn compares the fault-free SNN with the DNN; run it without --faults");
            return;
        }

        // The clock-driven oracle counts spikes but keeps no spike times; every other engine (the cluster's too) records them.
        if (s.Partitions is not null)
            throw new UsageException("--partitions cuts the network for the partitioned and cluster engines; the clock-driven oracle runs it whole");
        if (s.SpikesOut is not null)
            throw new UsageException("--spikes-out needs recorded spike times: use --engine event, partitioned or cluster (the clock-driven oracle records none)");
        if (s.CheckDnn)
            throw new UsageException("--check-dnn compares spike times with the DNN: use --engine event, partitioned or cluster (the clock-driven oracle records none)");
        if (s.FaultPlanFile is not null)
            throw new UsageException("--faults runs with the event-driven engines (--engine event, partitioned or cluster), not the clock-driven oracle");
    }

    private SimulateOutcome ExecuteOracle(PreparedSimulation p)
    {
        var clock = Stopwatch.StartNew();
        var result = ClockDrivenSimulator.Simulate(p.Model, p.Inputs, p.Count);
        var seconds = clock.Elapsed.TotalSeconds;
        var correct = Enumerable.Range(0, result.SampleCount).Count(i => result.Predictions[i] == p.Labels[i]);
        var report = new SimulateReport(Name(SimulationEngine.Clock), result.SampleCount, (double)correct / result.SampleCount, (double)result.TotalSpikes / result.SampleCount,
            result.SpikesPerStage.Select(x => (double)x / result.SampleCount).ToArray(), p.Model.Network.Macs, seconds, result.SampleCount / Math.Max(seconds, 1e-9))
        {
            ModelFile = Path.GetFullPath(p.Settings.ModelFile),
            Dataset = p.Dataset.Name,
        };
        using (var outputs = OutputSet.Begin())
        {
            WriteFiles(p, report, null, result);
            outputs.Commit();
        }

        return new SimulateOutcome(report, null, result);
    }

    private static SimulateReport Summarise(PreparedSimulation p, SimulationResult result, double seconds) =>
        new(Name(p.Settings.Engine), result.SampleCount, result.Accuracy(p.Labels), result.SpikesPerSample, ResultMetrics.SpikesPerLayer(result), p.Model.Network.Macs,
            seconds, result.SampleCount / Math.Max(seconds, 1e-9))
        {
            SynopsPerSample = result.SynOpsPerSample,
            Energy = EnergyReport.Of(p.Settings.Energy, p.Model.Network, result),
            SynapticEventsPerSecond = (result.SynOps + result.AnalogInputEvents) / Math.Max(seconds, 1e-9),
            Partitions = p.Plan?.Describe(),
            PartitionCount = p.Plan?.Partitions.Count,
            Routes = p.Plan?.Routes.Count,
            ModelFile = Path.GetFullPath(p.Settings.ModelFile),
            Dataset = p.Dataset.Name,
        };

    /// <summary>The same engine without the plan; for the cluster, the Core event engine, which it equals bit for bit.</summary>
    private static FaultComparisonReport CompareWithFaultFree(PreparedSimulation p, SimulationOptions options, SimulationResult faulty, double seconds)
    {
        var clock = Stopwatch.StartNew();
        var clean = p.Plan is null || p.Settings.Engine == SimulationEngine.Cluster
            ? new EventDrivenSimulator().Run(p.Model, p.Inputs, p.Count, options)
            : new PartitionedSimulator().Run(p.Model, p.Inputs, p.Count, options with { Partitions = p.Plan });
        return FaultComparison.Compare(Path.GetFullPath(p.Settings.FaultPlanFile!), p.Faults!, p.Model, p.Labels, clean, clock.Elapsed.TotalSeconds, faulty, seconds);
    }

    private static DnnCheckReport CompareWithDnn(PreparedSimulation p, SimulationResult snn)
    {
        var model = p.Model;
        var n = p.Count;
        var dnn = QuantisedDnn.Forward(model, p.Inputs, n);
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

        var dnnCorrect = Enumerable.Range(0, n).Count(s => dnn.Predictions[s] == p.Labels[s]);
        return new DnnCheckReport((double)dnnCorrect / n, 1.0 - ((double)disagreeing.Count / n), disagreeing.ToArray(), mismatches, neurons);
    }

    /// <summary>Writes the files asked for into the open output set: they appear together when it commits, or not at all.</summary>
    private static void WriteFiles(PreparedSimulation p, SimulateReport report, SimulationResult? result, OracleResult? oracle)
    {
        var s = p.Settings;
        if (s.SpikesOut is { } spikes) WriteSpikes(result!, spikes);
        if (s.PredictionsOut is { } predictions)
        {
            if (result is not null) PredictionsCsv.Write(predictions, result, p.Labels);
            else PredictionsCsv.Write(predictions, oracle!, p.Labels);
        }

        if (s.ReportOut is { } file) OutputFiles.WriteText(file, ReportSerializer.Serialize(report));
    }

    /// <summary>
    /// The folder <c>run</c> writes (its report type, predictions.csv, the traffic files), from a cluster simulation. Nothing is
    /// verified here, so report.json has no verdict and spike-times.csv no per-step alternative.
    /// </summary>
    private static void WriteRunFolder(PreparedSimulation p, AkkaTtfs.Cluster.Runtime.RunOutcome outcome, string folder, OutputSet outputs)
    {
        var created = OutputFolder.Create(Path.GetFullPath(folder));
        outputs.AddFolder(created);
        var report = RunReports.Build(p.Model, p.Plan!, outcome, p.Labels, null, 0, "spike-times.csv: no per-step alternative (simulate does not run the reference)") with
        {
            LinkEmulation = LinkEmulationReport.Of(p.Settings.Cluster!.Link, p.Settings.Cluster.Seeds.Count == 0),
            Memory = ProcessMemoryReport.OfCoordinator(p.Settings.Cluster!),
            Machine = MachineInfo.Current(),
            Placement = PlacementReports.Build(p.Placement, outcome, p.Plan!, null),
        };
        OutputFiles.WriteText(Path.Combine(created.Path, "report.json"), ReportSerializer.Serialize(report));
        PredictionsCsv.Write(Path.Combine(created.Path, PredictionsCsv.FileName), outcome.Result, p.Labels);
        RunReports.WriteTrafficFiles(created.Path, outcome, p.Plan!, null);
    }

    private static void WriteSpikes(SimulationResult result, string path) =>
        OutputFiles.WriteText(path, writer =>
        {
            writer.WriteLine("sample,layer,neuron,time");
            foreach (var spike in result.EnumerateSpikes())
                writer.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{spike.Sample},{spike.Stage},{spike.Neuron},{spike.Time}"));
        });
}
