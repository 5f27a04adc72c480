using AkkaTtfs.Core.Data;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class SplitMix64Tests
{
    [Fact]
    public void Seed_zero_gives_the_published_reference_sequence()
    {
        // First outputs of the reference C implementation (Vigna's splitmix64.c) started from state 0.
        var random = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void Bounded_and_unit_interval_draws_stay_in_range_and_cover_it()
    {
        var random = new SplitMix64(42);
        var seen = new bool[7];
        for (var i = 0; i < 1000; i++)
        {
            var k = random.NextInt(7);
            Assert.InRange(k, 0, 6);
            seen[k] = true;
            Assert.InRange(random.NextDouble(), 0.0, 0.9999999999999999);
        }

        Assert.All(seen, Assert.True);
        Assert.Equal(0, random.NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void Shuffle_is_a_permutation_fixed_by_the_seed()
    {
        int[] a = [.. Enumerable.Range(0, 20)];
        int[] b = [.. Enumerable.Range(0, 20)];
        new SplitMix64(7).Shuffle(a.AsSpan());
        new SplitMix64(7).Shuffle(b.AsSpan());

        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, 20), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 20), a);
    }
}
