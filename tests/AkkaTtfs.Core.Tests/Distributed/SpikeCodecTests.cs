using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Distributed;

public class SpikeCodecTests
{
    private static SpikeBatch RandomBatch(Random rng, int samples, int neurons, double density, int window)
    {
        var builder = new SpikeBatchBuilder(samples);
        for (var s = 0; s < samples; s++)
        {
            for (var n = 0; n < neurons; n++)
            {
                if (rng.NextDouble() < density) builder.Add(n, rng.Next(window));
            }

            builder.EndSample();
        }

        return builder.Build();
    }

    [Fact]
    public void Spike_batches_round_trip_exactly()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var samples = rng.Next(0, 70);
            var neurons = rng.Next(1, 5000);
            var batch = RandomBatch(rng, samples, neurons, rng.NextDouble() * 0.5, 32);
            var decoded = SpikeCodec.Decode(SpikeCodec.Encode(batch), samples, neurons, 32);
            Assert.Equal(batch.SampleOffsets, decoded.SampleOffsets);
            Assert.Equal(batch.Neurons, decoded.Neurons);
            Assert.Equal(batch.Times, decoded.Times);
        }
    }

    [Fact]
    public void Analog_events_round_trip_bit_exactly()
    {
        var rng = new Random(4);
        var inputs = new float[13 * 50];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = rng.NextDouble() < 0.4 ? 0 : (float)(rng.NextDouble() * 3 - 1);
        var events = InputEvents.FromAnalog(inputs, 13, 50);
        var decoded = SpikeCodec.DecodeAnalog(SpikeCodec.EncodeAnalog(events), 13, 50);
        Assert.Equal(events.SampleOffsets, decoded.SampleOffsets);
        Assert.Equal(events.Neurons, decoded.Neurons);
        Assert.Equal(events.Values.Select(BitConverter.SingleToInt32Bits), decoded.Values.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public void Dense_enough_spike_sets_cost_at_most_four_bytes_per_spike(double density)
    {
        var batch = RandomBatch(new Random(5), 64, 4096, density, 32);
        var bytes = SpikeCodec.Encode(batch).Length;
        Assert.True(bytes <= 4.0 * batch.SpikeCount, $"{bytes} bytes for {batch.SpikeCount} spikes");
    }

    /// <summary>A random batch where some spikes have copies (mostly 2 or 4, as duplicate faults make, sometimes up to 255).</summary>
    private static SpikeBatch RandomBatchWithCopies(Random rng, int samples, int neurons, double density, int window, double duplicated)
    {
        var builder = new SpikeBatchBuilder(samples);
        for (var s = 0; s < samples; s++)
        {
            for (var n = 0; n < neurons; n++)
            {
                if (!(rng.NextDouble() < density)) continue;
                var copies = rng.NextDouble() < duplicated ? rng.Next(10) switch { 0 => rng.Next(2, 256), < 5 => 4, _ => 2 } : 1;
                builder.Add(n, rng.Next(window), copies);
            }

            builder.EndSample();
        }

        return builder.Build();
    }

    [Fact]
    public void Spike_batches_with_copies_round_trip_exactly()
    {
        var rng = new Random(7);
        var withCopies = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var samples = rng.Next(0, 40);
            var neurons = rng.Next(1, 3000);
            var batch = RandomBatchWithCopies(rng, samples, neurons, rng.NextDouble() * 0.5, 32, rng.NextDouble() * 0.3);
            var decoded = SpikeCodec.Decode(SpikeCodec.Encode(batch), samples, neurons, 32);
            Assert.Equal(batch.SampleOffsets, decoded.SampleOffsets);
            Assert.Equal(batch.Neurons, decoded.Neurons);
            Assert.Equal(batch.Times, decoded.Times);
            Assert.Equal(batch.Multiplicities, decoded.Multiplicities);
            Assert.Equal(batch.DeliveryCount, decoded.DeliveryCount);
            if (batch.Multiplicities is not null) withCopies++;
        }

        Assert.True(withCopies > 100, $"only {withCopies} batches had copies");
    }

    [Fact]
    public void The_fault_free_encoding_is_unchanged_and_copies_only_append_a_section()
    {
        // Sample 0: neurons 0, 3, 4 at times 5, 1, 0; sample 1: none. Counts 3, 0; deltas 0, 2, 0; times.
        byte[] plain = [3, 0, 0, 2, 0, 5, 1, 0];
        var batch = new SpikeBatch([0, 3, 3], [0, 3, 4], [5, 1, 0]);
        Assert.Equal(plain, SpikeCodec.Encode(batch));
        var ones = new SpikeBatch([0, 3, 3], [0, 3, 4], [5, 1, 0], [1, 1, 1]);
        Assert.Null(ones.Multiplicities);                     // all ones is the fault-free batch, and costs nothing
        Assert.Equal(plain, SpikeCodec.Encode(ones));

        // Neuron 3 twice, neuron 4 four times: D = 2; position 1 (delta 1), m - 2 = 0; position 2 (delta 0), m - 2 = 2.
        var copied = new SpikeBatch([0, 3, 3], [0, 3, 4], [5, 1, 0], [1, 2, 4]);
        Assert.Equal(3 + 1 + 3, copied.DeliveryCount);
        Assert.Equal(plain.Concat(new byte[] { 2, 1, 0, 0, 2 }), SpikeCodec.Encode(copied));
        Assert.Equal(new byte[] { 1, 2, 4 }, SpikeCodec.Decode(SpikeCodec.Encode(copied), 2, 5, 8).Multiplicities);

        var rng = new Random(8);
        var big = RandomBatch(rng, 64, 2000, 0.2, 32);
        var clean = SpikeCodec.Encode(big);
        var twice = new SpikeBatch(big.SampleOffsets, big.Neurons, big.Times, big.Neurons.Select((_, k) => (byte)(k % 10 == 0 ? 2 : 1)).ToArray());
        var duplicated = big.SpikeCount / 10 + (big.SpikeCount % 10 == 0 ? 0 : 1);
        var bytes = SpikeCodec.Encode(twice);
        Assert.Equal(clean, bytes.AsSpan(0, clean.Length).ToArray());
        Assert.True(bytes.Length - clean.Length <= 3 + (3 * duplicated), $"{bytes.Length - clean.Length} bytes of copies for {duplicated} duplicated spikes");
    }

    public static TheoryData<byte[], string> CorruptCopies => new()
    {
        // The clean payload of the pinned batch above (3 spikes), then a copies section.
        { [3, 0, 0, 2, 0, 5, 1, 0, 0], "unexpected bytes" },                              // a section that lists nothing
        { [3, 0, 0, 2, 0, 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0], "claims 4 duplicated spikes but the payload has 3" },
        { [3, 0, 0, 2, 0, 5, 1, 0, 1, 3, 0], "spike position 3 is outside the payload's 3 spikes" },
        { [3, 0, 0, 2, 0, 5, 1, 0, 2, 1, 0, 1, 0], "spike position 3 is outside" },          // the second position lies past the end
        { [3, 0, 0, 2, 0, 5, 1, 0, 1, 1, 0xFE, 0x01], "multiplicity 256, more than 255" },
        { [3, 0, 0, 2, 0, 5, 1, 0, 2, 1, 0], "truncated" },
        { [3, 0, 0, 2, 0, 5, 1, 0, 1, 1], "truncated" },
        { [3, 0, 0, 2, 0, 5, 1, 0, 1, 1, 0, 7], "1 unexpected bytes after the payload" },
        { [3, 0, 0, 2, 0, 5, 1, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "malformed varint" },
    };

    [Theory]
    [MemberData(nameof(CorruptCopies))]
    public void Corrupt_copies_sections_are_rejected_with_what_is_wrong(byte[] payload, string because)
    {
        var ex = Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload, 2, 5, 8));
        Assert.Contains(because, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_payloads_are_rejected_with_what_is_wrong()
    {
        var batch = RandomBatch(new Random(6), 4, 300, 0.2, 16);
        var payload = SpikeCodec.Encode(batch);
        Assert.Contains("truncated", Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload.AsSpan(0, payload.Length - 1), 4, 300, 16)).Message, StringComparison.Ordinal);
        Assert.Contains("unexpected bytes", Assert.Throws<PayloadException>(() => SpikeCodec.Decode([.. payload, 0], 4, 300, 16)).Message, StringComparison.Ordinal);
        Assert.Contains("outside the source", Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload, 4, 100, 16)).Message, StringComparison.Ordinal);
        Assert.Contains("outside the window", Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload, 4, 300, 8)).Message, StringComparison.Ordinal);
        Assert.Throws<PayloadException>(() => SpikeCodec.Decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], 1, 300, 16));
    }

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static byte[] Repeat(byte[] bytes, int times) => Enumerable.Repeat(bytes, times).SelectMany(b => b).ToArray();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1_000_000)]
    [InlineData(4)]
    public void A_sample_count_the_payload_cannot_hold_is_rejected_before_anything_is_allocated(int sampleCount)
    {
        // Every sample writes its spike count, at least one byte; three bytes cannot hold four samples.
        byte[] payload = [0, 0, 0];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload, sampleCount, 100, 8));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "decoding allocated before rejecting");
        Assert.Contains($"{sampleCount} samples", ex.Message, StringComparison.Ordinal);
        Assert.Throws<PayloadException>(() => SpikeCodec.DecodeAnalog(payload, sampleCount, 100));
    }

    [Fact]
    public void A_tiny_payload_claiming_millions_of_spikes_is_rejected_before_they_are_allocated()
    {
        // 64 samples x 65,536 spikes in 192 bytes: the neuron array alone would take 16 MB.
        var payload = Repeat(Varint(65_536), 64);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload, 64, 65_536, 8));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "decoding allocated before rejecting");
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4194304 spikes", ex.Message, StringComparison.Ordinal);

        before = GC.GetAllocatedBytesForCurrentThread();
        ex = Assert.Throws<PayloadException>(() => SpikeCodec.DecodeAnalog(payload, 64, 65_536));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "decoding allocated before rejecting");
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spike_counts_whose_sum_overflows_an_int_are_rejected()
    {
        // 40,000 samples x 65,536 spikes = 2.6e9 spikes: the offsets wrap past int.MaxValue.
        var payload = Repeat(Varint(65_536), 40_000);
        var ex = Assert.Throws<PayloadException>(() => SpikeCodec.Decode(payload, 40_000, 65_536, 8));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Throws<PayloadException>(() => SpikeCodec.DecodeAnalog(payload, 40_000, 65_536));
    }

    [Fact]
    public void The_minimum_size_bound_accepts_the_densest_honest_payload()
    {
        // Every neuron spiking, gaps of 0: one byte of index and one of time per spike, exactly the bound.
        var builder = new SpikeBatchBuilder(3);
        for (var s = 0; s < 3; s++)
        {
            for (var n = 0; n < 100; n++) builder.Add(n, 7);
            builder.EndSample();
        }

        var batch = builder.Build();
        var payload = SpikeCodec.Encode(batch);
        Assert.Equal(3 + (300 * 2), payload.Length);
        Assert.Equal(batch.Neurons, SpikeCodec.Decode(payload, 3, 100, 8).Neurons);
        var analog = InputEvents.Create(batch.SampleOffsets, batch.Neurons, Enumerable.Repeat(0.5f, 300).ToArray());
        var analogPayload = SpikeCodec.EncodeAnalog(analog);
        Assert.Equal(3 + (300 * 5), analogPayload.Length);
        Assert.Equal(analog.Neurons, SpikeCodec.DecodeAnalog(analogPayload, 3, 100).Neurons);
    }

    public static TheoryData<byte[], string> MalformedVarints => new()
    {
        { [0x80, 0x80, 0x80, 0x80, 0x10], "more than 32 bits" },            // 2^32: the dropped bit made it 0
        { [0xFF, 0xFF, 0xFF, 0xFF, 0x7F], "more than 32 bits" },
        { [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], "more than 32 bits" },     // a sixth byte
        { [0x80, 0x00], "over-long" },                                     // 0 in two bytes
        { [0x81, 0x80, 0x00], "over-long" },
    };

    [Theory]
    [MemberData(nameof(MalformedVarints))]
    public void Malformed_varints_are_rejected(byte[] count, string because)
    {
        var ex = Assert.Throws<PayloadException>(() => SpikeCodec.Decode(count, 1, 100, 8));
        Assert.Contains(because, ex.Message, StringComparison.Ordinal);
        Assert.Contains("spike count", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_varints_still_decode()
    {
        // 2^32 - 1 is five bytes with 4 payload bits in the last; as a neuron gap it is outside any source.
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], Varint(uint.MaxValue));
        var ex = Assert.Throws<PayloadException>(() => SpikeCodec.Decode([1, .. Varint(uint.MaxValue), 0], 1, 100, 8));
        Assert.Contains("neuron 4294967295 is outside", ex.Message, StringComparison.Ordinal);
        Assert.Equal([127], SpikeCodec.Decode([1, .. Varint(127), 0], 1, 128, 8).Neurons);
        Assert.Equal([128], SpikeCodec.Decode([1, .. Varint(128), 0], 1, 129, 8).Neurons);
    }
}
