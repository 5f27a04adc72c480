using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
        var perSample = LocalNeuronCount;
        if (!localTimes.IsEmpty && localTimes.Length != samples * perSample)
            throw new ArgumentException($"local time buffer holds {localTimes.Length}, expected {samples} x {perSample}");
        if (membrane.Length != samples * perSample)
            throw new ArgumentException($"membrane holds {membrane.Length} values, expected {samples} x {perSample}");
        var close = new WindowClose(this, samples, faults, firstSample);
        for (var s = 0; s < samples; s++)
        {
            close.Sample(membrane.Slice(s * perSample, perSample), localTimes.IsEmpty ? default : localTimes.Slice(s * perSample, perSample));
        }

        return close.Finish();
    }

    /// <summary>
    /// The window close of a batch, one sample after the other (so a caller can integrate and fire each sample
    /// while its membrane is still in cache): spike times, faults, pooling, the spikes that leave.
    /// </summary>
    private sealed class WindowClose
    {
        private readonly StageKernel _kernel;
        private readonly IStageFaultPass? _pass;
        private readonly bool _neuronFaults;
        private readonly bool _spikeFaults;
        private readonly int _firstSample;
        private readonly int[] _times;
        private readonly PoolScratch _pool;
        private readonly int[] _heldNeurons;
        private readonly int[] _heldTimes;
        private readonly int[]? _heldCopies;
        private readonly SpikeBatchBuilder _builder;
        private readonly long[] _stepSpikes;     // spikes per time step of the window: the layer's temporal profile
        private readonly int[] _laneSteps;       // the same, as the fault-free encoding counts it (see SpikeTimeThresholds.Encode)
        private long _spikes;
        private int _sample;

        public WindowClose(StageKernel kernel, int samples, IStageFaultHook? faults, int firstSample)
        {
            if (faults is not null && (faults.Stage != kernel.Stage.Index || faults.Block != kernel.Block))
                throw new ArgumentException($"faults built for stage {faults.Stage} {faults.Block} given to the kernel of stage {kernel.Stage.Index} {kernel.Block}", nameof(faults));
            var firing = kernel.FiringKernel ?? throw new InvalidOperationException($"stage {kernel.Stage.Index} is the output layer; it does not fire");
            _kernel = kernel;
            _pass = faults?.BeginFiring();
            _neuronFaults = faults is { HasNeuronFaults: true };
            _spikeFaults = faults is { HasSpikeFaults: true };
            _firstSample = firstSample;
            var block = kernel.Block;
            var pooledCount = block.ChannelCount * (block.RowEnd - block.RowStart) * (block.ColEnd - block.ColStart);
            _times = new int[kernel.LocalNeuronCount];
            _pool = new PoolScratch(pooledCount, kernel.LocalChannels);
            _heldNeurons = new int[pooledCount];
            _heldTimes = new int[pooledCount];
            _heldCopies = faults is { HasDuplicateFaults: true } ? new int[pooledCount] : null;   // copies tracked only where a duplicate can act
            _builder = new SpikeBatchBuilder(samples, samples * Math.Max(16, pooledCount / 4));   // grows if more than a quarter spike
            _stepSpikes = new long[firing.T];
            _laneSteps = new int[kernel._thresholds!.LaneStepsLength];
        }

        /// <summary>Closes the window of the next sample, whose membrane is <paramref name="u"/>; its local times go to <paramref name="localTimes"/> if given.</summary>
        public void Sample(ReadOnlySpan<float> u, Span<int> localTimes)
        {
            var times = _times;
            // Neuron faults may move spikes, so the temporal profile is counted after them.
            _spikes += _kernel._thresholds!.Encode(u, times, _neuronFaults ? default : _laneSteps);
            if (_neuronFaults)
            {
                // Counted after the faults moved, dropped or added spikes, as the spike count is.
                _spikes += _pass!.ApplyNeuronFaults(_firstSample + _sample, u, times);
                SpikeTimeThresholds.Tally(times, _stepSpikes);
            }

            if (!localTimes.IsEmpty) times.CopyTo(localTimes);
            var held = _kernel.Pool(times, _pool, _heldNeurons, _heldTimes);
            if (!_spikeFaults) _builder.AddRange(_heldNeurons.AsSpan(0, held), _heldTimes.AsSpan(0, held));
            else EmitFaulted(_pass!, _firstSample + _sample, _builder, _heldNeurons, _heldTimes, _heldCopies, held);
            _builder.EndSample();
            _sample++;
        }

        public FiredSpikes Finish()
        {
            _kernel._thresholds!.AddSteps(_laneSteps, _stepSpikes);
            return new(_builder.Build(), _spikes, _pass?.Counters ?? default, _stepSpikes);
        }
    }

    /// <summary>Scratch of <see cref="Pool"/>: one time per pooled neuron, and the spikes in region order before they are sorted.</summary>
    private sealed class PoolScratch(int pooledCount, int channels)
    {
        public int[] PooledTimes { get; } = new int[pooledCount];

        // One vector of slack past the end: spikes are packed a whole vector at a time.
        public int[] Neurons { get; } = new int[pooledCount + Vector256<int>.Count];

        public int[] Times { get; } = new int[pooledCount + Vector256<int>.Count];

        public int[] Channels { get; } = new int[pooledCount + Vector256<int>.Count];

        public int[] ChannelStarts { get; } = new int[channels + 1];
    }

    /// <summary>
    /// First-spike max pooling of one sample's local times: of a region only the earliest spike passes (the pooled
    /// neuron carries the earliest time, whichever cell had it). The pooled spikes are held in the two arrays (one
    /// slot per pooled neuron), in ascending pooled index; returns how many.
    /// </summary>
    private int Pool(int[] times, PoolScratch scratch, int[] heldNeurons, int[] heldTimes)
    {
        var pooledTimes = scratch.PooledTimes;
        var g = Geometry;
        var pool = g.Pool;
        var channels = LocalChannels;
        var rows = Block.RowEnd - Block.RowStart;
        var cols = Block.ColEnd - Block.ColStart;
        // Regions first, all channels at once ([pooled row][pooled col][channel], as the membrane is laid out): a vector
        // of channels at a time, the last one overlapping the previous (a minimum taken twice is the same minimum).
        var width = Vector<uint>.Count;
        var vectors = Vector.IsHardwareAccelerated && channels >= width;
        ref var source = ref Unsafe.As<int, uint>(ref MemoryMarshal.GetArrayDataReference(times));
        ref var target = ref Unsafe.As<int, uint>(ref MemoryMarshal.GetArrayDataReference(pooledTimes));
        for (var py = 0; py < rows; py++)
        {
            for (var px = 0; px < cols; px++)
            {
                var region = ((py * cols) + px) * channels;
                var corner = ((py * pool * LocalWidth) + (px * pool)) * channels;
                if (vectors)
                {
                    for (var j = 0; j < channels; j += width)
                    {
                        var lane = Math.Min(j, channels - width);
                        var earliest = Vector.LoadUnsafe(ref source, (nuint)(corner + lane));
                        for (var dy = 0; dy < pool; dy++)
                        {
                            for (var dx = dy == 0 ? 1 : 0; dx < pool; dx++)
                            {
                                earliest = Vector.Min(earliest, Vector.LoadUnsafe(ref source, (nuint)(corner + (((dy * LocalWidth) + dx) * channels) + lane)));
                            }
                        }

                        earliest.StoreUnsafe(ref target, (nuint)(region + lane));
                    }

                    continue;
                }

                for (var lo = 0; lo < channels; lo++)
                {
                    var earliest = uint.MaxValue;      // NoSpike (-1) is the largest value as unsigned: the earliest spike is the minimum
                    for (var dy = 0; dy < pool; dy++)
                    {
                        for (var dx = 0; dx < pool; dx++) earliest = Math.Min(earliest, Unsafe.Add(ref source, corner + (((dy * LocalWidth) + dx) * channels) + lo));
                    }

                    Unsafe.Add(ref target, region + lo) = earliest;
                }
            }
        }

        if (vectors && Avx2.IsSupported && width == Vector256<uint>.Count) return EmitByRegion(scratch, heldNeurons, heldTimes);

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

    /// <summary>
    /// The pooled spikes in ascending pooled index, at a cost that follows the spikes rather than channels x regions:
    /// region by region, a vector of channels at a time, the spiking lanes are packed to the front (the permutation
    /// chosen by their bit mask, as the gather lists inputs) with their pooled index and channel; a counting sort on
    /// the channel then puts them in (channel, row, column) order, keeping region order within a channel.
    /// </summary>
    private int EmitByRegion(PoolScratch scratch, int[] heldNeurons, int[] heldTimes)
    {
        var g = Geometry;
        var channels = LocalChannels;
        var cols = Block.ColEnd - Block.ColStart;
        var regions = (Block.RowEnd - Block.RowStart) * cols;
        var plane = g.PooledHeight * g.PooledWidth;
        var width = Vector256<int>.Count;
        var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var laneNeurons = lanes * plane;
        ref var pooled = ref MemoryMarshal.GetArrayDataReference(scratch.PooledTimes);
        ref var neurons = ref MemoryMarshal.GetArrayDataReference(scratch.Neurons);
        ref var times = ref MemoryMarshal.GetArrayDataReference(scratch.Times);
        ref var channelOf = ref MemoryMarshal.GetArrayDataReference(scratch.Channels);
        ref var permutations = ref MemoryMarshal.GetArrayDataReference(CompactionPermutations);
        var noSpike = Vector256.Create(TemporalKernel.NoSpike);
        var found = 0;
        for (var r = 0; r < regions; r++)
        {
            var py = r / cols;
            var first = g.PooledIndex(Block.ChannelStart, Block.RowStart + py, Block.ColStart + r - (py * cols));
            for (var j = 0; j < channels; j += width)
            {
                // The last vector overlaps the previous one; its lanes below j were packed already.
                var lane = Math.Min(j, channels - width);
                var t = Vector256.LoadUnsafe(ref pooled, (nuint)((r * channels) + lane));
                var spiking = ~Vector256.Equals(t, noSpike).ExtractMostSignificantBits() & (0xFFu << (j - lane)) & 0xFFu;
                var permutation = Unsafe.Add(ref permutations, (int)spiking);
                Avx2.PermuteVar8x32(t, permutation).StoreUnsafe(ref times, (nuint)found);
                Avx2.PermuteVar8x32(Vector256.Create(first + (lane * plane)) + laneNeurons, permutation).StoreUnsafe(ref neurons, (nuint)found);
                Avx2.PermuteVar8x32(Vector256.Create(lane) + lanes, permutation).StoreUnsafe(ref channelOf, (nuint)found);
                found += BitOperations.PopCount(spiking);
            }
        }

        var starts = scratch.ChannelStarts;
        Array.Clear(starts);
        for (var k = 0; k < found; k++) starts[Unsafe.Add(ref channelOf, k)]++;
        var sum = 0;
        for (var c = 0; c < starts.Length; c++)
        {
            var count = starts[c];
            starts[c] = sum;
            sum += count;
        }

        for (var k = 0; k < found; k++)
        {
            var slot = starts[Unsafe.Add(ref channelOf, k)]++;
            heldNeurons[slot] = Unsafe.Add(ref neurons, k);
            heldTimes[slot] = Unsafe.Add(ref times, k);
        }

        return found;
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
