using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// The integration half of the stage step. Two conv paths give the same bits: scatter (each event adds its
/// weights to the neurons it reaches) and gather (each neuron's inputs are summed in registers, see
/// StageKernel.Gather.cs); both add, per neuron, w * value for its inputs in ascending presynaptic index, one
/// fused multiply-add each, and skip nothing, so which one runs is only a matter of speed.
/// </summary>
public sealed partial class StageKernel
{
    private long IntegrateDense(InputEvents events, Span<float> membrane)
    {
        var width = LocalChannels;
        var inputs = Stage.InputShape.Size;
        if (events.SampleCount == 1)
        {
            for (var k = 0; k < events.EventCount; k++)
            {
                MultiplyAdd(_weights.AsSpan(events.Neurons[k] * width, width), events.Values[k], membrane);
            }

            return (long)events.EventCount * width;
        }

        // Group the batch's events by presynaptic neuron so that each weight row is read once per batch,
        // not once per sample; each sample still receives its inputs in ascending presynaptic order.
        var starts = new int[inputs + 1];
        foreach (var neuron in events.Neurons) starts[neuron + 1]++;
        for (var i = 0; i < inputs; i++) starts[i + 1] += starts[i];
        var fill = starts.AsSpan(0, inputs).ToArray();
        var sampleOf = new int[events.EventCount];
        var valueOf = new float[events.EventCount];
        for (var s = 0; s < events.SampleCount; s++)
        {
            for (var k = events.SampleOffsets[s]; k < events.SampleOffsets[s + 1]; k++)
            {
                var slot = fill[events.Neurons[k]]++;
                sampleOf[slot] = s;
                valueOf[slot] = events.Values[k];
            }
        }

        for (var i = 0; i < inputs; i++)
        {
            if (starts[i] == starts[i + 1]) continue;
            var row = _weights.AsSpan(i * width, width);
            for (var k = starts[i]; k < starts[i + 1]; k++)
            {
                MultiplyAdd(row, valueOf[k], membrane.Slice(sampleOf[k] * width, width));
            }
        }

        return (long)events.EventCount * width;
    }

    private long IntegrateConv(InputEvents events, Span<float> membrane)
    {
        var perSample = LocalNeuronCount;
        long synops = 0;
        ConvScratch scratch = default;
        for (var s = 0; s < events.SampleCount; s++)
        {
            synops += IntegrateConvSample(events, s, membrane.Slice(s * perSample, perSample), ref scratch);
        }

        return synops;
    }

    /// <summary>The scratch of the conv paths, made when a path first needs it (one per stage step).</summary>
    private struct ConvScratch
    {
        public GatherScratch? Gather;
        public ListScratch? List;
    }

    /// <summary>Integrates sample <paramref name="s"/> of a conv stage's events into its membrane <paramref name="u"/>.</summary>
    private long IntegrateConvSample(InputEvents events, int s, Span<float> u, ref ConvScratch scratch)
    {
        var from = events.SampleOffsets[s];
        var to = events.SampleOffsets[s + 1];
        var gather = IntegrationPath switch
        {
            ConvPath.Scatter or ConvPath.Listed => false,
            ConvPath.Gather or ConvPath.GatherPortable => true,
            _ => PrefersGather(to - from),
        };

        // Where scattering beats scanning a dense map (sparse input), lists built from the events beat scattering.
        if (!gather && IntegrationPath is ConvPath.Auto or ConvPath.Listed && Listable)
        {
            var synops = ListedSample(events, from, to, u, scratch.List ??= new ListScratch(this));
            if (synops >= 0) return synops;
        }

        if (gather && (scratch.Gather ??= new GatherScratch(this)).TryLoad(events, from, to))
        {
            var synops = GatherSample(scratch.Gather, u);
            scratch.Gather.Unload(events, from, to);
            return synops;
        }

        return ScatterSample(events, from, to, u);
    }

