namespace AkkaTtfs.Core.Simulation;

/// <summary>
/// Spikes of a batch of samples in one neuron space, as compact arrays (no per-spike objects):
/// sample s owns entries [SampleOffsets[s], SampleOffsets[s+1]) of <see cref="Neurons"/> and
/// <see cref="Times"/>, with neuron indices ascending inside each sample (the canonical order).
/// </summary>
public sealed class SpikeBatch
{
    public SpikeBatch(int[] sampleOffsets, int[] neurons, byte[] times)
    {
        ArgumentNullException.ThrowIfNull(sampleOffsets);
        ArgumentNullException.ThrowIfNull(neurons);
        ArgumentNullException.ThrowIfNull(times);
        if (sampleOffsets.Length < 1 || sampleOffsets[0] != 0 || sampleOffsets[^1] != neurons.Length)
            throw new ArgumentException($"sample offsets must start at 0 and end at the spike count {neurons.Length}");
        if (neurons.Length != times.Length)
            throw new ArgumentException($"{neurons.Length} neuron indices but {times.Length} spike times");
        for (var s = 0; s + 1 < sampleOffsets.Length; s++)
        {
            if (sampleOffsets[s + 1] < sampleOffsets[s])
                throw new ArgumentException($"sample offsets decrease at sample {s}");
            for (var k = sampleOffsets[s] + 1; k < sampleOffsets[s + 1]; k++)
            {
                if (neurons[k] <= neurons[k - 1])
                    throw new ArgumentException($"sample {s}: neuron indices must be strictly ascending ({neurons[k - 1]} then {neurons[k]})");
            }
        }

        SampleOffsets = sampleOffsets;
        Neurons = neurons;
        Times = times;
    }

    public int[] SampleOffsets { get; }

    public int[] Neurons { get; }

    /// <summary>Relative spike times inside the source layer's firing window, 0..T-1.</summary>
    public byte[] Times { get; }

    public int SampleCount => SampleOffsets.Length - 1;

    public int SpikeCount => Neurons.Length;

    public ReadOnlySpan<int> NeuronsOf(int sample) => Neurons.AsSpan(SampleOffsets[sample], SampleOffsets[sample + 1] - SampleOffsets[sample]);

    public ReadOnlySpan<byte> TimesOf(int sample) => Times.AsSpan(SampleOffsets[sample], SampleOffsets[sample + 1] - SampleOffsets[sample]);

    public static SpikeBatch Empty(int sampleCount) => new(new int[sampleCount + 1], [], []);

    /// <summary>
    /// Keeps only the spikes of neurons marked in <paramref name="keep"/> (a routing-table filter);
    /// order is preserved, so the result stays canonical.
    /// </summary>
    public SpikeBatch Where(ReadOnlySpan<bool> keep)
    {
        var builder = new SpikeBatchBuilder(SampleCount, SpikeCount);
        for (var s = 0; s < SampleCount; s++)
        {
            var n = NeuronsOf(s);
            var t = TimesOf(s);
            for (var k = 0; k < n.Length; k++)
            {
                if (keep[n[k]]) builder.Add(n[k], t[k]);
            }

            builder.EndSample();
        }

        return builder.Build();
    }

    /// <summary>
    /// Merges spike batches of the same samples from several sources into one canonical batch
    /// (ascending neuron index per sample). A neuron delivered twice is a routing error and throws.
    /// </summary>
    public static SpikeBatch Merge(IReadOnlyList<SpikeBatch> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) throw new ArgumentException("nothing to merge");
        if (sources.Count == 1) return sources[0];
        var samples = sources[0].SampleCount;
        var total = 0;
        foreach (var b in sources)
        {
            if (b.SampleCount != samples)
                throw new ArgumentException($"cannot merge spike batches of {samples} and {b.SampleCount} samples");
            total += b.SpikeCount;
        }

        var offsets = new int[samples + 1];
        var neurons = new int[total];
        var times = new byte[total];
        var pos = 0;
        for (var s = 0; s < samples; s++)
        {
            var start = pos;
            foreach (var b in sources)
            {
                var n = b.NeuronsOf(s);
                n.CopyTo(neurons.AsSpan(pos));
                b.TimesOf(s).CopyTo(times.AsSpan(pos));
                pos += n.Length;
            }

            var ns = neurons.AsSpan(start, pos - start);
            var ts = times.AsSpan(start, pos - start);
            if (!IsStrictlyAscending(ns))
            {
                ns.Sort(ts);
                for (var k = 1; k < ns.Length; k++)
                {
                    if (ns[k] == ns[k - 1])
                        throw new InvalidOperationException($"sample {s}: neuron {ns[k]} was delivered by more than one source");
                }
            }

            offsets[s + 1] = pos;
        }

        return new SpikeBatch(offsets, neurons, times);
    }

    private static bool IsStrictlyAscending(ReadOnlySpan<int> values)
    {
        for (var k = 1; k < values.Length; k++)
        {
            if (values[k] <= values[k - 1]) return false;
        }

        return true;
    }
}

/// <summary>Builds a <see cref="SpikeBatch"/> sample by sample; callers add neurons in ascending order.</summary>
public sealed class SpikeBatchBuilder(int sampleCount, int capacity = 64)
{
    private readonly int[] _offsets = new int[sampleCount + 1];
    private int[] _neurons = new int[Math.Max(capacity, 4)];
    private byte[] _times = new byte[Math.Max(capacity, 4)];
    private int _count;
    private int _sample;

    public void Add(int neuron, int time)
    {
        if (_count == _neurons.Length)
        {
            Array.Resize(ref _neurons, _count * 2);
            Array.Resize(ref _times, _count * 2);
        }

        _neurons[_count] = neuron;
        _times[_count] = (byte)time;
        _count++;
    }

    public void EndSample() => _offsets[++_sample] = _count;

    public SpikeBatch Build()
    {
        if (_sample != _offsets.Length - 1)
            throw new InvalidOperationException($"{_sample} of {_offsets.Length - 1} samples were ended");
        return new SpikeBatch(_offsets, _neurons[.._count], _times[.._count]);
    }
}
