using System.Globalization;

namespace AkkaTtfs.Core.Training;

/// <summary>One training of a sweep: a preset at one lambda_TB and seed.</summary>
/// <param name="Index">0-based position in the sweep.</param>
public sealed record TradeoffEntry(int Index, TrainingPreset Preset, double LambdaTb, int Seed)
{
    /// <summary>"SR+TR+TB lambda_TB 0.01", "SM", "ReLU": the point the entry belongs to.</summary>
    public string Label => Preset == TrainingPreset.SrTrTb
        ? string.Create(CultureInfo.InvariantCulture, $"{Preset.Name()} lambda_TB {LambdaTb:G4}")
        : Preset.Name();

    /// <summary>A file-name stem: "sr_tr_tb-l0.01-s1", "sm-s1".</summary>
    public string FileStem => Preset == TrainingPreset.SrTrTb
        ? string.Create(CultureInfo.InvariantCulture, $"{Preset.Name().Replace('+', '_').ToLowerInvariant()}-l{LambdaTb:G4}-s{Seed}")
        : string.Create(CultureInfo.InvariantCulture, $"{Preset.Name().Replace('+', '_').ToLowerInvariant()}-s{Seed}");
}

/// <summary>Where a sweep stands: a training's epoch (<see cref="Training"/> set) or a finished run (<see cref="Run"/> set).</summary>
public sealed record TradeoffProgress(TradeoffEntry Entry, int Total, TrainingProgress? Training, TradeoffRun? Run);