    /// <summary>One sample's events scattered: each event adds its weights to every neuron it reaches (the general path).</summary>
    private long ScatterSample(InputEvents events, int from, int to, Span<float> u)
    {
        var plane = _inHeight * _inWidth;
        long synops = 0;
        for (var e = from; e < to; e++)
        {
            var neuron = events.Neurons[e];
            var value = events.Values[e];
            var c = neuron / plane;
            var rem = neuron - (c * plane);
            var y = rem / _inWidth;
            var x = rem - (y * _inWidth);
            synops += _stride == 1 ? ScatterStride1(c, y, x, value, u) : ScatterStrided(c, y, x, value, u);
        }

        return synops;
    }

    /// <summary>
    /// One input spike at stride 1: it reaches output rows oy = y + padding - ky and columns ox = x + padding - kx; the
    /// ranges of ky and kx that land in this block come from bounds alone (no division per kernel row), and reversed
    /// storage makes each kernel row's columns one contiguous run of weights and of the [y][x][c] membrane (see
    /// _weights). Each membrane value still gets exactly one add per input spike, so the sums are unchanged.
    /// </summary>
    private int ScatterStride1(int c, int y, int x, float value, Span<float> u)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        var kxLo = Math.Max(0, x + _padding - (_convColEnd - 1));
        var kxHi = Math.Min(k - 1, x + _padding - _convColStart);
        var kyLo = Math.Max(0, y + _padding - (_convRowEnd - 1));
        var kyHi = Math.Min(k - 1, y + _padding - _convRowStart);
        if (kxLo > kxHi || kyLo > kyHi) return 0;
        var run = (kxHi - kxLo + 1) * channels;
        var column = (x + _padding - kxHi - _convColStart) * channels;
        for (var ky = kyLo; ky <= kyHi; ky++)
        {
            var rowBase = (((c * k) + ky) * k) + k - 1;
            var outRow = (y + _padding - ky - _convRowStart) * LocalWidth * channels;
            MultiplyAdd(_weights.AsSpan((rowBase - kxHi) * channels, run), value, u.Slice(outRow + column, run));
        }

        return (kyHi - kyLo + 1) * run;
    }

    /// <summary>One input spike at a stride above 1: each kernel tap that lands on an output of this block adds its channels.</summary>
    private int ScatterStrided(int c, int y, int x, float value, Span<float> u)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        var synops = 0;
        for (var ky = 0; ky < k; ky++)
        {
            var ny = y + _padding - ky;
            if (ny < 0 || ny % _stride != 0) continue;
            var oy = ny / _stride;
            if (oy < _convRowStart || oy >= _convRowEnd) continue;
            var rowBase = (((c * k) + ky) * k) + k - 1;
            var outRow = (oy - _convRowStart) * LocalWidth;
            for (var kx = 0; kx < k; kx++)
            {
                var nx = x + _padding - kx;
                if (nx < 0 || nx % _stride != 0) continue;
                var ox = nx / _stride;
                if (ox < _convColStart || ox >= _convColEnd) continue;
                var w = _weights.AsSpan((rowBase - kx) * channels, channels);
                var target = (outRow + (ox - _convColStart)) * channels;
                MultiplyAdd(w, value, u.Slice(target, channels));
                synops += channels;
            }
        }

        return synops;
    }

    /// <summary>u[j] = fma(w[j], value, u[j]) for every j: one rounding per add on every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void MultiplyAdd(ReadOnlySpan<float> w, float value, Span<float> u)
    {
        var n = w.Length;
        ref var wRef = ref MemoryMarshal.GetReference(w);
        ref var uRef = ref MemoryMarshal.GetReference(u);
        var j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var v = new Vector<float>(value);
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                var sum = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref wRef, (nuint)j), v, Vector.LoadUnsafe(ref uRef, (nuint)j));
                sum.StoreUnsafe(ref uRef, (nuint)j);
            }
        }

        // A run of a 12-channel layer (k x 12 values) ends in 4 values past its last full vector: one half-width FMA.
        if (Vector128.IsHardwareAccelerated && n - j >= Vector128<float>.Count)
        {
            var sum = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wRef, (nuint)j), Vector128.Create(value), Vector128.LoadUnsafe(ref uRef, (nuint)j));
            sum.StoreUnsafe(ref uRef, (nuint)j);
            j += Vector128<float>.Count;
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref uRef, j) = MathF.FusedMultiplyAdd(Unsafe.Add(ref wRef, j), value, Unsafe.Add(ref uRef, j));
        }
    }
}
