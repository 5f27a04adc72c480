using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>
/// Spikes for a partition in the same process travel as themselves (<see cref="LinkSend.InProcess"/>), never encoded:
/// their counted size must be the encoder's byte for byte, the receiver must check them as the decoder checks a
/// payload, and a whole batch through every partition must give the same potentials bit for bit as the encoded path
/// (computed here side by side); a spike altered on the way must show.
/// </summary>
public class InProcessSpikesTests
{
    private static SpikeBatch RandomBatch(Random rng, int samples, int neurons, double density, double duplicated)
    {
        var builder = new SpikeBatchBuilder(samples);
        for (var s = 0; s < samples; s++)
        {
            for (var n = 0; n < neurons; n++)
            {
                if (!(rng.NextDouble() < density)) continue;
                var copies = rng.NextDouble() < duplicated ? rng.Next(2, 256) : 1;
                builder.Add(n, rng.Next(32), copies);
            }

            builder.EndSample();
        }

        return builder.Build();
    }

    [Fact]
    public void The_counted_length_is_the_encoders_byte_for_byte_with_and_without_copies_and_wide_gaps()
    {
        var rng = new Random(12);
        for (var trial = 0; trial < 300; trial++)
        {
            var batch = RandomBatch(rng, rng.Next(0, 40), rng.Next(1, 3000), rng.NextDouble() * 0.4, trial % 3 == 0 ? rng.NextDouble() * 0.3 : 0);
            Assert.Equal(SpikeCodec.Encode(batch).Length, SpikeCodec.EncodedLength(batch));
        }

        // Gaps of 1..5 varint bytes (a neuron index up to 2^31 - 1) and more than 127 spikes in a sample.
        int[] neurons = [0, 127, 128, 16_511, 16_512, 2_113_663, 2_113_664, 270_549_119, 270_549_120, int.MaxValue];
        var wide = new SpikeBatch([0, neurons.Length, neurons.Length], neurons, new byte[neurons.Length]);
        Assert.Equal(SpikeCodec.Encode(wide).Length, SpikeCodec.EncodedLength(wide));
        var many = new SpikeBatch([0, 300], [.. Enumerable.Range(0, 300)], new byte[300], [.. Enumerable.Range(0, 300).Select(k => (byte)(k % 7 == 0 ? 200 : 1))]);
        Assert.Equal(SpikeCodec.Encode(many).Length, SpikeCodec.EncodedLength(many));
        Assert.Equal(SpikeCodec.Encode(SpikeBatch.Empty(5)).Length, SpikeCodec.EncodedLength(SpikeBatch.Empty(5)));
    }

    [Fact]
    public void The_check_refuses_what_the_decoder_refuses_with_the_same_reason()
    {
        var late = new SpikeBatch([0, 2], [1, 5], [3, 16]);           // time 16 in a window of 16
        var outside = new SpikeBatch([0, 2], [1, 9], [3, 4]);         // neuron 9 of a source of 9
        var negative = new SpikeBatch([0, 1], [-1], [3]);
        foreach (var (batch, reason) in new[] { (late, "spike time 16 is outside the window"), (outside, "neuron 9 is outside the source's 9 neurons") })
        {
            var checkedEx = Assert.Throws<PayloadException>(() => SpikeCodec.Check(batch, 1, 9, 16));
            var decodedEx = Assert.Throws<PayloadException>(() => SpikeCodec.Decode(SpikeCodec.Encode(batch), 1, 9, 16));
            Assert.Contains(reason, checkedEx.Message, StringComparison.Ordinal);
            Assert.Contains(reason, decodedEx.Message, StringComparison.Ordinal);
        }

        Assert.Contains("neuron -1", Assert.Throws<PayloadException>(() => SpikeCodec.Check(negative, 1, 9, 16)).Message, StringComparison.Ordinal);
        Assert.Contains("claims 2 samples", Assert.Throws<PayloadException>(() => SpikeCodec.Check(late, 2, 9, 32)).Message, StringComparison.Ordinal);
        Assert.Contains("claims 3 events", Assert.Throws<PayloadException>(() => SpikeCodec.Check(new SpikeBatch([0, 3], [0, 1, 2], [0, 0, 0]), 1, 2, 16)).Message, StringComparison.Ordinal);
        SpikeCodec.Check(new SpikeBatch([0, 2], [0, 8], [0, 15]), 1, 9, 16);   // the limits themselves pass
    }

