using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Engines;

/// <summary>The firing half of the stage step: closed-form spike times, first-spike max pooling, the faults that act there.</summary>
public sealed partial class StageKernel
{
    /// <summary>
    /// Closes the integration window: computes each neuron's spike time in closed form, counts spikes,
    /// optionally keeps every local spike time, and returns the spikes the next stage receives
    /// (after first-spike max pooling; neuron indices in the stage's output space, ascending).
    /// </summary>
    /// <param name="membrane">Membranes of every sample, as integrated.</param>
    /// <param name="samples">Number of samples in the batch.</param>
    /// <param name="localTimes">If given (length samples x <see cref="LocalNeuronCount"/>), receives every local neuron's time (-1 none).</param>
    public FiredSpikes Fire(ReadOnlySpan<float> membrane, int samples, Span<int> localTimes = default) =>
        Fire(membrane, samples, localTimes, null, 0);

    /// <summary>
    /// <see cref="Fire(ReadOnlySpan{float}, int, Span{int})"/> with injected faults: neuron faults change the
    /// closed-form times before pooling (so pooling, the spike count and <paramref name="localTimes"/> see the
    /// faulty times), spike faults act on the pooled spikes before they leave (so every target partition gets
    /// the same faulty spike, and each is counted once). Draws are keyed by global sample index
    /// (<paramref name="firstSample"/> + s), layer and global neuron, so they do not depend on how the
    /// layer is partitioned or batched.
    /// </summary>
    /// <param name="membrane">Membranes of every sample, as integrated.</param>
    /// <param name="samples">Number of samples in the batch.</param>
    /// <param name="localTimes">If given, receives every local neuron's time (-1 none), after neuron faults.</param>
    /// <param name="faults">This kernel's faults (<see cref="IFaultInjection.ForKernel"/>); null: none.</param>
    /// <param name="firstSample">Global index of the batch's first sample.</param>
    public FiredSpikes Fire(ReadOnlySpan<float> membrane, int samples, Span<int> localTimes, IStageFaultHook? faults, int firstSample)
    {
        if (faults is not null && (faults.Stage != Stage.Index || faults.Block != Block))
            throw new ArgumentException($"faults built for stage {faults.Stage} {faults.Block} given to the kernel of stage {Stage.Index} {Block}", nameof(faults));
        var pass = faults?.BeginFiring();
        var neuronFaults = faults is { HasNeuronFaults: true };
        var spikeFaults = faults is { HasSpikeFaults: true };
        var pooledCount = Block.ChannelCount * (Block.RowEnd - Block.RowStart) * (Block.ColEnd - Block.ColStart);
        var heldNeurons = new int[pooledCount];
        var heldTimes = new int[pooledCount];
        var heldCopies = faults is { HasDuplicateFaults: true } ? new int[pooledCount] : null;   // copies tracked only where a duplicate can act
        var kernel = FiringKernel ?? throw new InvalidOperationException($"stage {Stage.Index} is the output layer; it does not fire");
        var perSample = LocalNeuronCount;
        var record = !localTimes.IsEmpty;
        if (record && localTimes.Length != samples * perSample)
            throw new ArgumentException($"local time buffer holds {localTimes.Length}, expected {samples} x {perSample}");
        var times = new int[perSample];
        var pooledTimes = new int[pooledCount];
        var builder = new SpikeBatchBuilder(samples, samples * Math.Max(16, pooledCount / 4));   // grows if more than a quarter spike
        var stepSpikes = new long[kernel.T];     // spikes per time step of the window: the layer's temporal profile
        var thresholds = _thresholds!;
        long spikes = 0;
        for (var s = 0; s < samples; s++)
        {
            var u = membrane.Slice(s * perSample, perSample);
            // Neuron faults may move spikes, so the temporal profile is counted after them.
            spikes += thresholds.Encode(u, times, neuronFaults ? default : stepSpikes);
            if (neuronFaults)
            {
                // Counted after the faults moved, dropped or added spikes, as the spike count is.
                spikes += pass!.ApplyNeuronFaults(firstSample + s, u, times);
                SpikeTimeThresholds.Tally(times, stepSpikes);
            }

            if (record) times.CopyTo(localTimes.Slice(s * perSample, perSample));
            var held = Pool(times, pooledTimes, heldNeurons, heldTimes);
            if (!spikeFaults) builder.AddRange(heldNeurons.AsSpan(0, held), heldTimes.AsSpan(0, held));
            else EmitFaulted(pass!, firstSample + s, builder, heldNeurons, heldTimes, heldCopies, held);

            builder.EndSample();
        }

        return new FiredSpikes(builder.Build(), spikes, pass?.Counters ?? default, stepSpikes);
    }