/// <summary>
/// The accuracy / spikes trade-off of the method: one SR+TR+TB model per lambda_TB and seed, plus SM and
/// the plain ReLU network per seed as reference points, each evaluated on the test split; then the mean
/// and spread over seeds per point. Orchestration only: training and evaluation are the <see cref="ITrainer"/>'s.
/// </summary>
public static class TradeoffSweep
{
    /// <summary>The trainings in order: per seed, the references (SM, ReLU) first, then lambda_TB ascending as given.</summary>
    public static IReadOnlyList<TradeoffEntry> Plan(IReadOnlyList<double> lambdas, IReadOnlyList<int> seeds, bool sm, bool relu)
    {
        ArgumentNullException.ThrowIfNull(lambdas);
        ArgumentNullException.ThrowIfNull(seeds);
        if (lambdas.Count == 0) throw new ArgumentException("the sweep needs at least one lambda_TB", nameof(lambdas));
        if (seeds.Count == 0) throw new ArgumentException("the sweep needs at least one seed", nameof(seeds));
        if (lambdas.Distinct().Count() != lambdas.Count) throw new ArgumentException($"lambda_TB values repeat: {string.Join(",", lambdas)}", nameof(lambdas));
        if (seeds.Distinct().Count() != seeds.Count) throw new ArgumentException($"seeds repeat: {string.Join(",", seeds)}", nameof(seeds));
        foreach (var lambda in lambdas)
        {
            if (!(lambda >= 0) || !double.IsFinite(lambda))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"lambda_TB {lambda} is not a finite number >= 0"), nameof(lambdas));
        }

        var entries = new List<TradeoffEntry>();
        foreach (var seed in seeds)
        {
            if (sm) entries.Add(new TradeoffEntry(entries.Count, TrainingPreset.Sm, 0, seed));
            if (relu) entries.Add(new TradeoffEntry(entries.Count, TrainingPreset.Relu, 0, seed));
            foreach (var lambda in lambdas) entries.Add(new TradeoffEntry(entries.Count, TrainingPreset.SrTrTb, lambda, seed));
        }

        return entries;
    }

    /// <summary>
    /// Trains and evaluates every entry with <paramref name="baseOptions"/> (preset, lambda_TB, seed and output
    /// path replaced per entry; the references keep their preset's default keep rule unless one is given),
    /// writing each model to <paramref name="modelPath"/>(entry) when that returns a path.
    /// </summary>
    public static IReadOnlyList<TradeoffRun> Train(ITrainer trainer, TrainingOptions baseOptions, IReadOnlyList<TradeoffEntry> entries,
        Func<TradeoffEntry, string?> modelPath, IProgress<TradeoffProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(baseOptions);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(modelPath);
        var runs = new List<TradeoffRun>();
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            var options = baseOptions with
            {
                Preset = entry.Preset,
                LambdaTb = entry.LambdaTb,
                Seed = entry.Seed,
                OutputPath = modelPath(entry),
                Evaluate = true,
                Keep = entry.Preset == TrainingPreset.SrTrTb ? baseOptions.Keep : null,
            };
            var epochs = progress is null ? null : new EpochRelay(progress, entry, entries.Count);
            var result = trainer.Train(options, epochs, ct);
            var run = ToRun(entry, result.Report);
            runs.Add(run);
            progress?.Report(new TradeoffProgress(entry, entries.Count, null, run));
        }

        return runs;
    }

    /// <summary>The numbers of one trained and evaluated model.</summary>
    public static TradeoffRun ToRun(TradeoffEntry entry, TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(report);
        var e = report.Evaluation ?? throw new InvalidOperationException($"{entry.Label} seed {entry.Seed}: the training report has no test evaluation");
        return new TradeoffRun(entry.Preset.Name(), entry.LambdaTb, entry.Seed, report.KeptEpoch, report.KeptValidationAccuracy, report.KeptValidationSpikesPerSample,
            report.SurrogateTestAccuracy, report.SurrogateTestSpikesPerSample, e.DnnAccuracy, e.SnnAccuracy, e.PredictionAgreement, e.SpikesPerSample,
            e.SpikesPerSamplePerLayer, e.SynOpsPerSample, e.DnnMacsPerSample, e.Energy.SnnPicojoules, e.Energy.DnnPicojoules, report.TrainingSeconds, report.ModelPath);
    }

    /// <summary>
    /// Mean and spread over seeds per (preset, lambda_TB), in the order the points first appear. The ReLU
    /// baseline's accuracy and spikes are its own network's (ReLU activations), not its converted SNN's.
    /// </summary>
    public static IReadOnlyList<TradeoffPoint> Summarise(IReadOnlyList<TradeoffRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var groups = runs.GroupBy(r => (r.Preset, r.LambdaTb)).ToArray();
        double? smSpikes = runs.Any(r => r.Preset == TrainingPreset.Sm.Name())
            ? runs.Where(r => r.Preset == TrainingPreset.Sm.Name()).Average(r => r.SpikesPerSample)
            : null;
        return groups.Select(g =>
        {
            var relu = g.Key.Preset == TrainingPreset.Relu.Name();
            var preset = TrainingPresets.Parse(g.Key.Preset);
            var spikes = Spread.Of(g.Select(r => relu ? r.SurrogateTestSpikesPerSample : r.SpikesPerSample).ToArray());
            return new TradeoffPoint(
                new TradeoffEntry(0, preset, g.Key.LambdaTb, 0).Label,
                g.Key.Preset,
                g.Key.LambdaTb,
                g.Count(),
                Spread.Of(g.Select(r => relu ? r.SurrogateTestAccuracy : r.SnnAccuracy).ToArray()),
                spikes,
                Spread.Of(g.Select(r => r.Agreement).ToArray()),
                Spread.Of(g.Select(r => r.SynOpsPerSample).ToArray()),
                Spread.Of(g.Select(r => r.EnergyDnnPicojoules == 0 ? 0 : r.EnergySnnPicojoules / r.EnergyDnnPicojoules).ToArray()),
                smSpikes is { } sm && sm > 0 ? (spikes.Mean / sm) - 1 : null);
        }).ToArray();
    }

    private sealed class EpochRelay(IProgress<TradeoffProgress> sink, TradeoffEntry entry, int total) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.EpochCompleted) sink.Report(new TradeoffProgress(entry, total, value, null));
        }
    }
}
