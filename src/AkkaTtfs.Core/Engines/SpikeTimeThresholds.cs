using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// <see cref="TemporalKernel.Encode"/> as comparisons, so a window close costs no logarithm per neuron:
/// <c>Lowest[r]</c> is the smallest float u with <c>0 &lt;= Encode(u) &lt;= r</c>, found by bisection over float
/// bit patterns with Encode itself; then <c>Encode(u)</c> is the number of r with <c>u &lt; Lowest[r]</c>
/// (T of them: no spike). Exact because Encode is non-increasing in u over floats: adjacent positive floats
/// differ by at least 2^-24 relatively, far more than the error of a double logarithm, so ln is strictly
/// increasing on them, and every later step (x tau, td minus, Q) is monotone. Tests compare both forms.
/// </summary>
internal sealed class SpikeTimeThresholds
{
    private const int PositiveInfinityBits = 0x7F800000;

    private readonly float[] _lowest;

    // The bisection tables of SearchAvx2 (null when T > 32): level 16 is one threshold, levels 8, 4, 2 one
    // 8-lane table each, level 1 two.
    private readonly Vector256<float>[]? _levels;

    private SpikeTimeThresholds(float[] lowest)
    {
        _lowest = lowest;
        if (lowest.Length <= 32) _levels = BuildLevels(lowest);
    }

    /// <summary>
    /// At bisection step s (16, 8, 4, 2, 1) the lower bound lo is a multiple of 2s, and the threshold to test is
    /// L[lo + s - 1]; table j of a level holds it for lo = 2s * j. L is padded to 32 with its last threshold, so a
    /// value that spikes at all (u &gt;= L[T-1]) finds its step within the 32.
    /// </summary>
    private static Vector256<float>[] BuildLevels(float[] lowest)
    {
        float At(int r) => lowest[Math.Min(r, lowest.Length - 1)];
        Vector256<float> Table(int step, int first) =>
            Vector256.Create(At(first + step - 1), At(first + (2 * step) + step - 1), At(first + (4 * step) + step - 1), At(first + (6 * step) + step - 1),
                At(first + (8 * step) + step - 1), At(first + (10 * step) + step - 1), At(first + (12 * step) + step - 1), At(first + (14 * step) + step - 1));
        return [Vector256.Create(At(15)), Table(8, 0), Table(4, 0), Table(2, 0), Table(1, 0), Table(1, 16)];
    }

    /// <summary>Spike times of 8 values that are known to spike (u &gt;= L[T-1]): the first r with u &gt;= L[r], by bisection.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SearchAvx2(Vector256<float> x, Vector256<float>[] levels)
    {
        // lo += s wherever u < L[lo + s - 1]; a true comparison lane is all ones, so AndNot keeps s where it was false.
        var lo = Vector256.AndNot(Vector256.Create(16), Vector256.GreaterThanOrEqual(x, levels[0]).AsInt32());
        lo += Vector256.AndNot(Vector256.Create(8), Vector256.GreaterThanOrEqual(x, Avx2.PermuteVar8x32(levels[1], lo >>> 4)).AsInt32());
        lo += Vector256.AndNot(Vector256.Create(4), Vector256.GreaterThanOrEqual(x, Avx2.PermuteVar8x32(levels[2], lo >>> 3)).AsInt32());
        lo += Vector256.AndNot(Vector256.Create(2), Vector256.GreaterThanOrEqual(x, Avx2.PermuteVar8x32(levels[3], lo >>> 2)).AsInt32());
        var j = lo >>> 1;    // 0..15: tables 4 (j < 8) and 5; the permutation reads the low 3 bits only
        var high = Vector256.GreaterThan(j, Vector256.Create(7));
        var last = Vector256.ConditionalSelect(high.AsSingle(), Avx2.PermuteVar8x32(levels[5], j), Avx2.PermuteVar8x32(levels[4], j));
        return lo + Vector256.AndNot(Vector256.Create(1), Vector256.GreaterThanOrEqual(x, last).AsInt32());
    }

    /// <summary>Window length T of the kernel.</summary>
    public int T => _lowest.Length;

    /// <summary>Smallest value that spikes at relative time r or earlier.</summary>
    public ReadOnlySpan<float> Lowest => _lowest;

