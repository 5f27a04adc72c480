using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
namespace AkkaTtfs.Core.Engines;

/// <summary>
/// Sizes of per-sample, per-neuron buffers ([sample * neurons + neuron] in one array). The product is computed in
/// long and refused past the largest array: in int it wraps silently (vgg16's first stage has 65,536 neurons;
/// 50,000 samples make 3.3e9), giving a small, wrong buffer or an exception far from the cause.
/// </summary>
internal static class SpikeTraceSize
{
    /// <summary>Elements of a trace of <paramref name="samples"/> x <paramref name="neurons"/>.</summary>
    /// <param name="samples">Samples recorded.</param>
    /// <param name="neurons">Neurons of the stage (its conv grid, before pooling).</param>
    /// <param name="stage">The stage, for the message.</param>
    /// <param name="bytesPerElement">Bytes the caller keeps per element, over all its arrays of this shape (for the message).</param>
    /// <exception cref="ArgumentException">The trace would not fit one array.</exception>
    public static int Elements(int samples, int neurons, int stage, int bytesPerElement = sizeof(int))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(neurons);
        var elements = (long)samples * neurons;
        if (elements > Array.MaxLength)
        {
            var gigabytes = elements * (double)bytesPerElement / 1e9;
            throw new ArgumentException(
                $"recording spike times of {samples} samples x {neurons} neurons (stage {stage}) needs {gigabytes:F1} GB, " +
                $"{elements} values in one array where at most {Array.MaxLength} fit; record fewer samples");
        }

        return (int)elements;
    }
}