    [Theory]
    [InlineData(0, InputMode.Analog)]
    [InlineData(1, InputMode.Ttfs)]
    [InlineData(2, InputMode.Analog)]
    [InlineData(3, InputMode.Ttfs)]
    public void A_batch_through_every_partition_gives_the_encoded_paths_potentials_and_traffic_bit_for_bit(int topology, InputMode mode)
    {
        var rng = new Random(300 + topology);
        const int count = 23;
        var random = RandomNetworks.Create(topology % RandomNetworks.Topologies.Count, mode, 700 + topology, count);
        var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 3, 2, 1));
        var encoded = Drive(random.Model, plan, random.Inputs, count, inProcess: false);
        var inProcess = Drive(random.Model, plan, random.Inputs, count, inProcess: true);

        Assert.NotEmpty(encoded.Potentials);
        Assert.Equal(Bits(encoded.Potentials), Bits(inProcess.Potentials));
        Assert.Equal(encoded.Sends.Keys.Order(), inProcess.Sends.Keys.Order());
        Assert.All(encoded.Sends, e =>
        {
            var local = inProcess.Sends[e.Key];
            var spikes = Assert.IsType<SpikeBatch>(local.Spikes);         // the shortcut was taken on every link
            Assert.Empty(local.Payload);
            Assert.Null(e.Value.Spikes);
            Assert.Equal(e.Value.Payload.Length, local.PayloadBytes);
            Assert.Equal(e.Value.PayloadBytes, local.PayloadBytes);
            Assert.Equal(e.Value.SpikeCount, local.SpikeCount);
            Assert.Equal(e.Value.Payload, SpikeCodec.Encode(spikes));
        });
    }

    [Fact]
    public void A_spike_altered_in_process_changes_the_potentials_so_the_comparison_would_see_it()
    {
        var rng = new Random(41);
        const int count = 9;
        var random = RandomNetworks.Create(0, InputMode.Analog, 4141, count);
        var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 2, 1, 1));
        var honest = Drive(random.Model, plan, random.Inputs, count, inProcess: true);
        var outputStage = plan.Partitions.Max(p => p.Stage);
        var tampered = Drive(random.Model, plan, random.Inputs, count, inProcess: true, tamper: (target, spikes) =>
        {
            if (plan.Partitions[target].Stage != outputStage || spikes.SpikeCount == 0) return;
            spikes.Times[0] = (byte)(spikes.Times[0] == 0 ? 1 : spikes.Times[0] - 1);   // one spike one step off, still in the window
        });

        Assert.NotEqual(Bits(honest.Potentials), Bits(tampered.Potentials));
    }

    [Fact]
    public void An_in_process_batch_off_the_sources_route_is_refused_before_the_batch_changes()
    {
        var network = ArchitectureParser.Build("d6-d3", TensorShape.Vector(4));
        var model = RandomModel.Create(network, 2, positiveShift: 1.0);
        var plan = PartitionPlanner.Plan(network, "2,2");    // p2 takes {0,1,2} from p0 and {3,4,5} from p1
        var p = plan.Partitions[2];
        var processor = new PartitionProcessor(plan, 2, new StageKernel(model, p.Stage, p.Block), model.InputMode);
        var forged = new SpikeBatch([0, 2], [1, 4], [3, 5]);
        var ex = Assert.Throws<PayloadException>(() => processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, forged, 4));
        Assert.Contains("neuron 4", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, processor.PendingBatches);
        Assert.Throws<PayloadException>(() => processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, new SpikeBatch([0, 1], [1], [200]), 2));
        Assert.Equal(0, processor.PendingBatches);
        Assert.Throws<ArgumentException>(() => processor.SendInProcess([7]));
    }

    private sealed record Drive0(List<float[]> Potentials, Dictionary<(int Source, int Target), LinkSend> Sends);

    /// <summary>
    /// One batch of <paramref name="count"/> samples through fresh processors of <paramref name="plan"/>, every message
    /// delivered at once (encoded, or in process when <paramref name="inProcess"/>); <paramref name="tamper"/> may change
    /// the spikes of an in-process message before its target takes them.
    /// </summary>
    private static Drive0 Drive(SnnModel model, PartitionPlan plan, float[] inputs, int count, bool inProcess, Action<int, SpikeBatch>? tamper = null)
    {
        var processors = plan.Partitions.Select((p, i) => new PartitionProcessor(plan, i, new StageKernel(model, p.Stage, p.Block), model.InputMode)).ToArray();
        if (inProcess)
        {
            foreach (var processor in processors) processor.SendInProcess(processor.Targets);
        }

        var key = new BatchKey(0, 0);
        var result = new Drive0([], []);
        var queue = new Queue<(int Target, PartitionOutput? Output)>();
        foreach (var s in new BatchInjector(model, plan).Prepare(inputs, count))
        {
            var output = s.IsAnalog
                ? processors[s.TargetId].AcceptAnalog(key, count, s.Payload, 0)
                : processors[s.TargetId].AcceptSpikes(key, PartitionPlan.InputSource, count, s.Payload, 0);
            queue.Enqueue((s.TargetId, output));
        }

        while (queue.TryDequeue(out var item))
        {
            if (item.Output is not { } output) continue;
            if (output.Potentials is { } potentials) result.Potentials.Add(potentials);
            foreach (var send in output.Sends)
            {
                result.Sends[(item.Target, send.TargetId)] = send;
                var target = processors[send.TargetId];
                PartitionOutput? next;
                if (send.Spikes is { } spikes)
                {
                    tamper?.Invoke(send.TargetId, spikes);
                    next = target.AcceptSpikes(key, item.Target, count, spikes, send.PayloadBytes, 0);
                }
                else
                {
                    next = target.AcceptSpikes(key, item.Target, count, send.Payload, 0);
                }

                queue.Enqueue((send.TargetId, next));
            }
        }

        return result;
    }

    private static int[][] Bits(List<float[]> potentials) => [.. potentials.Select(p => p.Select(BitConverter.SingleToInt32Bits).ToArray())];
}
