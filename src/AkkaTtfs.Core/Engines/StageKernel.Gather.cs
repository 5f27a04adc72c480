using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// The gather path of conv integration: for each output position, the sample's input spikes in its receptive
/// field are listed in ascending presynaptic index (channel, row, column), and the position's channels are
/// summed in registers over that list, one FMA per input, then stored once. The scatter path instead loads
/// and stores the membrane at every add; at the spike densities of trained and random MNIST CNNs the gather
/// does the same adds with a fraction of the memory traffic.
/// </summary>
public sealed partial class StageKernel
{
    /// <summary>Which conv integration path runs; only tests choose one, to pin every path to the same bits.</summary>
    internal enum ConvPath
    {
        /// <summary>Gather or scatter by estimated cost, per sample.</summary>
        Auto,
        Scatter,
        Gather,
        /// <summary>Gather, listing inputs one tap at a time even where the vector listing applies.</summary>
        GatherPortable,
        /// <summary>Lists built from the events (StageKernel.Listed.cs) where they apply, else scatter.</summary>
        Listed,
    }

    internal ConvPath IntegrationPath { get; set; } = ConvPath.Auto;

    /// <summary>
    /// Whether gathering a sample of <paramref name="events"/> input spikes is likely cheaper than scattering them:
    /// gathering pays for scanning every receptive field (about 3 operations per kernel tap of every position with
    /// the vector listing, 6 without), then per present input 3 operations plus one FMA per vector of channels;
    /// scattering pays about 3 memory operations per vector of channels per position an input reaches (counted with
    /// the block's edges: with k x k per input, trained mnist-cnn's sparse conv2 input was gathered although
    /// scattering it is about 1.2x faster). Both give the same bits, so this only steers speed.
    /// </summary>
    private bool PrefersGather(int events)
    {
        var width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || LocalChannels < width || events == 0) return false;
        var scanCost = Avx2.IsSupported && _kernelSize <= Vector256<float>.Count ? 3 : 6;
        var taps = (long)_inChannels * _kernelSize * _kernelSize;
        var reached = (long)(events * _meanReach);
        var vectors = (LocalChannels + width - 1) / width;
        var gather = ((long)LocalHeight * LocalWidth * taps * scanCost) + (reached * (3 + vectors));
        var scatter = reached * vectors * 3;
        return gather < scatter;
    }

    /// <summary>
    /// Output positions of this block one input reaches, on average over the input's positions (for <see cref="PrefersGather"/>):
    /// k x k / stride^2 inside a large map, far fewer on a small one (mnist-cnn's conv2, 12x12 in, 8x8 out: 11.1, not 25).
    /// </summary>
    private double MeanReach() => MeanReach(_inHeight, _convRowStart, _convRowEnd) * MeanReach(_inWidth, _convColStart, _convColEnd);

    private double MeanReach(int inputs, int start, int end)
    {
        long total = 0;
        for (var i = 0; i < inputs; i++)
        {
            for (var tap = 0; tap < _kernelSize; tap++)
            {
                var n = i + _padding - tap;
                if (n >= 0 && n % _stride == 0 && n / _stride >= start && n / _stride < end) total++;
            }
        }

        return (double)total / inputs;
    }

    /// <summary>A sample's spikes as a dense [c][y][x] map of the stage's input, plus the list one position gathers.</summary>
    private sealed class GatherScratch(StageKernel kernel)
    {
        // One vector of slack past the end of each: a row is read, and a list written, a whole vector at a time.
        public float[] Map { get; } = new float[(kernel._inChannels * kernel._inHeight * kernel._inWidth) + Vector256<float>.Count];

        public int[] Taps { get; } = new int[(kernel._inChannels * kernel._kernelSize * kernel._kernelSize) + Vector256<int>.Count];

        public float[] Values { get; } = new float[(kernel._inChannels * kernel._kernelSize * kernel._kernelSize) + Vector256<float>.Count];

        /// <summary>
        /// Places a sample's events in the map; false (map left clear) when the map cannot stand for them: a
        /// repeated neuron (a duplicated spike is added once per copy), a zero value (absent from a map, yet
        /// added by the scatter path, where w * 0 can change the sign of a zero sum) or an index out of range.
        /// </summary>
        public bool TryLoad(InputEvents events, int from, int to)
        {
            var neurons = events.Neurons;
            var values = events.Values;
            var size = Map.Length - Vector256<float>.Count;
            for (var e = from; e < to; e++)
            {
                // An index outside the input is left to the scatter path too, which fails on it as it always did.
                if (values[e] == 0 || (uint)neurons[e] >= (uint)size || (e > from && neurons[e] == neurons[e - 1]))
                {
                    Unload(events, from, e);
                    return false;
                }

                Map[neurons[e]] = values[e];
            }

            return true;
        }

        public void Unload(InputEvents events, int from, int to)
        {
            for (var e = from; e < to; e++) Map[events.Neurons[e]] = 0;
        }
    }

    /// <summary>Gathers one sample (loaded in <paramref name="scratch"/>) into its membrane <paramref name="u"/>; returns its synaptic events.</summary>
    private long GatherSample(GatherScratch scratch, Span<float> u)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        var taps = scratch.Taps;
        var values = scratch.Values;
        long synops = 0;
        for (var ly = 0; ly < LocalHeight; ly++)
        {
            var iy0 = ((_convRowStart + ly) * _stride) - _padding;
            var kyLo = Math.Max(0, -iy0);
            var kyHi = Math.Min(k, _inHeight - iy0);
            for (var lx = 0; lx < LocalWidth; lx++)
            {
                var ix0 = ((_convColStart + lx) * _stride) - _padding;
                var kxLo = Math.Max(0, -ix0);
                var kxHi = Math.Min(k, _inWidth - ix0);
                var n = kxHi <= kxLo ? 0   // a position that sees only padding
                    : Avx2.IsSupported && k <= Vector256<float>.Count && IntegrationPath != ConvPath.GatherPortable
                    ? ListInputsAvx2(scratch, iy0, kyLo, kyHi, ix0, kxLo, kxHi)
                    : ListInputs(scratch, iy0, kyLo, kyHi, ix0, kxLo, kxHi);
                synops += (long)n * channels;
                GatherInto(ref MemoryMarshal.GetArrayDataReference(taps), ref MemoryMarshal.GetArrayDataReference(values), n, u.Slice(((ly * LocalWidth) + lx) * channels, channels));
            }
        }

        return synops;
    }

    /// <summary>
    /// Lists the present inputs of one position in ascending (channel, row, column), i.e. ascending presynaptic
    /// index, as weight offsets and values; returns how many. Every tap is written and only present inputs advance
    /// the count: no branch on the spikes.
    /// </summary>
    private int ListInputs(GatherScratch scratch, int iy0, int kyLo, int kyHi, int ix0, int kxLo, int kxHi)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        ref var mapRef = ref MemoryMarshal.GetArrayDataReference(scratch.Map);
        ref var tapRef = ref MemoryMarshal.GetArrayDataReference(scratch.Taps);
        ref var valueRef = ref MemoryMarshal.GetArrayDataReference(scratch.Values);
        var n = 0;
        for (var c = 0; c < _inChannels; c++)
        {
            for (var ky = kyLo; ky < kyHi; ky++)
            {
                var mapRow = (((c * _inHeight) + iy0 + ky) * _inWidth) + ix0;     // + kx is inside the map for every kx in range
                var weightRow = ((((c * k) + ky) * k) + k - 1) * channels;   // column kx is stored at k-1-kx
                for (var kx = kxLo; kx < kxHi; kx++)
                {
                    var v = Unsafe.Add(ref mapRef, mapRow + kx);
                    Unsafe.Add(ref tapRef, n) = weightRow - (kx * channels);
                    Unsafe.Add(ref valueRef, n) = v;
                    n += v != 0 ? 1 : 0;
                }
            }
        }

        return n;
    }

    /// <summary>
    /// <see cref="ListInputs"/> a kernel row at a time: the row's (at most 8) map values are loaded as one vector,
    /// the present ones moved to the front by a permutation chosen by their bit mask, and stored with their weight
    /// offsets; lanes past the present ones are written and then overwritten by the next row.
    /// </summary>
    private int ListInputsAvx2(GatherScratch scratch, int iy0, int kyLo, int kyHi, int ix0, int kxLo, int kxHi)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        ref var mapRef = ref MemoryMarshal.GetArrayDataReference(scratch.Map);
        ref var tapRef = ref MemoryMarshal.GetArrayDataReference(scratch.Taps);
        ref var valueRef = ref MemoryMarshal.GetArrayDataReference(scratch.Values);
        ref var permutations = ref MemoryMarshal.GetArrayDataReference(CompactionPermutations);
        var inRange = (1u << (kxHi - kxLo)) - 1;
        var laneOffsets = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * channels;
        var n = 0;
        for (var c = 0; c < _inChannels; c++)
        {
            for (var ky = kyLo; ky < kyHi; ky++)
            {
                var mapAt = (((c * _inHeight) + iy0 + ky) * _inWidth) + ix0 + kxLo;
                var row = Vector256.LoadUnsafe(ref mapRef, (nuint)mapAt);
                var present = ~Vector256.Equals(row, Vector256<float>.Zero).ExtractMostSignificantBits() & inRange;
                var permutation = Unsafe.Add(ref permutations, (int)present);
                var taps = Vector256.Create(((((c * k) + ky) * k) + k - 1 - kxLo) * channels) - laneOffsets;
                Avx2.PermuteVar8x32(row, permutation).StoreUnsafe(ref valueRef, (nuint)n);
                Avx2.PermuteVar8x32(taps, permutation).StoreUnsafe(ref tapRef, (nuint)n);
                n += BitOperations.PopCount(present);
            }
        }

        return n;
    }

    /// <summary>For each 8-bit mask, the lane indices of its set bits, lowest first (then zeros): a left-packing permutation.</summary>
    private static readonly Vector256<int>[] CompactionPermutations = BuildCompactionPermutations();

    private static Vector256<int>[] BuildCompactionPermutations()
    {
        var table = new Vector256<int>[256];
        Span<int> lanes = stackalloc int[8];
        for (var mask = 0; mask < 256; mask++)
        {
            lanes.Clear();
            var next = 0;
            for (var lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0) lanes[next++] = lane;
            }

            table[mask] = Vector256.Create<int>(lanes);
        }

        return table;
    }

    /// <summary>
    /// target[j] = fma(w[taps[e] + j], values[e], target[j]) for e = 0..n-1 in order, every channel j, with the
    /// running sums in registers. Channels go by blocks of 8 vectors, then single vectors; a last partial vector
    /// is computed over the final full-width window and only its new lanes are stored. <paramref name="taps"/> and
    /// <paramref name="values"/> are the first of n consecutive list entries.
    /// </summary>
    private void GatherInto(ref int taps, ref float values, int n, Span<float> target)
    {
        var width = Vector<float>.Count;
        var channels = target.Length;
        ref var w = ref MemoryMarshal.GetArrayDataReference(_weights);
        ref var t = ref MemoryMarshal.GetReference(target);
        var j = 0;
        if (!Vector.IsHardwareAccelerated || channels < width)
        {
            GatherScalar(ref taps, ref values, n, target);
            return;
        }

        for (; j + (8 * width) <= channels; j += 8 * width) GatherBlock8(ref w, ref taps, ref values, n, ref t, j);
        for (; j + width <= channels; j += width) GatherVector(ref w, ref taps, ref values, n, ref t, j).StoreUnsafe(ref t, (nuint)j);
        if (j == channels) return;
        // The window [channels - width, channels) overlaps lanes already stored; its sums for the lanes from j on
        // started from untouched membrane values, so those lanes are right, and only they are kept.
        var last = GatherVector(ref w, ref taps, ref values, n, ref t, channels - width);
        for (var lane = j - (channels - width); lane < width; lane++) Unsafe.Add(ref t, channels - width + lane) = last[lane];
    }

    private void GatherScalar(ref int taps, ref float values, int n, Span<float> target)
    {
        for (var j = 0; j < target.Length; j++)
        {
            var sum = target[j];
            for (var e = 0; e < n; e++) sum = MathF.FusedMultiplyAdd(_weights[Unsafe.Add(ref taps, e) + j], Unsafe.Add(ref values, e), sum);
            target[j] = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> GatherVector(ref float w, ref int tap, ref float value, int n, ref float target, int channel)
    {
        var sum = Vector.LoadUnsafe(ref target, (nuint)channel);
        for (var e = 0; e < n; e++)
        {
            sum = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref w, (nuint)(Unsafe.Add(ref tap, e) + channel)), new Vector<float>(Unsafe.Add(ref value, e)), sum);
        }

        return sum;
    }

    private static void GatherBlock8(ref float w, ref int tap, ref float value, int n, ref float target, int channel)
    {
        var width = Vector<float>.Count;
        ref var t = ref Unsafe.Add(ref target, channel);
        var s0 = Vector.LoadUnsafe(ref t, 0);
        var s1 = Vector.LoadUnsafe(ref t, (nuint)width);
        var s2 = Vector.LoadUnsafe(ref t, (nuint)(2 * width));
        var s3 = Vector.LoadUnsafe(ref t, (nuint)(3 * width));
        var s4 = Vector.LoadUnsafe(ref t, (nuint)(4 * width));
        var s5 = Vector.LoadUnsafe(ref t, (nuint)(5 * width));
        var s6 = Vector.LoadUnsafe(ref t, (nuint)(6 * width));
        var s7 = Vector.LoadUnsafe(ref t, (nuint)(7 * width));
        for (var e = 0; e < n; e++)
        {
            ref var row = ref Unsafe.Add(ref w, Unsafe.Add(ref tap, e) + channel);
            var v = new Vector<float>(Unsafe.Add(ref value, e));
            s0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, 0), v, s0);
            s1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)width), v, s1);
            s2 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(2 * width)), v, s2);
            s3 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(3 * width)), v, s3);
            s4 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(4 * width)), v, s4);
            s5 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(5 * width)), v, s5);
            s6 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(6 * width)), v, s6);
            s7 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(7 * width)), v, s7);
        }

        s0.StoreUnsafe(ref t, 0);
        s1.StoreUnsafe(ref t, (nuint)width);
        s2.StoreUnsafe(ref t, (nuint)(2 * width));
        s3.StoreUnsafe(ref t, (nuint)(3 * width));
        s4.StoreUnsafe(ref t, (nuint)(4 * width));
        s5.StoreUnsafe(ref t, (nuint)(5 * width));
        s6.StoreUnsafe(ref t, (nuint)(6 * width));
        s7.StoreUnsafe(ref t, (nuint)(7 * width));
    }
}
