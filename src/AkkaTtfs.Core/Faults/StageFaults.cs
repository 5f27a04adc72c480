using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Faults;

/// <summary>
/// The spike and neuron faults of one stage kernel (a whole layer or a partition's block), ready for
/// <see cref="StageKernel.Fire(ReadOnlySpan{float}, int, Span{int}, IStageFaultHook?, int)"/> (it is that kernel's <see cref="IStageFaultHook"/>). Built by
/// <see cref="FaultPlan.ForKernel"/>; immutable, so one instance may serve every batch.
/// </summary>
/// <remarks>
/// Neuron faults (inside firing, after the closed-form time, before pooling): neuron n (pre-pooling index
/// [c][y][x]) of layer l is selected by entry i iff U(seed, i, l, 0, NoSample, n) &lt; rate, the same
/// neurons for every sample; the fault acts on the samples of its schedule. On one neuron, several drift
/// entries multiply their factors (their logarithms add, in plan order), a stuck entry overrides drift and
/// a dead entry overrides both. Spike faults (after pooling, before routing): the spike of pooled neuron m of
/// layer l in global sample s is hit by entry i iff U(seed, i, l, 0, s, m) &lt; rate; entries apply in plan
/// order, and a spike one entry removes is not seen by the next. A duplicate doubles the spike's copies; the
/// copies share the spike's key, so every later entry draws once for them and treats them alike (a drop removes
/// all, a delay or jitter moves all the same way, a second duplicate doubles them again).
/// </remarks>
public sealed class StageFaults : IStageFaultHook
{
    private readonly NeuronFault[] _neuronFaults;     // ordered: drift, then stuck, then dead (plan order within a kind)
    private readonly SpikeFault[] _spikeFaults;       // plan order
    private readonly TemporalKernel _kernel;
    private readonly int _localNeurons;

    private sealed record NeuronFault(FaultSpec Spec, int[] Local, double LogFactor);

    private sealed record SpikeFault(FaultSpec Spec, ulong HitPrefix, ulong ValuePrefix, ulong Threshold);

    internal StageFaults(FaultPlan plan, StageKernel kernel)
    {
        Stage = kernel.Stage.Index;
        Block = kernel.Block;
        _kernel = kernel.FiringKernel ?? throw new ArgumentException($"stage {Stage} is the output layer; it does not fire", nameof(kernel));
        _localNeurons = kernel.LocalNeuronCount;
        var map = kernel.LocalToGlobal;
        var neuron = new List<(int Order, int Entry, NeuronFault Fault)>();
        var spike = new List<SpikeFault>();
        for (var i = 0; i < plan.Faults.Count; i++)
        {
            var f = plan.Faults[i];
            if (f.Layer != Stage || f.Level == FaultLevel.Weight) continue;
            if (f.Level == FaultLevel.Spike)
            {
                spike.Add(new SpikeFault(f, FaultDraw.Prefix(plan.Seed, i, Stage, 0), FaultDraw.Prefix(plan.Seed, i, Stage, 1), FaultDraw.Threshold(f.Rate)));
                continue;
            }

            var prefix = FaultDraw.Prefix(plan.Seed, i, Stage, 0);
            var local = new List<int>();
            for (var p = 0; p < map.Length; p++)
            {
                if (FaultDraw.Uniform(prefix, FaultDraw.NoSample, map[p]) < f.Rate) local.Add(p);
            }

            var order = f.Kind switch { FaultKind.Drift => 0, FaultKind.Stuck => 1, _ => 2 };
            neuron.Add((order, i, new NeuronFault(f, local.ToArray(), f.Kind == FaultKind.Drift ? Math.Log(f.Factor) : 0)));
        }

        _neuronFaults = neuron.OrderBy(n => n.Order).ThenBy(n => n.Entry).Select(n => n.Fault).ToArray();
        _spikeFaults = spike.ToArray();
        HasDuplicateFaults = spike.Any(f => f.Spec.Kind == FaultKind.Duplicate);
    }

    /// <summary>The stage (layer) these faults act on.</summary>
    public int Stage { get; }

    /// <summary>The neurons of the kernel they were built for (neuron faults hold indices into its membrane).</summary>
    public NeuronBlock Block { get; }

