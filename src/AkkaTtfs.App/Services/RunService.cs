using System.Diagnostics;
using System.Globalization;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.App.Services;

/// <summary>What <c>run</c> is asked to do, as given (unchecked).</summary>
public sealed record RunSettings
{
    /// <summary>A model file to use; null: train one with <see cref="Training"/>.</summary>
    public string? ModelFile { get; init; }

    public string Data { get; init; } = DatasetCatalog.DefaultName;

    /// <summary>Architecture, preset, epochs and seed of training (used when no model file is given).</summary>
    public TrainingOptions Training { get; init; } = new();

    public string Partitions { get; init; } = "1";

    public int? Limit { get; init; }

    public int Batch { get; init; } = 64;

    public bool Verify { get; init; } = true;

    /// <summary>Record the run's traffic over time (the run folder's timeline, partition and in-flight files); off only to measure what recording costs.</summary>
    public bool Trace { get; init; } = true;

    /// <summary>The report folder; null: runs/run-&lt;time&gt;.</summary>
    public string? OutFolder { get; init; }

    public string? FaultPlanFile { get; init; }

    /// <summary>--placement: balanced (default), traffic, round-robin, or a placement file (*.json).</summary>
    public string? Placement { get; init; }

    public required ClusterSetup Cluster { get; init; }
}

/// <summary>A run whose every input was checked: nothing is trained or written before this exists.</summary>
public sealed class PreparedRun
{
    internal PreparedRun(RunSettings settings, string folder, DatasetPair data, FaultPlan? faults, SnnModel? model, TrainingOptions? training, PartitionPlan plan,
        PlacementChoice placement)
    {
        Placement = placement;
        Settings = settings;
        Folder = folder;
        Data = data;
        Faults = faults;
        Model = model;
        Training = training;
        Plan = plan;
    }

    public RunSettings Settings { get; }

    public string Folder { get; }

    internal DatasetPair Data { get; }

    internal FaultPlan? Faults { get; }

    internal SnnModel? Model { get; }

    internal TrainingOptions? Training { get; }

    internal PartitionPlan Plan { get; }

    internal PlacementChoice Placement { get; }
}

/// <summary>The outcome of <c>run</c>: its report and folder.</summary>
public sealed record RunResult(RunReport Report, string Folder);

/// <summary>
/// <c>run</c>, the main job: start the cluster, hand the coordinator actor a job (train through the injected
/// <see cref="ITrainer"/>, or a loaded model file; deploy; run the test split), verify against the Core
/// reference, write the report folder (report.json, links.csv, predictions.csv, and model.safetensors with
/// training.json when the coordinator trained). The one place the run is orchestrated.
/// </summary>
public sealed class RunService(ITrainer trainer, IAppEvents events)
{
    /// <summary>
    /// Every check before the report folder exists and before a model is trained for minutes: options,
    /// files, the architecture against the data, the partition spec, the fault plan against both and the cluster.
    /// </summary>
    public static PreparedRun Prepare(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Preflight.AtLeastOne(settings.Cluster.Nodes, "--nodes");
        Preflight.AtLeastOne(settings.Batch, "--batch");
        Preflight.AtLeastOne(settings.Limit, "--limit");
        var folder = settings.OutFolder is { } given ? Path.GetFullPath(given) : DefaultReportFolder();
        if (File.Exists(folder)) throw new UsageException($"--out {folder} is a file; give a folder for the report");
        var pair = DatasetCatalog.Load(settings.Data);
        var faults = settings.FaultPlanFile is { } planFile ? Preflight.LoadFaultPlan(planFile) : null;
        var model = settings.ModelFile is { } modelFile ? ModelFile.Load(Path.GetFullPath(modelFile)) : null;
        TrainingOptions? training = null;
        NetworkSpec network;
        if (model is not null)
        {
            Preflight.CheckFits(model, pair.Test);
            network = model.Network;
        }
        else
        {
            training = settings.Training with { Data = settings.Data };
            network = TrainingPlan.Create(pair, training).Network;     // the network training will produce, checked against the data
        }

        var plan = Preflight.PlanPartitions(network, settings.Partitions);
        Preflight.ValidatePlan(faults, Path.GetFullPath(settings.FaultPlanFile ?? "."), network);
        Preflight.CheckClusterRun(faults, plan, settings.Cluster);
        Preflight.CheckFrames(network, plan, model?.InputMode ?? InputMode.Analog, model?.T ?? settings.Training.T, settings.Batch, recordSpikes: false, faults);
        var placement = PlacementReports.Load(settings.Placement, plan, settings.Cluster.Seeds.Count == 0 ? settings.Cluster.Nodes : null);
        return new PreparedRun(settings, folder, pair, faults, model, training, plan, placement);
    }

