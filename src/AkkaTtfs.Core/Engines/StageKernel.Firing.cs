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
        var heldNeurons = spikeFaults ? new int[pooledCount] : null;
        var heldTimes = spikeFaults ? new int[pooledCount] : null;
        var heldCopies = faults is { HasDuplicateFaults: true } ? new int[pooledCount] : null;   // copies tracked only where a duplicate can act
        var kernel = FiringKernel ?? throw new InvalidOperationException($"stage {Stage.Index} is the output layer; it does not fire");
        var perSample = LocalNeuronCount;
        var record = !localTimes.IsEmpty;
        if (record && localTimes.Length != samples * perSample)
            throw new ArgumentException($"local time buffer holds {localTimes.Length}, expected {samples} x {perSample}");
        var times = new int[perSample];
        var builder = new SpikeBatchBuilder(samples, samples * 16);
        var stepSpikes = new long[kernel.T];     // spikes per time step of the window: the layer's temporal profile
        long spikes = 0;
        for (var s = 0; s < samples; s++)
        {
            var u = membrane.Slice(s * perSample, perSample);
            for (var p = 0; p < perSample; p++)
            {
                var r = kernel.Encode(u[p]);
                times[p] = r;
                if (r == TemporalKernel.NoSpike) continue;
                spikes++;
                if (!neuronFaults) stepSpikes[r]++;
            }

            if (neuronFaults)
            {
                // Counted after the faults moved, dropped or added spikes, as the spike count is.
                spikes += pass!.ApplyNeuronFaults(firstSample + s, u, times);
                foreach (var r in times)
                {
                    if (r != TemporalKernel.NoSpike) stepSpikes[r]++;
                }
            }

            if (record) times.CopyTo(localTimes.Slice(s * perSample, perSample));
            if (!spikeFaults)
            {
                PoolInto(times, builder, null, null);
            }
            else
            {
                var held = PoolInto(times, null, heldNeurons, heldTimes);
                EmitFaulted(pass!, firstSample + s, builder, heldNeurons!, heldTimes!, heldCopies, held);
            }

            builder.EndSample();
        }

        return new FiredSpikes(builder.Build(), spikes, pass?.Counters ?? default, stepSpikes);
    }

    /// <summary>
    /// First-spike max pooling of one sample's local times: of a region only the earliest spike passes (ties: the
    /// lowest index, which is the first one met in this row-major scan), in ascending pooled index. The pooled
    /// spikes go to <paramref name="builder"/>, or, when it is null, are held in the two arrays for the spike
    /// faults; returns how many were held.
    /// </summary>
    private int PoolInto(int[] times, SpikeBatchBuilder? builder, int[]? heldNeurons, int[]? heldTimes)
    {
        var g = Geometry;
        var pool = g.Pool;
        var held = 0;
        for (var lo = 0; lo < LocalChannels; lo++)
        {
            var c = Block.ChannelStart + lo;
            for (var py = Block.RowStart; py < Block.RowEnd; py++)
            {
                for (var px = Block.ColStart; px < Block.ColEnd; px++)
                {
                    var earliest = TemporalKernel.NoSpike;
                    for (var dy = 0; dy < pool; dy++)
                    {
                        var ly = (py * pool) + dy - _convRowStart;
                        for (var dx = 0; dx < pool; dx++)
                        {
                            var lx = (px * pool) + dx - _convColStart;
                            var r = times[(((ly * LocalWidth) + lx) * LocalChannels) + lo];
                            if (r != TemporalKernel.NoSpike && (earliest == TemporalKernel.NoSpike || r < earliest)) earliest = r;
                        }
                    }

                    if (earliest == TemporalKernel.NoSpike) continue;
                    var pooled = g.PooledIndex(c, py, px);
                    if (builder is not null)
                    {
                        builder.Add(pooled, earliest);
                    }
                    else
                    {
                        heldNeurons![held] = pooled;
                        heldTimes![held] = earliest;
                        held++;
                    }
                }
            }
        }

        return held;
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
