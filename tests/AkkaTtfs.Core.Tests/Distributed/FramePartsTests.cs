using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>
/// Splitting a message into parts and merging them back: against messages made here (random bytes and real spike
/// payloads), with parts delivered out of order, twice, from a stale attempt, and forged.
/// </summary>
public class FramePartsTests
{
    private static readonly FrameKey Key = new(1, 4, 0, 2);

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(10, 3)]
    [InlineData(10, 5)]
    [InlineData(1000, 7)]
    [InlineData(1001, 1000)]
    [InlineData(65_537, 4096)]
    public void Split_then_merge_in_any_order_gives_the_message_back_and_parts_respect_the_budget(int length, int budget)
    {
        var message = RandomBytes(length, length + budget);
        var parts = FrameSplitter.Split(message, budget);

        Assert.Equal((length + budget - 1) / budget, parts.Length);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, budget));
        Assert.Equal(message, parts.SelectMany(p => p).ToArray());     // the parts in order are the message

        var merger = new FrameMerger(1 << 20);
        var order = Enumerable.Range(0, parts.Length).OrderBy(_ => Guid.NewGuid()).ToArray();
        FrameMergeResult last = default;
        foreach (var (i, k) in order.Select((i, k) => (i, k)))
        {
            last = merger.Accept(Key, i, parts.Length, length, parts[i]);
            Assert.Equal(k == order.Length - 1 ? FrameMergeStatus.Complete : FrameMergeStatus.Incomplete, last.Status);
        }

        Assert.Equal(message, last.Message);
        Assert.Equal(0, merger.PendingCount);
    }

    [Fact]
    public void A_real_spike_payload_merges_byte_identical_and_decodes_to_the_same_batch()
    {
        var rng = new Random(5);
        var offsets = new int[41];
        var neurons = new List<int>();
        var times = new List<byte>();
        for (var s = 0; s < 40; s++)
        {
            for (var n = 0; n < 5000; n++)
            {
                if (rng.NextDouble() >= 0.3) continue;
                neurons.Add(n);
                times.Add((byte)rng.Next(0, 32));
            }

            offsets[s + 1] = neurons.Count;
        }

        var payload = SpikeCodec.Encode(new SpikeBatch(offsets, [.. neurons], [.. times]));
        var parts = FrameSplitter.Split(payload, 9_999);
        Assert.True(parts.Length >= 10, $"{parts.Length} parts");
        var merger = new FrameMerger(payload.Length);
        byte[]? merged = null;
        for (var i = parts.Length - 1; i >= 0; i--) merged = merger.Accept(Key, i, parts.Length, payload.Length, parts[i]).Message ?? merged;

        Assert.Equal(payload, merged);
        var back = SpikeCodec.Decode(merged, 40, 5000, 32);
        Assert.Equal(neurons, back.Neurons);
        Assert.Equal(times, back.Times);
    }

    [Fact]
    public void Duplicates_are_ignored_before_and_after_completion_and_a_copy_with_other_bytes_is_refused()
    {
        var message = RandomBytes(30, 1);
        var parts = FrameSplitter.Split(message, 10);
        var merger = new FrameMerger(100);
        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(Key, 1, 3, 30, parts[1]).Status);
        Assert.Equal(FrameMergeStatus.Duplicate, merger.Accept(Key, 1, 3, 30, parts[1]).Status);

        var forged = (byte[])parts[1].Clone();
        forged[0] ^= 1;
        var ex = Assert.Throws<PayloadException>(() => merger.Accept(Key, 1, 3, 30, forged));
        Assert.Contains("different bytes", ex.Message, StringComparison.Ordinal);

        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(Key, 0, 3, 30, parts[0]).Status);
        var done = merger.Accept(Key, 2, 3, 30, parts[2]);
        Assert.Equal(FrameMergeStatus.Complete, done.Status);
        Assert.Equal(message, done.Message);
        // A late copy of a part of a complete message neither completes it again nor starts a new one.
        Assert.Equal(FrameMergeStatus.Duplicate, merger.Accept(Key, 0, 3, 30, parts[0]).Status);
        Assert.Equal(0, merger.PendingCount);
    }

    [Fact]
    public void Parts_of_a_stale_attempt_are_dropped_and_a_newer_attempt_discards_what_the_old_one_collected()
    {
        var oldMessage = RandomBytes(20, 2);
        var newMessage = RandomBytes(20, 3);
        var oldParts = FrameSplitter.Split(oldMessage, 10);
        var newParts = FrameSplitter.Split(newMessage, 10);
        var attempt0 = Key with { Attempt = 0 };
        var attempt1 = Key with { Attempt = 1 };
        var otherSource = Key with { Attempt = 0, Source = 3 };
        var merger = new FrameMerger(100);

        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(attempt0, 0, 2, 20, oldParts[0]).Status);
        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(otherSource, 0, 2, 20, oldParts[0]).Status);
        Assert.Equal(2, merger.PendingCount);
        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(attempt1, 1, 2, 20, newParts[1]).Status);
        Assert.Equal(1, merger.PendingCount);           // attempt 0 of the batch (both sources) is gone

        Assert.Equal(FrameMergeStatus.Stale, merger.Accept(attempt0, 1, 2, 20, oldParts[1]).Status);
        Assert.Equal(FrameMergeStatus.Stale, merger.Accept(otherSource, 1, 2, 20, oldParts[1]).Status);
        var done = merger.Accept(attempt1, 0, 2, 20, newParts[0]);
        Assert.Equal(FrameMergeStatus.Complete, done.Status);
        Assert.Equal(newMessage, done.Message);

        // Another batch is not affected by batch 4's attempts.
        var otherBatch = Key with { BatchId = 5, Attempt = 0 };
        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(otherBatch, 0, 2, 20, oldParts[0]).Status);
        Assert.Equal(oldMessage, merger.Accept(otherBatch, 1, 2, 20, oldParts[1]).Message);
    }

    [Theory]
    [InlineData(0, 1, 10, 10, "not split")]               // a message in one part is no split message
    [InlineData(2, 2, 10, 5, "is not a part of 2")]
    [InlineData(-1, 2, 10, 5, "is not a part of 2")]
    [InlineData(0, 2, 1000, 500, "more than the 100 bytes")]
    [InlineData(0, 3, 2, 1, "cannot make 3 non-empty parts")]
    [InlineData(0, 2, 10, 4, "has 4 bytes, expected 5")]
    [InlineData(2, 3, 10, 4, "has 4 bytes, expected 2")]
    public void Forged_part_positions_and_sizes_are_refused_before_anything_is_stored(int index, int count, int total, int length, string expected)
    {
        var merger = new FrameMerger(100);
        var ex = Assert.Throws<PayloadException>(() => merger.Accept(Key, index, count, total, new byte[length]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, merger.PendingCount);
        // Control: the same merger takes right-sized parts of the same message (part 1 of 3 of 10 bytes has 4).
        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(Key, 1, 3, 10, new byte[4]).Status);
    }

    [Fact]
    public void A_part_disagreeing_with_the_earlier_parts_of_its_message_is_refused()
    {
        var merger = new FrameMerger(100);
        Assert.Equal(FrameMergeStatus.Incomplete, merger.Accept(Key, 0, 2, 20, new byte[10]).Status);
        var ex = Assert.Throws<PayloadException>(() => merger.Accept(Key, 1, 3, 21, new byte[7]));
        Assert.Contains("disagrees with its earlier parts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(20, merger.PendingBytes);
    }

    [Fact]
    public void The_worst_case_payload_bounds_hold_for_dense_sparse_and_duplicated_batches()
    {
        // Every neuron spiking (dense) and one spike at the far end (largest gap), with and without copies.
        const int samples = 3, neurons = 20_000;
        var all = Enumerable.Range(0, neurons).ToArray();
        var dense = new SpikeBatch([0, neurons, 2 * neurons, 3 * neurons], [.. all, .. all, .. all], [.. Enumerable.Repeat((byte)200, 3 * neurons)]);
        var copies = new byte[3 * neurons];
        Array.Fill(copies, (byte)255);
        var duplicated = new SpikeBatch(dense.SampleOffsets, dense.Neurons, dense.Times, copies);
        var sparse = new SpikeBatch([0, 1, 2, 3], [neurons - 1, neurons - 1, neurons - 1], [1, 1, 1]);

        Assert.InRange(SpikeCodec.Encode(dense).Length, 1, SpikeCodec.MaxEncodedBytes(samples, neurons, neurons, copies: false));
        Assert.InRange(SpikeCodec.Encode(sparse).Length, 1, SpikeCodec.MaxEncodedBytes(samples, 1, neurons, copies: false));
        Assert.InRange(SpikeCodec.Encode(duplicated).Length, 1, SpikeCodec.MaxEncodedBytes(samples, neurons, neurons, copies: true));
        Assert.True(SpikeCodec.Encode(duplicated).Length > SpikeCodec.MaxEncodedBytes(samples, neurons, neurons, copies: false), "the copies bound is needed");

        var values = Enumerable.Repeat(-1.5f, samples * neurons).ToArray();
        var analog = InputEvents.FromAnalog(values, samples, neurons);
        Assert.InRange(SpikeCodec.EncodeAnalog(analog).Length, 1, SpikeCodec.MaxEncodedAnalogBytes(samples, neurons, neurons));
    }
}
