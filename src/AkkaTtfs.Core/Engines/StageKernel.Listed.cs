using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// The listed path of conv integration at stride 1: the sample's events are walked once, in their (ascending) order, and
/// each is appended to the input list of every output position it reaches (weight offset and value); then each position
/// sums its list in registers (the gather's <see cref="GatherInto"/>) and stores once. Each position's list is therefore in
/// ascending presynaptic index, with one fused multiply-add per input, as on the scatter and gather paths. It does the
/// gather's register-held adds without scanning every receptive field of a dense map (the cost follows the spikes), and
/// without the scatter's load and store of the membrane at every add: on the trained mnist-cnn's sparse conv2 input (237
/// spikes reaching 11 of 64 positions each) the scatter's membrane traffic was the hottest spot. It runs where the cost
/// estimate (<see cref="PrefersGather"/>) would scatter: on the random mnist-cnn's denser conv2 input the map gather stays
/// faster (lists measured 0.7-1.07x there).
/// </summary>
public sealed partial class StageKernel
{
    /// <summary>Whether the listed path applies: stride 1 and whole vectors of channels.</summary>
    private bool Listable => _stride == 1 && Vector.IsHardwareAccelerated && LocalChannels % Vector<float>.Count == 0;

    /// <summary>Per output position a list of up to inChannels x k x k inputs (an input reaches a position once, unless repeated).</summary>
    private sealed class ListScratch(StageKernel kernel)
    {
        public int Capacity { get; } = kernel._inChannels * kernel._kernelSize * kernel._kernelSize;

        public int[] Counts { get; } = new int[kernel.LocalHeight * kernel.LocalWidth];

        public int[] Taps { get; } = new int[kernel.LocalHeight * kernel.LocalWidth * kernel._inChannels * kernel._kernelSize * kernel._kernelSize];

        public float[] Values { get; } = new float[kernel.LocalHeight * kernel.LocalWidth * kernel._inChannels * kernel._kernelSize * kernel._kernelSize];
    }

    /// <summary>
    /// Integrates events [from, to) of one sample into <paramref name="u"/> by lists; returns the synaptic events, or -1
    /// (nothing touched) when a list could overflow: a repeated neuron (a duplicated spike), or an index outside the
    /// input, which is left to the scatter path (it fails on it as it always did).
    /// </summary>
    private long ListedSample(InputEvents events, int from, int to, Span<float> u, ListScratch scratch)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        var plane = _inHeight * _inWidth;
        var inputs = _inChannels * plane;
        var capacity = scratch.Capacity;
        var counts = scratch.Counts;
        Array.Clear(counts);
        ref var countRef = ref MemoryMarshal.GetArrayDataReference(counts);
        ref var tapRef = ref MemoryMarshal.GetArrayDataReference(scratch.Taps);
        ref var valueRef = ref MemoryMarshal.GetArrayDataReference(scratch.Values);
        var neurons = events.Neurons;
        var values = events.Values;
        var previous = -1;
        long reached = 0;
        for (var e = from; e < to; e++)
        {
            var neuron = neurons[e];
            if ((uint)neuron >= (uint)inputs || neuron == previous) return -1;
            previous = neuron;
            var value = values[e];
            var c = neuron / plane;
            var rem = neuron - (c * plane);
            var y = rem / _inWidth;
            var x = rem - (y * _inWidth);
            // As ScatterStride1: output row y + padding - ky and column x + padding - kx, for the taps landing in this block.
            var kxLo = Math.Max(0, x + _padding - (_convColEnd - 1));
            var kxHi = Math.Min(k - 1, x + _padding - _convColStart);
            var kyLo = Math.Max(0, y + _padding - (_convRowEnd - 1));
            var kyHi = Math.Min(k - 1, y + _padding - _convRowStart);
            if (kxLo > kxHi || kyLo > kyHi) continue;
            reached += (kyHi - kyLo + 1) * (kxHi - kxLo + 1);
            for (var ky = kyLo; ky <= kyHi; ky++)
            {
                var tapRow = ((((c * k) + ky) * k) + k - 1) * channels;   // column kx is stored at k-1-kx
                var position = ((y + _padding - ky - _convRowStart) * LocalWidth) + x + _padding - kxLo - _convColStart;
                for (var kx = kxLo; kx <= kxHi; kx++, position--)
                {
                    ref var count = ref Unsafe.Add(ref countRef, position);
                    var slot = (position * capacity) + count;
                    count++;
                    Unsafe.Add(ref tapRef, slot) = tapRow - (kx * channels);
                    Unsafe.Add(ref valueRef, slot) = value;
                }
            }
        }

        for (var p = 0; p < counts.Length; p++)
        {
            var n = counts[p];
            if (n == 0) continue;   // nothing to add: the membrane keeps its bias
            GatherInto(ref Unsafe.Add(ref tapRef, p * capacity), ref Unsafe.Add(ref valueRef, p * capacity), n, u.Slice(p * channels, channels));
        }

        return reached * channels;
    }
}
