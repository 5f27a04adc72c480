using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>The compact route filter answers exactly as the bool-per-neuron mask it replaces, dense or sparse.</summary>
public class NeuronSetTests
{
    private static int[] RandomSet(Random rng, int space, double density) =>
        Enumerable.Range(0, space).Where(_ => rng.NextDouble() < density).ToArray();

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.05)]
    [InlineData(0.005)]
    [InlineData(0.0)]
    public void Membership_matches_a_mask_over_the_source_space(double density)
    {
        var rng = new Random((int)(density * 1000) + 1);
        for (var trial = 0; trial < 20; trial++)
        {
            var space = rng.Next(1, 5000);
            var members = RandomSet(rng, space, density);
            var set = new NeuronSet(members);
            var mask = new bool[space];
            foreach (var n in members) mask[n] = true;
            Assert.Equal(members.Length, set.Count);
            for (var n = -70; n < space + 70; n++)
                Assert.Equal(n >= 0 && n < space && mask[n], set.Contains(n));
            Assert.False(set.Contains(int.MinValue));
            Assert.False(set.Contains(int.MaxValue));
        }
    }

    [Fact]
    public void Ranges_keep_their_bounds_dense_sets_a_bitset_over_their_span_and_sparse_sets_the_list()
    {
        // A channel slice of a 65,536-neuron stage: 8,192 consecutive neurons, two ints instead of 65,536 bools.
        var slice = new NeuronSet(Enumerable.Range(16_384, 8_192).ToArray());
        Assert.True(slice.IsRange);
        Assert.Equal(16_384, slice.First);
        // A 2x2 tile of a 16x16 map in 4 channels: holes, so a bitset over its span (4 words).
        var tile = Enumerable.Range(0, 4).SelectMany(c => Enumerable.Range(0, 8).SelectMany(y => Enumerable.Range(0, 8).Select(x => (c * 256) + (y * 16) + x))).ToArray();
        Assert.True(new NeuronSet(tile).IsBitset);
        // One neuron in 4,096: the bitset would be 64 words per member, the list is half a word.
        Assert.False(new NeuronSet(Enumerable.Range(0, 16).Select(k => k * 4_096).ToArray()).IsBitset);
        Assert.True(new NeuronSet([int.MaxValue]).Contains(int.MaxValue));
        Assert.False(new NeuronSet([0, int.MaxValue]).Contains(int.MaxValue - 1));
    }

    [Theory]
    [InlineData(new[] { 10, 11, 12, 13 })]               // a range
    [InlineData(new[] { 10, 12, 13, 30, 31 })]           // a bitset
    [InlineData(new[] { 10, 5_000, 90_000 })]            // a list
    public void The_first_non_member_of_a_batch_is_found_in_every_sample(int[] members)
    {
        var set = new NeuronSet(members);
        int[] offsets = [0, 2, 2, 4];
        Assert.Equal(-1, set.IndexOfFirstNonMember([members[0], members[1], members[^2], members[^1]], offsets));
        Assert.Equal(3, set.IndexOfFirstNonMember([members[0], members[1], members[^2], members[^1] + 1], offsets));
        Assert.Equal(0, set.IndexOfFirstNonMember([members[0] - 1, members[0], members[1], members[^1]], offsets));
        Assert.Equal(2, set.IndexOfFirstNonMember([members[0], members[1], members[0] - 1, members[^1]], offsets));
        Assert.Equal(-1, new NeuronSet([]).IndexOfFirstNonMember([], [0, 0]));
        Assert.Equal(0, new NeuronSet([]).IndexOfFirstNonMember([3], [0, 1]));
    }

    [Fact]
    public void Unordered_or_negative_indices_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new NeuronSet([3, 2]));
        Assert.Throws<ArgumentException>(() => new NeuronSet([2, 2]));
        Assert.Throws<ArgumentException>(() => new NeuronSet([-1, 2]));
    }

    [Fact]
    public void Filtering_by_a_set_equals_filtering_by_a_mask()
    {
        var rng = new Random(8);
        for (var trial = 0; trial < 30; trial++)
        {
            var space = rng.Next(1, 800);
            var samples = rng.Next(0, 6);
            var builder = new SpikeBatchBuilder(samples);
            for (var s = 0; s < samples; s++)
            {
                foreach (var n in RandomSet(rng, space, 0.3)) builder.Add(n, rng.Next(16), trial % 3 == 0 ? rng.Next(1, 4) : 1);
                builder.EndSample();
            }

            var batch = builder.Build();
            var lo = rng.Next(space);
            var members = (trial % 3) switch
            {
                0 => Enumerable.Range(lo, rng.Next(space - lo + 1)).ToArray(),   // a range, possibly empty
                1 => RandomSet(rng, space, 0.6),
                _ => RandomSet(rng, space, 0.01),
            };
            var mask = new bool[space];
            foreach (var n in members) mask[n] = true;
            var bySet = batch.Where(new NeuronSet(members));
            var byMask = batch.Where(mask);
            Assert.Equal(byMask.SampleOffsets, bySet.SampleOffsets);
            Assert.Equal(byMask.Neurons, bySet.Neurons);
            Assert.Equal(byMask.Times, bySet.Times);
            Assert.Equal(byMask.Multiplicities, bySet.Multiplicities);

            var events = InputEvents.Create(batch.SampleOffsets, batch.Neurons, batch.Times.Select(t => t + 0.5f).ToArray());
            var eventsBySet = events.Where(new NeuronSet(members));
            var eventsByMask = events.Where(mask);
            Assert.Equal(eventsByMask.SampleOffsets, eventsBySet.SampleOffsets);
            Assert.Equal(eventsByMask.Neurons, eventsBySet.Neurons);
            Assert.Equal(eventsByMask.Values, eventsBySet.Values);
        }
    }
}