    /// <summary>
    /// Starts the cluster, has its coordinator train (if asked) and run the test split, verifies and writes the
    /// report folder. Cancelling <paramref name="ct"/> (Ctrl+C) cancels training or stops the run.
    /// </summary>
    public RunResult Execute(PreparedRun run, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var outFolder = OutputFolder.Create(run.Folder);
        string? trainedModel = null;
        var finished = false;
        try
        {
            var test = run.Data.Test;
            var n = Math.Min(run.Settings.Limit ?? test.Count, test.Count);
            var outcome = ClusterLauncher.RunJob(NewJob(run), run.Plan, run.Settings.Cluster, trainer, events, n,
                trained => trainedModel = KeepTrainedModel(run, trained), ct);
            var report = Verify(run, outcome, trainedModel);
            finished = true;
            return new RunResult(report, run.Folder);
        }
        catch (Exception ex) when (trainedModel is not null && !finished && ex is not OperationCanceledException)
        {
            // Minutes of training are not thrown away with a failed cluster run: the folder stays, with the model.
            var kept = $"the trained model is kept in {trainedModel} (rerun with --model {trainedModel})";
            if (ExpectedFailures.IsExpected(ex)) throw new UsageException($"{ExpectedFailures.OneLine(ex.Message).TrimEnd('.')}; {kept}");
            events.Status($"note: {kept}");
            throw;
        }
        finally
        {
            // Nothing worth keeping (no trained model, no report): a folder this run made goes again.
            if (!finished && trainedModel is null && outFolder.RemoveIfCreated() is { } note) events.Status($"note: {note}");
        }
    }

    /// <summary>The job for the coordinator: the model file, or training through the trainer it was started with.</summary>
    private RunJob NewJob(PreparedRun run)
    {
        var settings = run.Settings;
        ModelSource source;
        if (run.Model is not null)
        {
            events.Status($"model: {Path.GetFullPath(settings.ModelFile!)} ({run.Model.Network.Architecture})");
            source = new ModelSource.Ready(run.Model);
        }
        else
        {
            var training = run.Training!;
            events.Status($"the coordinator trains {training.Architecture} ({training.Preset.Name()}, {training.Epochs} epochs) on {run.Data.Train.Name}");
            source = new ModelSource.Train(training);
        }

        return new RunJob(ClusterLauncher.NewRunId(), source, AkkaTtfs.Cluster.Runtime.RunJob.Split(settings.Partitions), new JobInputs.TestSplit(run.Data.Test, settings.Limit))
        {
            Options = new RunOptions(settings.Batch, settings.Cluster.InFlight, RecordSpikes: false, Trace: settings.Trace),
            Faults = run.Faults,
            Placement = run.Placement,
        };
    }

    /// <summary>Saves the model the coordinator trained (and its training report) as soon as training ends.</summary>
    private string KeepTrainedModel(PreparedRun run, TrainedBy trained)
    {
        var modelPath = Path.Combine(run.Folder, "model.safetensors");
        ModelFile.Save(trained.Result.Model, modelPath);
        OutputFiles.WriteText(Path.Combine(run.Folder, "training.json"), trained.Report.ToJson());
        events.Status(string.Create(CultureInfo.InvariantCulture,
            $"trained: surrogate test accuracy {trained.Report.SurrogateTestAccuracy:P2}; model written to {modelPath}"));
        return modelPath;
    }

