using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// What a stage integrates for a batch: per sample, presynaptic neuron indices in ascending (canonical)
/// order with the value each one contributes (a decoded spike, or an analog input current). A spike
/// delivered more than once (a duplicate fault) is that many events in a row, of the same neuron and value,
/// so every target adds its contribution once per copy, consecutively (never one add of a multiple).
/// </summary>
public sealed class InputEvents
{
    private InputEvents(int[] offsets, int[] neurons, float[] values)
    {
        SampleOffsets = offsets;
        Neurons = neurons;
        Values = values;
    }

    /// <summary>Events from raw arrays (a decoded payload); indices must ascend within each sample.</summary>
    public static InputEvents Create(int[] offsets, int[] neurons, float[] values)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(neurons);
        ArgumentNullException.ThrowIfNull(values);
        if (offsets.Length < 1 || offsets[0] != 0 || offsets[^1] != neurons.Length || neurons.Length != values.Length)
            throw new ArgumentException("offsets, neuron indices and values do not fit together");
        for (var s = 0; s + 1 < offsets.Length; s++)
        {
            for (var k = offsets[s] + 1; k < offsets[s + 1]; k++)
            {
                if (neurons[k] <= neurons[k - 1]) throw new ArgumentException($"sample {s}: neuron indices must ascend");
            }
        }

        return new InputEvents(offsets, neurons, values);
    }

    public int[] SampleOffsets { get; }

    public int[] Neurons { get; }

    public float[] Values { get; }

    public int SampleCount => SampleOffsets.Length - 1;

    public int EventCount => Neurons.Length;

    /// <summary>Keeps the events of the neurons in <paramref name="keep"/> (a routing filter); order is preserved.</summary>
    public InputEvents Where(ReadOnlySpan<bool> keep) => Filter(new NeuronMask(keep));

    /// <summary>Keeps the events of the neurons in <paramref name="keep"/> (a route); order is preserved.</summary>
    public InputEvents Where(NeuronSet keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        return Filter(new NeuronSetFilter(keep));
    }

    private InputEvents Filter<TFilter>(TFilter keep)
        where TFilter : INeuronFilter, allows ref struct
    {
        var offsets = new int[SampleCount + 1];
        var neurons = new List<int>(EventCount);
        var values = new List<float>(EventCount);
        for (var s = 0; s < SampleCount; s++)
        {
            for (var k = SampleOffsets[s]; k < SampleOffsets[s + 1]; k++)
            {
                if (!keep.Keeps(Neurons[k])) continue;
                neurons.Add(Neurons[k]);
                values.Add(Values[k]);
            }

            offsets[s + 1] = neurons.Count;
        }

        return new InputEvents(offsets, neurons.ToArray(), values.ToArray());
    }

    /// <summary>
    /// Decodes spikes with the presynaptic layer's kernel (value = exp((td - r)/tau), from its table). A spike of
    /// multiplicity m becomes m adjacent events, so the canonical order is kept (ascending presynaptic index,
    /// a duplicated spike's contributions next to each other).
    /// </summary>
    public static InputEvents FromSpikes(SpikeBatch spikes, TemporalKernel presynaptic)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        ArgumentNullException.ThrowIfNull(presynaptic);
        var table = presynaptic.DecodeTable;
        if (spikes.Multiplicities is { } multiplicities) return FromSpikesWithCopies(spikes, table, multiplicities);
        var values = new float[spikes.SpikeCount];
        var times = spikes.Times;
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = table[times[k]];
        }

        return new InputEvents(spikes.SampleOffsets, spikes.Neurons, values);
    }

    /// <summary>The expansion of <see cref="FromSpikes"/> for a batch with copies, apart so the fault-free path stays a plain table lookup.</summary>
    private static InputEvents FromSpikesWithCopies(SpikeBatch spikes, ReadOnlySpan<float> table, byte[] multiplicities)
    {
        if (spikes.DeliveryCount > Array.MaxLength)
            throw new ArgumentException($"{spikes.DeliveryCount} deliveries do not fit in one event array");
        var total = (int)spikes.DeliveryCount;
        var offsets = new int[spikes.SampleCount + 1];
        var neurons = new int[total];
        var values = new float[total];
        var pos = 0;
        for (var s = 0; s < spikes.SampleCount; s++)
        {
            for (var k = spikes.SampleOffsets[s]; k < spikes.SampleOffsets[s + 1]; k++)
            {
                var neuron = spikes.Neurons[k];
                var value = table[spikes.Times[k]];
                for (var c = multiplicities[k]; c > 0; c--)
                {
                    neurons[pos] = neuron;
                    values[pos] = value;
                    pos++;
                }
            }

            offsets[s + 1] = pos;
        }

        return new InputEvents(offsets, neurons, values);
    }

    /// <summary>
    /// Analog input: every non-zero input value is a current into layer 1 at t = 0. Zeros are skipped:
    /// adding w * 0 leaves a float sum unchanged, so skipping them changes no result.
    /// </summary>
    public static InputEvents FromAnalog(ReadOnlySpan<float> inputs, int sampleCount, int inputSize)
    {
        if (inputs.Length != sampleCount * inputSize)
            throw new ArgumentException($"{inputs.Length} input values for {sampleCount} samples of {inputSize}");
        var offsets = new int[sampleCount + 1];
        var count = 0;
        foreach (var x in inputs)
        {
            if (x != 0) count++;
        }

        var neurons = new int[count];
        var values = new float[count];
        var pos = 0;
        for (var s = 0; s < sampleCount; s++)
        {
            var sample = inputs.Slice(s * inputSize, inputSize);
            for (var i = 0; i < sample.Length; i++)
            {
                if (sample[i] == 0) continue;
                neurons[pos] = i;
                values[pos] = sample[i];
                pos++;
            }

            offsets[s + 1] = pos;
        }

        return new InputEvents(offsets, neurons, values);
    }

    /// <summary>TTFS-coded input: each pixel is encoded with the input kernel (window 0).</summary>
    public static SpikeBatch EncodeInput(ReadOnlySpan<float> inputs, int sampleCount, int inputSize, TemporalKernel inputKernel)
    {
        ArgumentNullException.ThrowIfNull(inputKernel);
        if (inputs.Length != sampleCount * inputSize)
            throw new ArgumentException($"{inputs.Length} input values for {sampleCount} samples of {inputSize}");
        var builder = new SpikeBatchBuilder(sampleCount, inputs.Length / 4);
        for (var s = 0; s < sampleCount; s++)
        {
            var sample = inputs.Slice(s * inputSize, inputSize);
            for (var i = 0; i < sample.Length; i++)
            {
                var r = inputKernel.Encode(sample[i]);
                if (r != TemporalKernel.NoSpike) builder.Add(i, r);
            }

            builder.EndSample();
        }

        return builder.Build();
    }
}