    /// <summary>True when a neuron fault acts on this stage (in some sample).</summary>
    public bool HasNeuronFaults => _neuronFaults.Length > 0;

    /// <summary>True when a spike fault acts on this stage's emitted spikes (in some sample).</summary>
    public bool HasSpikeFaults => _spikeFaults.Length > 0;

    /// <summary>True when one of them is a duplicate, so that emitted spikes may have copies.</summary>
    public bool HasDuplicateFaults { get; }

    /// <inheritdoc/>
    public IStageFaultPass BeginFiring() => new FaultTally(this);

    /// <summary>
    /// Applies the neuron faults active in global sample <paramref name="sample"/> to one sample's local spike
    /// times (computed without faults from <paramref name="membrane"/>); returns the change of the spike count.
    /// </summary>
    internal long ApplyNeuronFaults(int sample, ReadOnlySpan<float> membrane, Span<int> times, FaultTally tally)
    {
        long delta = 0;
        var drifting = false;
        foreach (var f in _neuronFaults)
        {
            if (!f.Spec.IsActive(sample) || f.Local.Length == 0) continue;
            if (f.Spec.Kind == FaultKind.Drift)
            {
                // Drift entries come first: sum their log factors per neuron, compute each drifted time once.
                tally.LogFactors ??= new double[_localNeurons];
                tally.Stamps ??= new int[_localNeurons];
                if (!drifting)
                {
                    tally.Stamp++;
                    drifting = true;
                }

                foreach (var p in f.Local)
                {
                    if (tally.Stamps[p] != tally.Stamp)
                    {
                        tally.Stamps[p] = tally.Stamp;
                        tally.LogFactors[p] = 0;
                    }

                    tally.LogFactors[p] += f.LogFactor;
                }

                continue;
            }

            if (drifting)
            {
                delta += Redrift(membrane, times, tally);
                drifting = false;
            }

            if (f.Spec.Kind == FaultKind.Stuck)
            {
                foreach (var p in f.Local)
                {
                    if (times[p] == TemporalKernel.NoSpike) delta++;
                    times[p] = 0;
                }

                tally.NeuronsStuck += f.Local.Length;
            }
            else
            {
                foreach (var p in f.Local)
                {
                    if (times[p] != TemporalKernel.NoSpike) delta--;
                    times[p] = TemporalKernel.NoSpike;
                }

                tally.NeuronsKilled += f.Local.Length;
            }
        }

        if (drifting) delta += Redrift(membrane, times, tally);
        return delta;
    }

    /// <summary>Recomputes the time of every neuron marked with the tally's current stamp, with its summed log factor.</summary>
    private long Redrift(ReadOnlySpan<float> membrane, Span<int> times, FaultTally tally)
    {
        long delta = 0;
        var stamps = tally.Stamps!;
        var logs = tally.LogFactors!;
        for (var p = 0; p < stamps.Length; p++)
        {
            if (stamps[p] != tally.Stamp) continue;
            var before = times[p];
            var after = EncodeDrifted(_kernel, membrane[p], logs[p]);
            times[p] = after;
            delta += (after != TemporalKernel.NoSpike ? 1 : 0) - (before != TemporalKernel.NoSpike ? 1 : 0);
            tally.NeuronsDrifted++;
        }

        return delta;
    }

