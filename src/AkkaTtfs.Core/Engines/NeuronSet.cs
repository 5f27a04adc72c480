using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
namespace AkkaTtfs.Core.Engines;

/// <summary>
/// A set of neuron indices (a route's neurons) for membership tests on the data path, in memory proportional to
/// the set, not to the stage: a route used to be a bool per neuron of its whole source stage, and a vgg16-sized
/// plan has thousands of routes over stages of up to 65,536 neurons. A set without holes (a channel slice of a
/// stage, in [c][y][x] order) is just its bounds, which also lets a filter copy a sample's spikes in one block;
/// other dense sets (tiles and their receptive fields) keep a bitset over [first, last] member, a shift and a mask
/// per test; a set so sparse that this bitset would outgrow the index list keeps the list and tests by binary search.
/// </summary>
public sealed class NeuronSet
{
    private readonly int _first;
    private readonly ulong _span;       // last - first + 1; 0 for the empty set
    private readonly ulong[]? _bits;    // bit (n - first) set for each member; null for a range and when _sorted is used
    private readonly int[]? _sorted;    // the members, when sparse

    /// <summary>The set of <paramref name="ascending"/> (strictly ascending, non-negative; a route's <c>Neurons</c>).</summary>
    /// <remarks>A sparse set keeps a reference to the array rather than a copy, since routes already hold it: do not change it afterwards.</remarks>
    public NeuronSet(int[] ascending)
    {
        ArgumentNullException.ThrowIfNull(ascending);
        for (var k = 0; k < ascending.Length; k++)
        {
            if (ascending[k] < 0) throw new ArgumentException($"neuron index {ascending[k]} is negative", nameof(ascending));
            if (k > 0 && ascending[k] <= ascending[k - 1])
                throw new ArgumentException($"neuron indices must be strictly ascending ({ascending[k - 1]} then {ascending[k]})", nameof(ascending));
        }

        Count = ascending.Length;
        if (Count == 0) return;
        _first = ascending[0];
        _span = (ulong)(ascending[^1] - ascending[0]) + 1;
        if (_span == (ulong)Count) return;   // no holes: the bounds are the set
        var words = (_span + 63) / 64;
        // A word holds 64 neurons; the list costs half a word per member. The bitset is kept while it is at most
        // twice the list, i.e. while the members fill at least 1 in 32 indices of their span.
        if (words <= (ulong)Count)
        {
            _bits = new ulong[words];
            foreach (var n in ascending)
            {
                var i = (ulong)(n - _first);
                _bits[i >> 6] |= 1UL << (int)i;
            }
        }
        else
        {
            _sorted = ascending;
        }
    }

    public int Count { get; }

    /// <summary>True when the set is every index from its first to its last member (or empty).</summary>
    public bool IsRange => _bits is null && _sorted is null;

    /// <summary>True when the set keeps a bitset (dense with holes), false for a range or a list (sparse).</summary>
    public bool IsBitset => _bits is not null;

    /// <summary>The smallest member; with <see cref="IsRange"/>, the set is [First, First + Count).</summary>
    public int First => _first;

    public bool Contains(int neuron)
    {
        // One unsigned compare covers both ends: below the first member, the (long) difference wraps past the span.
        var i = (ulong)((long)neuron - _first);
        if (i >= _span) return false;
        if (_bits is { } bits) return (bits[i >> 6] & (1UL << (int)i)) != 0;
        return _sorted is null || Array.BinarySearch(_sorted, neuron) >= 0;
    }

    /// <summary>
    /// The first index of <paramref name="neurons"/> that is not a member, or -1 when all are. The neurons are a
    /// batch's (<paramref name="sampleOffsets"/> delimit the samples, each ascending), so a range needs only each
    /// sample's first and last neuron.
    /// </summary>
    public int IndexOfFirstNonMember(ReadOnlySpan<int> neurons, ReadOnlySpan<int> sampleOffsets)
    {
        if (IsRange && Count > 0)
        {
            var last = _first + Count - 1;
            var clean = true;
            for (var s = 0; s + 1 < sampleOffsets.Length && clean; s++)
            {
                var (start, end) = (sampleOffsets[s], sampleOffsets[s + 1]);
                clean = start == end || (neurons[start] >= _first && neurons[end - 1] <= last);
            }

            if (clean) return -1;
        }

        for (var k = 0; k < neurons.Length; k++)
        {
            if (!Contains(neurons[k])) return k;
        }

        return -1;
    }
}

/// <summary>A routing filter for the generic filter loops of <see cref="SpikeBatch"/> and <see cref="InputEvents"/>.</summary>
internal interface INeuronFilter
{
    bool Keeps(int neuron);
}

/// <summary>A bool per neuron of the source space (the original routing mask).</summary>
internal readonly ref struct NeuronMask(ReadOnlySpan<bool> keep) : INeuronFilter
{
    private readonly ReadOnlySpan<bool> _keep = keep;

    public bool Keeps(int neuron) => _keep[neuron];
}

internal readonly struct NeuronSetFilter(NeuronSet set) : INeuronFilter
{
    public bool Keeps(int neuron) => set.Contains(neuron);
}