    /// <summary>The verification against the Core reference with the same plan, and the files.</summary>
    private RunReport Verify(PreparedRun run, JobOutcome job, string? trainedModel)
    {
        var settings = run.Settings;
        var (model, plan, inputs, n, outcome) = (job.Model, job.Plan, job.Inputs, job.Count, job.Run);
        var labels = Preflight.Labels(run.Data.Test, n);

        ResultComparison? verification = null;
        double referenceSeconds = 0;
        TrafficPrediction? perStep = null;
        var traceNote = "";
        if (settings.Verify)
        {
            // The reference records spike times, for spike-times.csv's per-step alternative, only when they fit in modest memory.
            var recordTimes = run.Faults is null && RunReports.CanRecordReferenceSpikes(model, n);
            var clock = Stopwatch.StartNew();
            var reference = new EventDrivenSimulator().Run(model, inputs, n, new SimulationOptions(settings.Batch, RecordSpikes: recordTimes, Faults: run.Faults));
            referenceSeconds = clock.Elapsed.TotalSeconds;
            // The reference's spike times are for the traffic model; the cluster did not record its own, so they are not compared.
            verification = reference.Compare(outcome.Result, recordTimes ? ResultFields.All & ~ResultFields.SpikeTimes : ResultFields.All);
            if (recordTimes && verification.IsIdentical) perStep = TrafficModel.Predict(model, plan, inputs, n, reference, settings.Batch);
            else
            {
                traceNote = run.Faults is not null ? "spike-times.csv: no per-step alternative (the traffic model is for fault-free runs)"
                    : !recordTimes ? $"spike-times.csv: no per-step alternative (the reference would have recorded more than {RunReports.MaxReferenceSpikeTimes} spike times)"
                    : "spike-times.csv: no per-step alternative (the run differs from the reference)";
            }
        }
        else
        {
            traceNote = "spike-times.csv: no per-step alternative (run without verification)";
        }

        var report = RunReports.Build(model, plan, outcome, labels, verification, referenceSeconds, traceNote) with
        {
            TrainedModel = trainedModel,
            TrainedBy = job.TrainedBy is { } by ? TrainedByReport.Of(by) : null,
            LinkEmulation = LinkEmulationReport.Of(settings.Cluster.Link, settings.Cluster.Seeds.Count == 0),
            Memory = ProcessMemoryReport.OfCoordinator(settings.Cluster),
            Machine = MachineInfo.Current(),
            Placement = PlacementReports.Build(run.Placement, outcome, plan, perStep),
        };
        if (run.Faults is not null)
        {
            // The fault-free run for the comparison comes from the Core event engine, which the cluster equals bit for bit.
            var cleanClock = Stopwatch.StartNew();
            var clean = new EventDrivenSimulator().Run(model, inputs, n, new SimulationOptions(settings.Batch));
            report = report with
            {
                Faults = FaultComparison.Compare(Path.GetFullPath(settings.FaultPlanFile!), run.Faults, model, labels, clean, cleanClock.Elapsed.TotalSeconds,
                    outcome.Result, outcome.RunTime.TotalSeconds),
            };
        }

        OutputFiles.WriteText(Path.Combine(run.Folder, "report.json"), ReportSerializer.Serialize(report));
        RunReports.WriteTrafficFiles(run.Folder, outcome, plan, perStep);
        PredictionsCsv.Write(Path.Combine(run.Folder, PredictionsCsv.FileName), outcome.Result, labels);
        return report;
    }

    /// <summary>runs/run-&lt;UTC time&gt;, with a -2, -3, ... suffix when that folder exists (two runs started in the same second).</summary>
    private static string DefaultReportFolder()
    {
        var stem = Path.GetFullPath(Path.Combine("runs", "run-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        var folder = stem;
        for (var n = 2; Directory.Exists(folder) || File.Exists(folder); n++) folder = $"{stem}-{n}";
        return folder;
    }
}
