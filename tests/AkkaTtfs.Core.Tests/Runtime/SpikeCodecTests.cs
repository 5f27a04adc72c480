using AkkaTtfs.Core.Runtime;
using AkkaTtfs.Core.Simulation;

namespace AkkaTtfs.Core.Tests.Runtime;

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
}
