using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
namespace AkkaTtfs.Core.Engines;

/// <summary>
/// Spikes of a batch of samples in one neuron space, as compact arrays (no per-spike objects):
/// sample s owns entries [SampleOffsets[s], SampleOffsets[s+1]) of <see cref="Neurons"/> and
/// <see cref="Times"/>, with neuron indices ascending inside each sample (the canonical order).
/// A spike a duplicate fault copied is still one entry, with a <see cref="Multiplicities"/> above 1: it
/// is delivered that many times (every copy has the same time, since copies share their fault draws).
/// </summary>
public sealed class SpikeBatch
{
    public SpikeBatch(int[] sampleOffsets, int[] neurons, byte[] times)
        : this(sampleOffsets, neurons, times, null)
    {
    }

    /// <summary>
    /// A batch whose spikes may be delivered more than once: <paramref name="multiplicities"/>[k] (&gt;= 1) is
    /// how many times entry k is delivered; null, or all ones, is the same as every spike once (and is stored
    /// as null, so a batch without a copy has one representation whichever constructor built it).
    /// </summary>
    public SpikeBatch(int[] sampleOffsets, int[] neurons, byte[] times, byte[]? multiplicities)
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

        long deliveries = neurons.Length;
        if (multiplicities is not null)
        {
            if (multiplicities.Length != neurons.Length)
                throw new ArgumentException($"{neurons.Length} neuron indices but {multiplicities.Length} multiplicities");
            var copies = 0L;
            for (var k = 0; k < multiplicities.Length; k++)
            {
                if (multiplicities[k] == 0) throw new ArgumentException($"spike {k} (neuron {neurons[k]}) has multiplicity 0; a spike is delivered at least once");
                copies += multiplicities[k] - 1;
            }

            deliveries += copies;
            if (copies == 0) multiplicities = null;
        }

