using System.Globalization;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Training;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.App.Services;

/// <summary>What <c>tradeoff</c> is asked to do, as given (unchecked): the lists as typed, the options every run shares.</summary>
public sealed record TradeoffSettings
{
    /// <summary>Data, architecture, epochs, E_sr, E_k, keep rule, threads and limits of every run (preset, lambda_TB and seed are the sweep's).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Comma-separated lambda_TB values, one SR+TR+TB model each.</summary>
    public string LambdaTb { get; init; } = "0,1e-3,1e-2,1e-1,1";

    /// <summary>Comma-separated training seeds.</summary>
    public string Seeds { get; init; } = "1";

    /// <summary>Reference runs per seed: "sm", "relu", both ("sm,relu") or "none".</summary>
    public string References { get; init; } = "sm,relu";

    /// <summary>Keep every run's model and training report in &lt;folder&gt;/models/.</summary>
    public bool KeepModels { get; init; } = true;

    /// <summary>The results folder; null: runs/tradeoff-&lt;data&gt;-&lt;arch&gt;-&lt;epochs&gt;e.</summary>
    public string? OutFolder { get; init; }
}

/// <summary>A sweep whose lists, options, data, architecture and folder were checked: nothing is trained or written before this exists.</summary>
public sealed record PreparedTradeoff(TradeoffSettings Settings, double[] Lambdas, int[] Seeds, IReadOnlyList<TradeoffEntry> Entries, string Folder, TrainingPlan Plan);

/// <summary>What <c>tradeoff</c> produced: the report, its folder, and whether the plot could be drawn.</summary>
public sealed record TradeoffOutcome(TradeoffReport Report, string Folder, bool Plotted);

