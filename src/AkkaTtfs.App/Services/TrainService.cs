using System.Globalization;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Training;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.App.Services;

/// <summary>What <c>train</c> is asked to do, as given (unchecked).</summary>
public sealed record TrainSettings
{
    public required TrainingOptions Training { get; init; }

    /// <summary>The model file; null: runs/&lt;data&gt;-&lt;arch&gt;-&lt;preset&gt;-s&lt;seed&gt;.safetensors.</summary>
    public string? ModelOut { get; init; }
}

/// <summary>A training whose options, data, architecture and output paths were checked: nothing is written before this exists.</summary>
public sealed class PreparedTraining
{
    internal PreparedTraining(TrainingOptions options, DatasetPair data)
    {
        Options = options;
        Data = data;
    }

    /// <summary>The options, with <see cref="TrainingOptions.OutputPath"/> the model file's full path.</summary>
    public TrainingOptions Options { get; }

    public string ModelPath => Options.OutputPath!;

    internal DatasetPair Data { get; }
}

/// <summary>What <c>train</c> produced: its report and the files written (the epoch plot null when none could be drawn).</summary>
public sealed record TrainOutcome(TrainingReport Report, string ModelPath, string ReportPath, string? PlotPath);

/// <summary>
/// <c>train</c>: train the surrogate DNN with <see cref="SurrogateTrainer"/> (on the data <see cref="Prepare"/> loaded), convert and evaluate it, and
/// write the model file, its JSON report and the epoch plot; and the training throughput measurement.
/// </summary>
public sealed class TrainService(SurrogateTrainer trainer, IAppEvents events)
{
    /// <summary>
    /// Every check before a folder is made or a line says "training": the options, the output paths (a folder
    /// given as the model would otherwise fail only when the model is written, minutes later), the data and the
    /// architecture against it.
    /// </summary>
    public static PreparedTraining Prepare(TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Training;
        options.Validate();
        var path = settings.ModelOut is { } given ? Path.GetFullPath(given) : DefaultModelPath(options);
        if (Directory.Exists(path)) throw new UsageException($"--out {path} is a folder; give the model file's name (e.g. {Path.Combine(path, "model.safetensors")})");
        foreach (var extra in new[] { SurrogateTrainer.ReportPathFor(path), EpochPlot.PathFor(path) })
        {
            if (Directory.Exists(extra)) throw new UsageException($"{extra} would be written next to the model, but it is a folder; choose another --out");
        }

        var pair = DatasetCatalog.Load(options.Data);
        TrainingPlan.Create(pair, options);
        return new PreparedTraining(options with { OutputPath = path }, pair);
    }

    /// <summary>
    /// Trains (epoch progress through <see cref="IAppEvents.Training"/>), writes the model, its report and the
    /// epoch plot. Cancelling <paramref name="ct"/> stops training between mini-batches; nothing is written then,
    /// and a folder made for the model goes again.
    /// </summary>
    public TrainOutcome Execute(PreparedTraining prepared, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var o = prepared.Options;
        var folder = OutputFolder.Create(Path.GetDirectoryName(prepared.ModelPath)!);
        events.Status($"training {o.Architecture} ({o.Preset.Name()}) on {o.Data}: {o.Epochs} epochs, " +
                      $"E_sr {o.ResolvedSrEpochs}, E_k {o.ResolvedKernelEpoch}, batch {o.BatchSize}, lr {o.LearningRate}, " +
                      $"lambda_TR {o.LambdaTr}, lambda_TB {o.LambdaTb}, keep {o.ResolvedKeep}, seed {o.Seed}, {o.Threads} libtorch thread(s)");
        TrainingResult? result = null;
        try
        {
            result = trainer.Train(prepared.Data, o, events.Training(), ct);
        }
        catch (OperationCanceledException)
        {
            events.Status("training cancelled; nothing written");
            throw;
        }
        finally
        {
            if (result is null && folder.RemoveIfCreated() is { } note) events.Status($"note: {note}");
        }

        var report = result.Report;
        var plotPath = EpochPlot.PathFor(report.ModelPath!);
        return new TrainOutcome(report, report.ModelPath!, SurrogateTrainer.ReportPathFor(report.ModelPath!), EpochPlot.Write(report, plotPath) ? plotPath : null);
    }

    /// <summary>Training samples/s of the surrogate and of plain ReLU (<see cref="ThroughputBenchmark"/>); trains nothing, writes nothing.</summary>
    public ThroughputResult MeasureThroughput(TrainingOptions options, int rounds)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (rounds < 1) throw new UsageException("--throughput-rounds must be >= 1");
        var data = DatasetCatalog.Load(options.Data);
        events.Status($"measuring training throughput of {options.Architecture} on {options.Data}: batch {options.BatchSize}, {options.Threads} libtorch thread(s), {rounds} rounds of 20 steps each");
        return ThroughputBenchmark.Run(data, options, rounds);
    }

    private static string DefaultModelPath(TrainingOptions options)
    {
        var data = Path.GetFileName(Path.TrimEndingDirectorySeparator(options.Data));
        var name = string.Create(CultureInfo.InvariantCulture, $"{data}-{options.Architecture}-{options.Preset.Name()}-s{options.Seed}").Replace('+', '_');
        foreach (var c in Path.GetInvalidFileNameChars()) name = name.Replace(c, '_');
        return Path.GetFullPath(Path.Combine("runs", name + ".safetensors"));
    }
}