    /// <summary>
    /// First-spike max pooling of one sample's local times: of a region only the earliest spike passes (the pooled
    /// neuron carries the earliest time, whichever cell had it). The pooled spikes are held in the two arrays (one
    /// slot per pooled neuron), in ascending pooled index; returns how many. <paramref name="pooledTimes"/> is
    /// scratch of one time per pooled neuron.
    /// </summary>
    private int Pool(int[] times, int[] pooledTimes, int[] heldNeurons, int[] heldTimes)
    {
        var g = Geometry;
        var pool = g.Pool;
        var channels = LocalChannels;
        var rows = Block.RowEnd - Block.RowStart;
        var cols = Block.ColEnd - Block.ColStart;
        // Regions first, all channels at once ([pooled row][pooled col][channel], as the membrane is laid out).
        for (var py = 0; py < rows; py++)
        {
            for (var px = 0; px < cols; px++)
            {
                var region = pooledTimes.AsSpan(((py * cols) + px) * channels, channels);
                for (var dy = 0; dy < pool; dy++)
                {
                    var cell = ((((py * pool) + dy) * LocalWidth) + (px * pool)) * channels;
                    for (var dx = 0; dx < pool; dx++)
                    {
                        var source = times.AsSpan(cell + (dx * channels), channels);
                        if (dy == 0 && dx == 0) source.CopyTo(region);
                        else EarliestInto(source, region);
                    }
                }
            }
        }

        // Then out in ascending pooled index: channel, row, column (every region is written, only spikes advance).
        var held = 0;
        for (var lo = 0; lo < channels; lo++)
        {
            var c = Block.ChannelStart + lo;
            for (var py = 0; py < rows; py++)
            {
                var pooled = g.PooledIndex(c, Block.RowStart + py, Block.ColStart);
                var region = (py * cols * channels) + lo;
                for (var px = 0; px < cols; px++)
                {
                    var earliest = pooledTimes[region + (px * channels)];
                    heldNeurons[held] = pooled + px;
                    heldTimes[held] = earliest;
                    held += earliest != TemporalKernel.NoSpike ? 1 : 0;
                }
            }
        }

        return held;
    }

    /// <summary>region[j] = the earlier of region[j] and times[j], where NoSpike (-1, the largest value as unsigned) is latest.</summary>
    private static void EarliestInto(ReadOnlySpan<int> times, Span<int> region)
    {
        var a = MemoryMarshal.Cast<int, uint>(times);
        var b = MemoryMarshal.Cast<int, uint>(region);
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j <= a.Length - Vector<uint>.Count; j += Vector<uint>.Count)
            {
                Vector.Min(new Vector<uint>(a[j..]), new Vector<uint>(b[j..])).CopyTo(b[j..]);
            }
        }

        for (; j < a.Length; j++) b[j] = Math.Min(a[j], b[j]);
    }

    /// <summary>A sample's held pooled spikes after the spike faults acted on them (each starts as one copy).</summary>
    private static void EmitFaulted(IStageFaultPass pass, int sample, SpikeBatchBuilder builder, int[] heldNeurons, int[] heldTimes, int[]? heldCopies, int held)
    {
        // Every held spike starts as one copy; set here, not in the pooling loop, which stays as without faults.
        heldCopies?.AsSpan(0, held).Fill(1);
        held = pass.ApplySpikeFaults(sample, heldNeurons, heldTimes, heldCopies, held);
        if (heldCopies is null)
        {
            for (var k = 0; k < held; k++) builder.Add(heldNeurons[k], heldTimes[k]);
        }
        else
        {
            for (var k = 0; k < held; k++) builder.Add(heldNeurons[k], heldTimes[k], heldCopies[k]);
        }
    }
}
