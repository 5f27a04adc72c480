using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>
/// Spike batches with copies (what a duplicate fault emits): they keep one entry per spike, carry its
/// multiplicity through routing and merging, and expand into adjacent events in the canonical order.
/// </summary>
public class SpikeBatchTests
{
    [Fact]
    public void The_builder_records_copies_only_when_there_are_some()
    {
        var plain = new SpikeBatchBuilder(2, 1);
        plain.Add(1, 3);
        plain.Add(4, 0, 1);
        plain.EndSample();
        plain.EndSample();
        var a = plain.Build();
        Assert.Null(a.Multiplicities);
        Assert.Equal(2, a.DeliveryCount);

        var copied = new SpikeBatchBuilder(2, 1);     // capacity 1 (4 at least): the copies must survive growing
        for (var n = 0; n < 9; n++) copied.Add(n, n, n == 2 ? 4 : 1);
        copied.EndSample();
        copied.Add(0, 7, 255);
        copied.EndSample();
        var b = copied.Build();
        Assert.Equal(new byte[] { 1, 1, 4, 1, 1, 1, 1, 1, 1, 255 }, b.Multiplicities);
        Assert.Equal(10 + 3 + 254, b.DeliveryCount);
        Assert.Equal(4, b.MultiplicityAt(2));
        Assert.Equal(1, a.MultiplicityAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => copied.Add(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => copied.Add(0, 0, 256));
        Assert.Throws<ArgumentException>(() => new SpikeBatch([0, 2], [1, 2], [0, 0], [1, 0]));
        Assert.Throws<ArgumentException>(() => new SpikeBatch([0, 2], [1, 2], [0, 0], [1]));
        Assert.Throws<ArgumentException>(() => new SpikeBatch([0, 2], [2, 2], [0, 0], [2, 1]));   // copies are one entry, never a repeated index
    }

    [Fact]
    public void Routing_and_merging_keep_copies_with_their_spikes_and_the_canonical_order()
    {
        // Two sources of one sample each, interleaved neurons, so that the merge has to sort.
        var left = new SpikeBatch([0, 3, 4], [1, 5, 9, 2], [10, 11, 12, 13], [2, 1, 4, 1]);
        var right = new SpikeBatch([0, 2, 3], [0, 6, 3], [20, 21, 22]);
        var merged = SpikeBatch.Merge([left, right]);
        Assert.Equal(new[] { 0, 5, 7 }, merged.SampleOffsets);
        Assert.Equal(new[] { 0, 1, 5, 6, 9, 2, 3 }, merged.Neurons);
        Assert.Equal(new byte[] { 20, 10, 11, 21, 12, 13, 22 }, merged.Times);
        Assert.Equal(new byte[] { 1, 2, 1, 1, 4, 1, 1 }, merged.Multiplicities);
        Assert.Equal(7 + 1 + 3, merged.DeliveryCount);

        var keep = new bool[10];
        keep[1] = keep[9] = keep[3] = true;
        var routed = merged.Where(keep);
        Assert.Equal(new[] { 1, 9, 3 }, routed.Neurons);
        Assert.Equal(new byte[] { 2, 4, 1 }, routed.Multiplicities);
        keep[1] = keep[9] = false;
        Assert.Null(merged.Where(keep).Multiplicities);   // no copy left: the fault-free representation

        var clash = new SpikeBatch([0, 1, 1], [5], [0], [2]);
        Assert.Throws<InvalidOperationException>(() => SpikeBatch.Merge([left, clash]));   // neuron 5 from two sources
    }

    [Fact]
    public void Copies_become_adjacent_events_of_the_same_value()
    {
        var kernel = new TemporalKernel(5f, 0.5f, 16);
        var spikes = new SpikeBatch([0, 3, 4], [2, 4, 7, 1], [0, 3, 15, 6], [1, 2, 1, 3]);
        var events = InputEvents.FromSpikes(spikes, kernel);
        Assert.Equal(new[] { 0, 4, 7 }, events.SampleOffsets);
        Assert.Equal(new[] { 2, 4, 4, 7, 1, 1, 1 }, events.Neurons);
        var table = kernel.DecodeTable;
        Assert.Equal(new[] { table[0], table[3], table[3], table[15], table[6], table[6], table[6] }, events.Values);

        var plain = InputEvents.FromSpikes(new SpikeBatch([0, 3, 4], [2, 4, 7, 1], [0, 3, 15, 6]), kernel);
        Assert.Equal(new[] { 2, 4, 7, 1 }, plain.Neurons);
    }
}
