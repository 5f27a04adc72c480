namespace AkkaTtfs.Core.Training;

/// <summary>What one epoch measured on the validation split; null when there is no validation split.</summary>
/// <param name="Accuracy">Validation accuracy, a fraction in [0, 1].</param>
/// <param name="SpikesPerSample">Hidden spikes per validation sample.</param>
public readonly record struct EpochScore(double? Accuracy, double? SpikesPerSample);

/// <summary>
/// Applies a <see cref="CheckpointRule"/> to the per-epoch validation scores (pure functions, no training).
/// Only epochs from <c>firstSelectable</c> on count: those in which the preset's whole method is in force
/// (<see cref="TrainingSchedule.FirstSelectableEpoch"/>). Without validation scores every rule keeps the last epoch.
/// </summary>
public static class CheckpointSelection
{
    /// <summary>Accuracies are k / n; this absorbs the rounding of "best - DROP / 100" so that an epoch exactly DROP below the best is within.</summary>
    private const double Tolerance = 1e-9;

    /// <summary>The 0-based epoch the rule keeps, given every epoch's scores (index = epoch).</summary>
    /// <exception cref="ArgumentException">No epoch, or <paramref name="firstSelectable"/> outside the epochs.</exception>
    public static int Select(CheckpointRule rule, IReadOnlyList<EpochScore> epochs, int firstSelectable)
    {
        Check(rule, epochs, firstSelectable);
        var last = epochs.Count - 1;
        if (rule.Kind == KeepKind.Last || !HasScores(epochs, firstSelectable, rule.Kind)) return last;
        if (rule.Kind == KeepKind.Best)
        {
            var best = firstSelectable;
            for (var e = firstSelectable + 1; e <= last; e++)
            {
                if (epochs[e].Accuracy >= epochs[best].Accuracy) best = e;
            }

            return best;
        }

        var floor = BestAccuracy(epochs, firstSelectable) - (rule.DropPoints / 100) - Tolerance;
        var kept = -1;
        for (var e = firstSelectable; e <= last; e++)
        {
            if (epochs[e].Accuracy >= floor && (kept < 0 || !Beats(epochs[kept], epochs[e]))) kept = e;
        }

        return kept;
    }

    /// <summary>
    /// The epochs of a run so far (<paramref name="epochs"/>, a prefix) that <see cref="Select"/> may still
    /// return once more epochs follow: the trainer keeps a checkpoint of these and only these. An efficient
    /// epoch drops out once it is more than DROP below the best so far or once an epoch at least as accurate
    /// beats it on spikes (then, whatever follows, that epoch is within DROP whenever it is, and preferred).
    /// </summary>
    public static IReadOnlyList<int> Candidates(CheckpointRule rule, IReadOnlyList<EpochScore> epochs, int firstSelectable)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(epochs);
        if (epochs.Count <= firstSelectable) return [];
        Check(rule, epochs, firstSelectable);
        if (rule.Kind != KeepKind.Efficient || !HasScores(epochs, firstSelectable, rule.Kind)) return [Select(rule, epochs, firstSelectable)];
        var floor = BestAccuracy(epochs, firstSelectable) - (rule.DropPoints / 100) - Tolerance;
        var candidates = new List<int>();
        for (var e = firstSelectable; e < epochs.Count; e++)
        {
            if (!(epochs[e].Accuracy >= floor)) continue;
            var dominated = false;
            for (var o = firstSelectable; o < epochs.Count && !dominated; o++)
            {
                // o is in the window whenever e is (at least as accurate) and preferred to e (Beats, later epoch on a full tie).
                dominated = o != e && epochs[o].Accuracy >= epochs[e].Accuracy && (Beats(epochs[o], epochs[e]) || (o > e && Ties(epochs[o], epochs[e])));
            }

            if (!dominated) candidates.Add(e);
        }

        return candidates;
    }

    /// <summary>Fewer spikes; on equal spikes, higher accuracy. (A full tie goes to the later epoch, decided by the caller.)</summary>
    private static bool Beats(EpochScore a, EpochScore b) =>
        a.SpikesPerSample < b.SpikesPerSample || (a.SpikesPerSample == b.SpikesPerSample && a.Accuracy > b.Accuracy);

    private static bool Ties(EpochScore a, EpochScore b) => a.SpikesPerSample == b.SpikesPerSample && a.Accuracy == b.Accuracy;

    private static double BestAccuracy(IReadOnlyList<EpochScore> epochs, int firstSelectable)
    {
        var best = double.NegativeInfinity;
        for (var e = firstSelectable; e < epochs.Count; e++) best = Math.Max(best, epochs[e].Accuracy!.Value);
        return best;
    }

    /// <summary>Every selectable epoch has a finite accuracy (and, for the efficient rule, finite spikes): otherwise the rule falls back to the last epoch.</summary>
    private static bool HasScores(IReadOnlyList<EpochScore> epochs, int firstSelectable, KeepKind kind)
    {
        for (var e = firstSelectable; e < epochs.Count; e++)
        {
            if (epochs[e].Accuracy is not { } a || !double.IsFinite(a)) return false;
            if (kind == KeepKind.Efficient && (epochs[e].SpikesPerSample is not { } s || !double.IsFinite(s))) return false;
        }

        return true;
    }

    private static void Check(CheckpointRule rule, IReadOnlyList<EpochScore> epochs, int firstSelectable)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(epochs);
        if (epochs.Count == 0) throw new ArgumentException("no epoch to select from", nameof(epochs));
        if (firstSelectable < 0 || firstSelectable >= epochs.Count)
            throw new ArgumentException($"first selectable epoch {firstSelectable} is outside the {epochs.Count} epochs", nameof(firstSelectable));
        if (!(rule.DropPoints >= 0) || !double.IsFinite(rule.DropPoints))
            throw new ArgumentException($"DROP {rule.DropPoints} is not a number of points >= 0", nameof(rule));
    }
}
