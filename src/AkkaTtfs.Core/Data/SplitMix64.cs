namespace AkkaTtfs.Core.Data;

/// <summary>
/// The SplitMix64 generator (Steele, Lea, Flood, 2014): a 64-bit counter passed through a fixed mixing
/// function. Written out here so that a seed gives the same numbers on every machine and every .NET
/// version, which <see cref="Random"/> does not promise in writing.
/// </summary>
public sealed class SplitMix64
{
    private ulong _state;

    /// <summary>Starts the sequence at <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="bound"/>), by the multiply-high method (bias below 2^-32 for any int bound).</summary>
    public int NextInt(int bound)
    {
        if (bound < 1)
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "the upper bound must be at least 1");
        return (int)Math.BigMul(NextUInt64(), (ulong)bound, out _);
    }

    /// <summary>A number in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher-Yates shuffle of <paramref name="items"/> in place (from the last position down).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
