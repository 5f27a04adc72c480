using System.Diagnostics;
using System.Globalization;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
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

    /// <summary>The report folder; null: runs/run-&lt;time&gt;.</summary>
    public string? OutFolder { get; init; }

    public string? FaultPlanFile { get; init; }

    public required ClusterSetup Cluster { get; init; }
}

/// <summary>A run whose every input was checked: nothing is trained or written before this exists.</summary>
public sealed class PreparedRun
{
    internal PreparedRun(RunSettings settings, string folder, DatasetPair data, FaultPlan? faults, SnnModel? model, TrainingOptions? training, PartitionPlan plan)
    {
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
}

/// <summary>The outcome of <c>run</c>: its report and folder.</summary>
public sealed record RunResult(RunReport Report, string Folder);

/// <summary>
/// <c>run</c>, the main job: obtain a model (train it through <see cref="ITrainer"/>, or load a file), run the
/// test split on a cluster, verify against the Core reference, write the report folder (report.json,
/// links.csv, predictions.csv). The one place the run is orchestrated: moving training into the coordinator
/// changes <see cref="Execute"/> only.
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
        return new PreparedRun(settings, folder, pair, faults, model, training, plan);
    }

    /// <summary>Trains (if asked), runs on the cluster, verifies and writes the report folder.</summary>
    public RunResult Execute(PreparedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var outFolder = OutputFolder.Create(run.Folder);
        string? trainedModel = null;
        var finished = false;
        try
        {
            var (model, plan) = ObtainModel(run, path => trainedModel = path);
            var report = Simulate(run, model, plan, trainedModel);
            finished = true;
            return new RunResult(report, run.Folder);
        }
        catch (Exception ex) when (trainedModel is not null && !finished)
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

    /// <summary>The model file, or a model trained now through the trainer (saved in the folder with its training report).</summary>
    private (SnnModel Model, PartitionPlan Plan) ObtainModel(PreparedRun run, Action<string> trained)
    {
        if (run.Model is not null)
        {
            events.Status($"model: {Path.GetFullPath(run.Settings.ModelFile!)} ({run.Model.Network.Architecture})");
            return (run.Model, run.Plan);
        }

        var training = run.Training!;
        events.Status($"training {training.Architecture} ({training.Preset.Name()}, {training.Epochs} epochs) on {run.Data.Train.Name}");
        var result = trainer.Train(training, events.Training(), CancellationToken.None);
        var modelPath = Path.Combine(run.Folder, "model.safetensors");
        ModelFile.Save(result.Model, modelPath);
        trained(modelPath);
        OutputFiles.WriteText(Path.Combine(run.Folder, "training.json"), result.Report.ToJson());
        events.Status(string.Create(CultureInfo.InvariantCulture,
            $"trained: surrogate test accuracy {result.Report.SurrogateTestAccuracy:P2}; model written to {modelPath}"));
        return (result.Model, Preflight.PlanPartitions(result.Model.Network, run.Settings.Partitions));
    }

    /// <summary>The cluster run, the verification against the Core reference with the same plan, and the files.</summary>
    private RunReport Simulate(PreparedRun run, SnnModel model, PartitionPlan plan, string? trainedModel)
    {
        var settings = run.Settings;
        var test = run.Data.Test;
        var n = Math.Min(settings.Limit ?? test.Count, test.Count);
        var inputs = test.NormaliseRange(0, n, model.Normalisation);
        var labels = Preflight.Labels(test, n);
        var options = new RunOptions(settings.Batch, settings.Cluster.InFlight, RecordSpikes: false);
        var outcome = ClusterLauncher.Run(model, plan, inputs, n, options, settings.Cluster, run.Faults, events);

        ResultComparison? verification = null;
        double referenceSeconds = 0;
        if (settings.Verify)
        {
            var clock = Stopwatch.StartNew();
            var reference = new EventDrivenSimulator().Run(model, inputs, n, new SimulationOptions(settings.Batch, Faults: run.Faults));
            referenceSeconds = clock.Elapsed.TotalSeconds;
            verification = reference.Compare(outcome.Result);
        }

        var report = RunReports.Build(model, plan, outcome, labels, verification, referenceSeconds) with { TrainedModel = trainedModel };
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
        RunReports.WriteLinksCsv(Path.Combine(run.Folder, "links.csv"), outcome, plan);
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