    public static SpikeTimeThresholds Of(TemporalKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var lowest = new float[kernel.T];
        for (var r = 0; r < kernel.T; r++)
        {
            // Encode(+inf) = 0 <= r, so the answer lies in (0, +inf]; bisect on the bit pattern (ordered like the values).
            var lo = 0;                      // bits of +0: never spikes
            var hi = PositiveInfinityBits;   // spikes at 0
            while (hi - lo > 1)
            {
                var mid = lo + ((hi - lo) / 2);
                var t = kernel.Encode(BitConverter.Int32BitsToSingle(mid));
                if (t != TemporalKernel.NoSpike && t <= r) hi = mid;
                else lo = mid;
            }

            lowest[r] = BitConverter.Int32BitsToSingle(hi);
        }

        return new SpikeTimeThresholds(lowest);
    }

    /// <summary>One value's spike time (what <see cref="TemporalKernel.Encode"/> returns).</summary>
    public int Encode(float u)
    {
        if (!(u > 0)) return TemporalKernel.NoSpike;
        var count = 0;
        foreach (var threshold in _lowest)
        {
            if (u < threshold) count++;
        }

        return count == _lowest.Length ? TemporalKernel.NoSpike : count;
    }

    /// <summary>Length of the per-lane step histogram <see cref="Encode(ReadOnlySpan{float}, Span{int}, Span{int})"/> fills.</summary>
    public int LaneStepsLength => Vector<int>.Count * (_lowest.Length + 1);

    /// <summary>
    /// Spike times of <paramref name="u"/> into <paramref name="times"/> (NoSpike for none); returns the spikes.
    /// When <paramref name="laneSteps"/> is given (<see cref="LaneStepsLength"/>), each spike is also counted in
    /// it, per vector lane, so that the counts of neighbouring neurons do not wait on each other; see
    /// <see cref="AddSteps"/>.
    /// </summary>
    public long Encode(ReadOnlySpan<float> u, Span<int> times, Span<int> laneSteps)
    {
        if (times.Length != u.Length) throw new ArgumentException($"{u.Length} values but {times.Length} time slots");
        var count = laneSteps.IsEmpty;
        if (!count && laneSteps.Length != LaneStepsLength) throw new ArgumentException($"{laneSteps.Length} step counters, expected {LaneStepsLength}");
        var n = u.Length;
        var bins = _lowest.Length + 1;    // bin r + 1 counts time r; bin 0 the silent neurons of a vector with spikes
        long spikes = 0;
        var j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            ref var uRef = ref MemoryMarshal.GetReference(u);
            ref var tRef = ref MemoryMarshal.GetReference(times);
            var width = Vector<float>.Count;
            var noSpike = new Vector<int>(TemporalKernel.NoSpike);
            var spiking = new Vector<float>(_lowest[^1]);
            // Most neurons stay silent, mostly side by side, yet spiking and silent vectors alternate too irregularly
            // for a branch on each to be predicted: so first, without a branch, every vector is marked silent and the
            // ones with a spiking lane are listed (NaN and u <= 0 compare false); then only those are searched.
            Span<int> listed = stackalloc int[ChunkVectors];
            for (; j <= n - width;)
            {
                var found = 0;
                for (; j <= n - width && found < ChunkVectors; j += width)
                {
                    noSpike.StoreUnsafe(ref tRef, (nuint)j);
                    listed[found] = j;
                    found += Vector.GreaterThanOrEqualAny(Vector.LoadUnsafe(ref uRef, (nuint)j), spiking) ? 1 : 0;
                }

                foreach (var at in listed[..found]) spikes += EncodeSpikingVector(ref uRef, ref tRef, at, spiking, noSpike, laneSteps, bins);
            }
        }

        for (; j < n; j++)
        {
            times[j] = Encode(u[j]);
            if (times[j] == TemporalKernel.NoSpike) continue;
            spikes++;
            if (!count) laneSteps[times[j] + 1]++;
        }