/// <summary>
/// <c>tradeoff</c>: the accuracy / spikes trade-off of the method. Trains one SR+TR+TB model per lambda_TB and
/// seed (plus SM and the plain ReLU network per seed as references) through the injected <see cref="ITrainer"/>,
/// one at a time, and writes tradeoff.json, tradeoff.csv, tradeoff-points.csv and tradeoff.png
/// (<see cref="TradeoffWriter"/>). A line per epoch and per finished run leaves as a status line.
/// </summary>
public sealed class TradeoffService(ITrainer trainer, IAppEvents events)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The lists, every preset's options, the output folder and the architecture against the data, before any folder or training.</summary>
    public static PreparedTradeoff Prepare(TradeoffSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var lambdas = ParseList(settings.LambdaTb, "--lambda-tb", s => double.Parse(s, NumberStyles.Float, Inv));
        var seeds = ParseList(settings.Seeds, "--seeds", s => int.Parse(s, NumberStyles.Integer, Inv));
        var refs = settings.References;
        var entries = TradeoffSweep.Plan(lambdas, seeds, refs.Contains("sm", StringComparison.Ordinal), refs.Contains("relu", StringComparison.Ordinal));
        var options = settings.Training;
        foreach (var preset in entries.Select(e => e.Preset).Distinct()) (options with { Preset = preset }).Validate();
        var folder = settings.OutFolder is { } given ? Path.GetFullPath(given) : DefaultFolder(options);
        if (File.Exists(folder)) throw new UsageException($"--out {folder} is a file; give a folder");
        var plan = TrainingPlan.Create(DatasetCatalog.Load(options.Data), options);
        return new PreparedTradeoff(settings, lambdas, seeds, entries, folder, plan);
    }

    /// <summary>
    /// Trains and evaluates every entry, then writes the results as one <see cref="OutputSet"/>. A failed or cancelled
    /// sweep (<paramref name="ct"/>: Ctrl+C) leaves nothing it made: the model files it wrote so far, its results and
    /// the folders it created go again (files that were there before stay).
    /// </summary>
    public TradeoffOutcome Execute(PreparedTradeoff prepared, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var s = prepared.Settings;
        var options = s.Training;
        var folder = prepared.Folder;
        var modelsFolder = Path.Combine(folder, "models");
        var before = Directory.Exists(modelsFolder) ? Directory.GetFiles(modelsFolder).ToHashSet(StringComparer.Ordinal) : [];
        var outFolder = OutputFolder.Create(folder);
        var models = s.KeepModels ? OutputFolder.Create(modelsFolder) : null;
        var tbKeep = options.Keep ?? CheckpointRule.DefaultFor(TrainingPreset.SrTrTb);
        events.Status(string.Create(Inv,
            $"trade-off: {prepared.Entries.Count} trainings of {options.Architecture} on {options.Data}, {options.Epochs} epochs each (E_sr {options.ResolvedSrEpochs}, " +
            $"E_k {options.ResolvedKernelEpoch}), lambda_TB {string.Join(",", prepared.Lambdas)}, seeds {string.Join(",", prepared.Seeds)}, references {s.References}, keep {tbKeep}"));
        var loadBefore = MachineInfo.ReadLoadAverage();
        try
        {
            var runs = TradeoffSweep.Train(trainer, options, prepared.Entries,
                e => s.KeepModels ? Path.Combine(modelsFolder, e.FileStem + ".safetensors") : null, new ProgressLines(events), ct);
            var report = Report(prepared, tbKeep, runs, loadBefore);
            bool plotted;
            using (var outputs = OutputSet.Begin())
            {
                TradeoffWriter.WriteData(report, folder);
                plotted = TradeoffWriter.WritePlot(report, folder);
                ct.ThrowIfCancellationRequested();
                outputs.Commit();
            }

            return new TradeoffOutcome(report, folder, plotted);
        }
        catch
        {
            RemoveNewFiles(modelsFolder, before);
            if (models?.RemoveIfCreated() is { } note) events.Status($"note: {note}");
            if (outFolder.RemoveIfCreated() is { } outNote) events.Status($"note: {outNote}");
            throw;
        }
    }

    /// <summary>The files of <paramref name="folder"/> that were not there before the sweep (its model files and their reports).</summary>
    private static void RemoveNewFiles(string folder, HashSet<string> before)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.GetFiles(folder).Where(f => !before.Contains(f)))
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The sweep's own failure is the one to report; the folder then stays with what could not go.
            }
        }
    }

    private static TradeoffReport Report(PreparedTradeoff prepared, CheckpointRule tbKeep, IReadOnlyList<TradeoffRun> runs, string loadBefore)
    {
        var options = prepared.Settings.Training;
        return new TradeoffReport
        {
            Dataset = prepared.Plan.DatasetName,
            Architecture = prepared.Plan.Network.Architecture,
            Epochs = options.Epochs,
            Schedule = string.Create(Inv, $"E_sr {options.ResolvedSrEpochs}, E_k {options.ResolvedKernelEpoch}, Adam lr {options.LearningRate}{LrSchedule(options)}, batch {options.BatchSize}, " +
                                          $"lambda_TR {options.LambdaTr}, validation fraction {options.ValidationFraction}" +
                                          $"{(options.ShiftPixels > 0 ? $", random shift up to {options.ShiftPixels} px" : "")}, {options.Threads} libtorch thread(s)"),
            Keep = tbKeep.ToString(),
            LambdaTb = prepared.Lambdas,
            Seeds = prepared.Seeds,
            TestSamples = prepared.Plan.Test.Count,
            EnergyAccumulatePicojoules = EnergyModel.Default.AccumulatePicojoules,
            EnergyMultiplyAccumulatePicojoules = EnergyModel.Default.MultiplyAccumulatePicojoules,
            Runs = runs,
            Points = TradeoffSweep.Summarise(runs),
            Environment = new Dictionary<string, string>
            {
                ["load_average_before"] = loadBefore,
                ["load_average_after"] = MachineInfo.ReadLoadAverage(),
                ["processor_count"] = Environment.ProcessorCount.ToString(Inv),
            },
        };
    }

    private static string LrSchedule(TrainingOptions o) =>
        o.LearningRateCosineEpoch is { } cosine ? string.Create(Inv, $" (half cosine from epoch {cosine + 1})")
        : o.LearningRateDropEpoch is { } drop ? string.Create(Inv, $" (x{o.LearningRateDropFactor} from epoch {drop + 1})")
        : "";

    private static T[] ParseList<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
            if (values.Length == 0) throw new FormatException();
            return values;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new UsageException($"{option} '{text}' is not a comma-separated list of numbers");
        }
    }

    private static string DefaultFolder(TrainingOptions options)
    {
        var data = Path.GetFileName(Path.TrimEndingDirectorySeparator(options.Data));
        var name = string.Create(Inv, $"tradeoff-{data}-{options.Architecture}-{options.Epochs}e");
        foreach (var c in Path.GetInvalidFileNameChars()) name = name.Replace(c, '_');
        return Path.GetFullPath(Path.Combine("runs", name));
    }

    /// <summary>One line per epoch (compact) and one per finished run, as status lines.</summary>
    private sealed class ProgressLines(IAppEvents events) : IProgress<TradeoffProgress>
    {
        public void Report(TradeoffProgress value)
        {
            var head = string.Create(Inv, $"[{value.Entry.Index + 1}/{value.Total}] {value.Entry.Label} seed {value.Entry.Seed}");
            if (value.Training is { } t)
            {
                events.Status(string.Create(Inv,
                    $"{head}  epoch {t.Epoch + 1}/{t.Epochs}  loss {t.Loss:F4}  val {(t.ValidationAccuracy is { } v ? v.ToString("P2", Inv) : "-")}{(t.IsKept ? "*" : " ")} " +
                    $"spikes {(t.ValidationSpikesPerSample is { } sp ? sp.ToString("F0", Inv) : "-")}  {t.SamplesPerSecond:F0} samples/s  ETA {t.Remaining:mm\\:ss}"));
            }
            else if (value.Run is { } r)
            {
                events.Status(string.Create(Inv,
                    $"{head}: done, kept epoch {r.KeptEpoch}: SNN {r.SnnAccuracy:P2} (DNN {r.DnnAccuracy:P2}, agreement {r.Agreement:P2}), {r.SpikesPerSample:F0} spikes/sample, " +
                    $"{r.TrainingSeconds:F0} s; load {MachineInfo.ReadLoadAverage()}"));
            }
        }
    }
}