    /// <summary>
    /// The spike time of potential <paramref name="u"/> with the threshold scaled by exp(<paramref name="logFactor"/>):
    /// Q(td - tau (ln u - ln factor)) in double, no spike when u &lt;= 0 or the time is past T-1. With
    /// factor 1 (log 0) this is exactly <see cref="TemporalKernel.Encode"/>.
    /// </summary>
    public static int EncodeDrifted(TemporalKernel kernel, float u, double logFactor)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (!(u > 0)) return TemporalKernel.NoSpike;
        var r = TemporalKernel.Q(kernel.Td - (kernel.Tau * (Math.Log(u) - logFactor)));
        return r <= kernel.T - 1 ? r : TemporalKernel.NoSpike;
    }

    /// <summary>
    /// Applies the spike faults active in global sample <paramref name="sample"/> to that sample's pooled spikes
    /// (<paramref name="count"/> of them, ascending neurons in <paramref name="neurons"/>, relative times in
    /// <paramref name="times"/>, copies in <paramref name="copies"/>), in place: spikes that are dropped or late are
    /// removed (the order of the others is kept), a duplicated spike's copies double. Returns the number of spikes
    /// left. Entry i hits the spike of neuron m iff U(seed, i, layer, 0, sample, m) &lt; rate. Entries are applied
    /// one after the other to every spike, which is the same as applying them in plan order to each spike, since
    /// no spike's fate depends on another's. Counters count copies (a spike of c copies that is dropped adds c).
    /// </summary>
    /// <param name="copies">Each spike's copies, 1 on entry; empty when no duplicate acts here (every spike is then one copy).</param>
    internal int ApplySpikeFaults(int sample, Span<int> neurons, Span<int> times, Span<int> copies, int count, FaultTally tally)
    {
        var last = _kernel.T - 1;
        var tracked = !copies.IsEmpty;
        foreach (var f in _spikeFaults)
        {
            var spec = f.Spec;
            if (!spec.IsActive(sample)) continue;
            var hit = FaultDraw.Absorb(f.HitPrefix, sample);
            var threshold = f.Threshold;                  // U < rate, in integers: (h >> 11) < ceil(rate 2^53)
            var kept = 0;
            for (var j = 0; j < count; j++)
            {
                var neuron = neurons[j];
                var time = times[j];
                var copy = tracked ? copies[j] : 1;
                if ((FaultDraw.Absorb(hit, neuron) >> 11) < threshold)
                {
                    if (spec.Kind == FaultKind.Drop)
                    {
                        tally.SpikesDropped += copy;
                        continue;
                    }

                    if (spec.Kind == FaultKind.Duplicate)
                    {
                        // Every copy is delivered twice; FaultPlan.MaxDuplicatesPerLayer keeps this within a byte.
                        tally.SpikesDuplicated += copy;
                        copy *= 2;
                    }
                    else if (spec.Kind == FaultKind.Delay)
                    {
                        // A delay of 0 steps moves nothing: not counted, as a jitter offset of 0 is not.
                        if (spec.Steps > 0) tally.SpikesDelayed += copy;
                        time += spec.Steps;
                    }
                    else
                    {
                        var value = FaultDraw.Absorb(FaultDraw.Absorb(f.ValuePrefix, sample), neuron);
                        var offset = (int)(FaultDraw.ToUnit(value) * ((2 * spec.Steps) + 1)) - spec.Steps;
                        var moved = Math.Max(0, time + offset);
                        if (moved != time) tally.SpikesJittered += copy;
                        time = moved;
                    }

                    if (time > last)
                    {
                        tally.SpikesLate += copy;
                        continue;
                    }
                }

                neurons[kept] = neuron;
                times[kept] = time;
                if (tracked) copies[kept] = copy;
                kept++;
            }

            count = kept;
        }

        return count;
    }
}

/// <summary>Mutable tally a firing pass accumulates into (with its scratch buffers); <see cref="Counters"/> reads it.</summary>
internal sealed class FaultTally(StageFaults faults) : IStageFaultPass
{
    public double[]? LogFactors;
    public int[]? Stamps;
    public int Stamp;

    public long SpikesDropped;
    public long SpikesDelayed;
    public long SpikesLate;
    public long SpikesJittered;
    public long NeuronsKilled;
    public long NeuronsStuck;
    public long NeuronsDrifted;
    public long SpikesDuplicated;

    public long ApplyNeuronFaults(int sample, ReadOnlySpan<float> membrane, Span<int> times) => faults.ApplyNeuronFaults(sample, membrane, times, this);

    public int ApplySpikeFaults(int sample, Span<int> neurons, Span<int> times, Span<int> copies, int count) =>
        faults.ApplySpikeFaults(sample, neurons, times, copies, count, this);

    public FaultCounters Counters =>
        new(SpikesDropped, SpikesDelayed, SpikesLate, SpikesJittered, NeuronsKilled, NeuronsStuck, NeuronsDrifted, 0, 0, SpikesDuplicated);
}
