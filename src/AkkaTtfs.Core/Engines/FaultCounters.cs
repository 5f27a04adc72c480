namespace AkkaTtfs.Core.Engines;

/// <summary>
/// How often each injected fault acted, summed over samples (and, in partitioned and distributed runs,
/// over partitions and batches: every count is attributed to exactly one partition, so sums do not
/// depend on the partitioning).
/// </summary>
/// <param name="SpikesDropped">Spikes removed by a drop fault.</param>
/// <param name="SpikesDelayed">Spikes a delay fault moved later (including those it made late).</param>
/// <param name="SpikesLate">Spikes a delay or jitter pushed past the window (r' &gt; T-1): lost.</param>
/// <param name="SpikesJittered">Spikes whose time a jitter fault changed (including those it made late).</param>
/// <param name="NeuronsKilled">Neuron-samples a dead fault silenced (dead neurons times samples in the schedule).</param>
/// <param name="NeuronsStuck">Neuron-samples a stuck fault forced to fire at 0.</param>
/// <param name="NeuronsDrifted">Neuron-samples that fired with a drifted threshold.</param>
/// <param name="WeightsFlipped">Weights with one bit flipped (once per run, not per sample).</param>
/// <param name="WeightsZeroed">Weights set to 0 (once per run, not per sample).</param>
/// <param name="SpikesDuplicated">
/// Copies a duplicate fault added: a hit on a spike adds as many copies as it had (one for a spike not duplicated
/// before). Last, and optional, because it was added after the others: arrays and reports keep their order.
/// </param>
/// <remarks>
/// The spike counters count deliveries (copies): a spike an earlier duplicate entry copied counts once per copy
/// in a later drop, delay, late or jitter count, since it is that many messages. So the pooled spikes a layer
/// emits, minus SpikesDropped and SpikesLate, plus SpikesDuplicated, are its SpikesDelivered.
/// It lives with the engines, not with the faults, because a <see cref="SimulationResult"/> carries it and a
/// <see cref="IStageFaultHook"/> returns it: a plain counter record with no fault logic, so the engines need
/// nothing from Core/Faults.
/// </remarks>
public readonly record struct FaultCounters(
    long SpikesDropped,
    long SpikesDelayed,
    long SpikesLate,
    long SpikesJittered,
    long NeuronsKilled,
    long NeuronsStuck,
    long NeuronsDrifted,
    long WeightsFlipped,
    long WeightsZeroed,
    long SpikesDuplicated = 0)
{
    /// <summary>Names of the counters in <see cref="ToArray"/> order (snake case, as in reports).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "spikes_dropped", "spikes_delayed", "spikes_late", "spikes_jittered",
        "neurons_killed", "neurons_stuck", "neurons_drifted", "weights_flipped", "weights_zeroed",
        "spikes_duplicated",
    ];

    /// <summary>True when no fault acted.</summary>
    public bool IsZero => this == default;

    /// <summary>The counters as a flat array in <see cref="Names"/> order (for a wire message).</summary>
    public long[] ToArray() =>
        [SpikesDropped, SpikesDelayed, SpikesLate, SpikesJittered, NeuronsKilled, NeuronsStuck, NeuronsDrifted, WeightsFlipped, WeightsZeroed, SpikesDuplicated];

    /// <summary>The inverse of <see cref="ToArray"/>; an empty array is all zeros.</summary>
    public static FaultCounters FromArray(ReadOnlySpan<long> values)
    {
        if (values.IsEmpty) return default;
        if (values.Length != Names.Count)
            throw new ArgumentException($"fault counters need {Names.Count} values, got {values.Length}", nameof(values));
        return new FaultCounters(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9]);
    }

    /// <summary>Counter name and value pairs, in <see cref="Names"/> order.</summary>
    public IEnumerable<KeyValuePair<string, long>> Entries()
    {
        var values = ToArray();
        for (var i = 0; i < values.Length; i++) yield return new KeyValuePair<string, long>(Names[i], values[i]);
    }

    /// <summary>Element-wise sum.</summary>
    public static FaultCounters Add(FaultCounters left, FaultCounters right) => new(
        left.SpikesDropped + right.SpikesDropped,
        left.SpikesDelayed + right.SpikesDelayed,
        left.SpikesLate + right.SpikesLate,
        left.SpikesJittered + right.SpikesJittered,
        left.NeuronsKilled + right.NeuronsKilled,
        left.NeuronsStuck + right.NeuronsStuck,
        left.NeuronsDrifted + right.NeuronsDrifted,
        left.WeightsFlipped + right.WeightsFlipped,
        left.WeightsZeroed + right.WeightsZeroed,
        left.SpikesDuplicated + right.SpikesDuplicated);

    public static FaultCounters operator +(FaultCounters left, FaultCounters right) => Add(left, right);

    public override string ToString() => string.Join(", ", Entries().Select(e => $"{e.Key}={e.Value}"));
}