        return spikes;
    }

    /// <summary>Vectors of neurons whose spiking lanes <see cref="Encode(ReadOnlySpan{float}, Span{int}, Span{int})"/> lists before searching them (a 1 KB stack list).</summary>
    private const int ChunkVectors = 256;

    /// <summary>The times of one vector of neurons of which at least one spikes; returns its spikes. Silent lanes get NoSpike.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long EncodeSpikingVector(ref float uRef, ref int tRef, int j, Vector<float> spiking, Vector<int> noSpike, Span<int> laneSteps, int bins)
    {
        var x = Vector.LoadUnsafe(ref uRef, (nuint)j);
        var spikingLanes = Vector.GreaterThanOrEqual(x, spiking);
        Vector<int> times;
        if (Vector<float>.Count == Vector256<float>.Count && Avx2.IsSupported && _levels is { } levels)
        {
            // Silent lanes are searched too, then masked.
            var found = SearchAvx2(x.AsVector256(), levels).AsVector();
            times = Vector.ConditionalSelect(spikingLanes, found, noSpike);
        }
        else
        {
            var steps = Vector<int>.Zero;
            foreach (var threshold in _lowest)
            {
                steps -= Vector.LessThan(x, new Vector<float>(threshold));   // a true lane is -1
            }

            times = Vector.ConditionalSelect(spikingLanes, steps, noSpike);
        }

        times.StoreUnsafe(ref tRef, (nuint)j);
        if (!laneSteps.IsEmpty)
        {
            // Lane l's counter of time r is laneSteps[l * bins + r + 1] (r + 1 <= T < bins; silent lanes land in slot 0).
            ref var steps0 = ref MemoryMarshal.GetReference(laneSteps);
            if (Vector<int>.Count == 8)
            {
                // Unrolled, with the slots taken from the register: this was a tenth of the trained mnist-cnn's time.
                var slots = times + LaneSlotBase(bins);
                Unsafe.Add(ref steps0, slots[0])++;
                Unsafe.Add(ref steps0, slots[1])++;
                Unsafe.Add(ref steps0, slots[2])++;
                Unsafe.Add(ref steps0, slots[3])++;
                Unsafe.Add(ref steps0, slots[4])++;
                Unsafe.Add(ref steps0, slots[5])++;
                Unsafe.Add(ref steps0, slots[6])++;
                Unsafe.Add(ref steps0, slots[7])++;
            }
            else
            {
                for (var lane = 0; lane < Vector<float>.Count; lane++) Unsafe.Add(ref steps0, (lane * bins) + times[lane] + 1)++;
            }
        }

        return -Vector.Sum(spikingLanes);    // a spiking lane is -1
    }

    /// <summary>lane x bins + 1 for each lane: added to a vector of times, the lanes' slots in the step histogram.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> LaneSlotBase(int bins) => (new Vector<int>(bins) * Vector<int>.Indices) + Vector<int>.One;

    /// <summary>Adds the per-lane counts of <paramref name="laneSteps"/> to <paramref name="stepSpikes"/> (spikes per step).</summary>
    public void AddSteps(ReadOnlySpan<int> laneSteps, Span<long> stepSpikes)
    {
        var bins = _lowest.Length + 1;
        for (var lane = 0; lane < Vector<int>.Count; lane++)
        {
            for (var r = 0; r < _lowest.Length; r++) stepSpikes[r] += laneSteps[(lane * bins) + r + 1];
        }
    }

    /// <summary>
    /// Spikes in <paramref name="times"/> (each NoSpike or in [0, T)), each also added to its step of
    /// <paramref name="stepSpikes"/> (length T) when given.
    /// </summary>
    public static long Tally(ReadOnlySpan<int> times, Span<long> stepSpikes)
    {
        if (stepSpikes.IsEmpty)
        {
            long spikes = 0;
            foreach (var r in times) spikes += r != TemporalKernel.NoSpike ? 1 : 0;
            return spikes;
        }

        // Branch-free: slot r + 1 of a histogram counts time r (slot 0: no spike); four histograms, filled in
        // turn, keep increments of one busy slot from waiting on each other.
        var bins = stepSpikes.Length + 1;
        Span<int> histogram = bins * 4 <= 1024 ? stackalloc int[bins * 4] : new int[bins * 4];
        histogram.Clear();
        var j = 0;
        for (; j + 4 <= times.Length; j += 4)
        {
            histogram[times[j] + 1]++;
            histogram[bins + times[j + 1] + 1]++;
            histogram[(2 * bins) + times[j + 2] + 1]++;
            histogram[(3 * bins) + times[j + 3] + 1]++;
        }

        for (; j < times.Length; j++) histogram[times[j] + 1]++;
        long silent = histogram[0] + histogram[bins] + histogram[2 * bins] + histogram[3 * bins];
        for (var r = 0; r < stepSpikes.Length; r++)
        {
            stepSpikes[r] += histogram[r + 1] + histogram[bins + r + 1] + histogram[(2 * bins) + r + 1] + histogram[(3 * bins) + r + 1];
        }

        return times.Length - silent;
    }
}