        SampleOffsets = sampleOffsets;
        Neurons = neurons;
        Times = times;
        Multiplicities = multiplicities;
        DeliveryCount = deliveries;
    }

    public int[] SampleOffsets { get; }

    public int[] Neurons { get; }

    /// <summary>Relative spike times inside the source layer's firing window, 0..T-1.</summary>
    public byte[] Times { get; }

    public int SampleCount => SampleOffsets.Length - 1;

    /// <summary>Entries (distinct spikes), whatever their multiplicities.</summary>
    public int SpikeCount => Neurons.Length;

    /// <summary>
    /// How many times each entry is delivered (&gt;= 1); null when every spike is delivered once, which is the
    /// case of every fault-free batch.
    /// </summary>
    public byte[]? Multiplicities { get; }

    /// <summary>Deliveries: <see cref="SpikeCount"/> plus every extra copy of a duplicated spike.</summary>
    public long DeliveryCount { get; }

    /// <summary>How many times entry <paramref name="index"/> is delivered.</summary>
    public int MultiplicityAt(int index) => Multiplicities is { } m ? m[index] : 1;

    public ReadOnlySpan<int> NeuronsOf(int sample) => Neurons.AsSpan(SampleOffsets[sample], SampleOffsets[sample + 1] - SampleOffsets[sample]);

    public ReadOnlySpan<byte> TimesOf(int sample) => Times.AsSpan(SampleOffsets[sample], SampleOffsets[sample + 1] - SampleOffsets[sample]);

    public static SpikeBatch Empty(int sampleCount) => new(new int[sampleCount + 1], [], []);

    /// <summary>
    /// Keeps only the spikes of neurons marked in <paramref name="keep"/> (a routing-table filter);
    /// order is preserved, so the result stays canonical.
    /// </summary>
    public SpikeBatch Where(ReadOnlySpan<bool> keep) => Filter(new NeuronMask(keep));

    /// <summary>Keeps only the spikes of the neurons in <paramref name="keep"/> (a route); order is preserved.</summary>
    public SpikeBatch Where(NeuronSet keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        return keep.IsRange ? WhereRange(keep.First, keep.First + keep.Count) : Filter(new NeuronSetFilter(keep));
    }

    /// <summary>Spikes of neurons in [begin, end): a sample's neurons ascend, so they are one block of it, found by binary search.</summary>
    private SpikeBatch WhereRange(int begin, int end)
    {
        var offsets = new int[SampleCount + 1];
        var blocks = new (int Start, int Length)[SampleCount];
        for (var s = 0; s < SampleCount; s++)
        {
            var n = NeuronsOf(s);
            var from = LowerBound(n, begin);
            var to = from + LowerBound(n[from..], end);
            blocks[s] = (SampleOffsets[s] + from, to - from);
            offsets[s + 1] = offsets[s] + (to - from);
        }

        var total = offsets[SampleCount];
        var neurons = new int[total];
        var times = new byte[total];
        var multiplicities = Multiplicities is null ? null : new byte[total];
        for (var s = 0; s < SampleCount; s++)
        {
            var (start, length) = blocks[s];
            Neurons.AsSpan(start, length).CopyTo(neurons.AsSpan(offsets[s]));
            Times.AsSpan(start, length).CopyTo(times.AsSpan(offsets[s]));
            Multiplicities?.AsSpan(start, length).CopyTo(multiplicities.AsSpan(offsets[s]));
        }

        return new SpikeBatch(offsets, neurons, times, multiplicities);
    }

    /// <summary>Index of the first value &gt;= <paramref name="value"/> in ascending <paramref name="values"/> (its length if none).</summary>
    private static int LowerBound(ReadOnlySpan<int> values, int value)
    {
        var i = values.BinarySearch(value);
        return i >= 0 ? i : ~i;
    }

    // Generic over a struct filter, so that each kind of filter gets its own compiled loop (no call through an interface per spike).
    private SpikeBatch Filter<TFilter>(TFilter keep)
        where TFilter : INeuronFilter, allows ref struct
    {
        var builder = new SpikeBatchBuilder(SampleCount, SpikeCount);
        if (Multiplicities is { } multiplicities)
        {
            // A separate loop, so that the fault-free filter below does not test for copies per spike.
            for (var s = 0; s < SampleCount; s++)
            {
                for (var k = SampleOffsets[s]; k < SampleOffsets[s + 1]; k++)
                {
                    if (keep.Keeps(Neurons[k])) builder.Add(Neurons[k], Times[k], multiplicities[k]);
                }

                builder.EndSample();
            }

            return builder.Build();
        }

        for (var s = 0; s < SampleCount; s++)
        {
            var n = NeuronsOf(s);
            var t = TimesOf(s);
            for (var k = 0; k < n.Length; k++)
            {
                if (keep.Keeps(n[k])) builder.Add(n[k], t[k]);
            }

            builder.EndSample();
        }

        return builder.Build();
    }

    /// <summary>
    /// Merges spike batches of the same samples from several sources into one canonical batch
    /// (ascending neuron index per sample). Multiplicities travel with their spikes. A neuron that more than
    /// one source delivers is a routing error and throws (a duplicated spike is one entry of one source).
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
        byte[]? multiplicities = null;
        foreach (var b in sources)
        {
            if (b.Multiplicities is not null) multiplicities = new byte[total];
        }

        var pos = 0;
        for (var s = 0; s < samples; s++)
        {
            var start = pos;
            foreach (var b in sources)
            {
                var n = b.NeuronsOf(s);
                n.CopyTo(neurons.AsSpan(pos));
                b.TimesOf(s).CopyTo(times.AsSpan(pos));
                if (multiplicities is not null)
                {
                    var m = multiplicities.AsSpan(pos, n.Length);
                    if (b.Multiplicities is null) m.Fill(1);
                    else b.Multiplicities.AsSpan(b.SampleOffsets[s], n.Length).CopyTo(m);
                }

                pos += n.Length;
            }

            var ns = neurons.AsSpan(start, pos - start);
            var ts = times.AsSpan(start, pos - start);
            if (!IsStrictlyAscending(ns))
            {
                if (multiplicities is null) ns.Sort(ts);
                else SortCarrying(ns, ts, multiplicities.AsSpan(start, pos - start));
                for (var k = 1; k < ns.Length; k++)
                {
                    if (ns[k] == ns[k - 1])
                        throw new InvalidOperationException($"sample {s}: neuron {ns[k]} was delivered by more than one source");
                }
            }

            offsets[s + 1] = pos;
        }

        return new SpikeBatch(offsets, neurons, times, multiplicities);
    }

    /// <summary>Sorts by neuron, carrying time and multiplicity (packed into one key's item, since a sort carries one).</summary>
    private static void SortCarrying(Span<int> neurons, Span<byte> times, Span<byte> multiplicities)
    {
        var items = new int[neurons.Length];
        for (var k = 0; k < items.Length; k++) items[k] = (multiplicities[k] << 8) | times[k];
        neurons.Sort(items.AsSpan());
        for (var k = 0; k < items.Length; k++)
        {
            times[k] = (byte)items[k];
            multiplicities[k] = (byte)(items[k] >> 8);
        }
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

    // Extra copies per entry (multiplicity - 1), allocated at the first duplicated spike. Zero means once, so
    // entries added by the plain Add need no write here and the fault-free path stays as it was.
    private byte[]? _extra;
    private int _count;
    private int _sample;

    public void Add(int neuron, int time)
    {
        if (_count == _neurons.Length) Grow();
        _neurons[_count] = neuron;
        _times[_count] = (byte)time;
        _count++;
    }

    /// <summary>Adds spikes delivered once each (<paramref name="times"/> 0..255), in the order given.</summary>
    public void AddRange(ReadOnlySpan<int> neurons, ReadOnlySpan<int> times)
    {
        if (neurons.Length != times.Length) throw new ArgumentException($"{neurons.Length} neurons but {times.Length} times");
        while (_count + neurons.Length > _neurons.Length) Grow();
        neurons.CopyTo(_neurons.AsSpan(_count));
        var target = _times.AsSpan(_count, times.Length);
        for (var k = 0; k < times.Length; k++) target[k] = (byte)times[k];
        _count += neurons.Length;
    }

    /// <summary>Adds a spike delivered <paramref name="multiplicity"/> times (1..255).</summary>
    public void Add(int neuron, int time, int multiplicity)
    {
        if (multiplicity is < 1 or > byte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(multiplicity), multiplicity, "a spike is delivered 1 to 255 times");
        if (multiplicity > 1) _extra ??= new byte[_neurons.Length];
        Add(neuron, time);
        if (_extra is not null) _extra[_count - 1] = (byte)(multiplicity - 1);
    }

    private void Grow()
    {
        var size = _neurons.Length * 2;
        Array.Resize(ref _neurons, size);
        Array.Resize(ref _times, size);
        if (_extra is not null) Array.Resize(ref _extra, size);
    }

    public void EndSample() => _offsets[++_sample] = _count;

    public SpikeBatch Build()
    {
        if (_sample != _offsets.Length - 1)
            throw new InvalidOperationException($"{_sample} of {_offsets.Length - 1} samples were ended");
        if (_extra is null) return new SpikeBatch(_offsets, _neurons[.._count], _times[.._count]);
        var multiplicities = new byte[_count];
        for (var k = 0; k < _count; k++) multiplicities[k] = (byte)(_extra[k] + 1);
        return new SpikeBatch(_offsets, _neurons[.._count], _times[.._count], multiplicities);
    }
}
