using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>
/// The traffic model predicts what the runtime protocol measures: the message-passing engine (the protocol the
/// actors run, with shuffled delivery) counts spikes, messages and encoded bytes on every link as it sends them.
/// </summary>
public class TrafficModelTests
{
    public static TheoryData<int, InputMode> Cases => RandomNetworks.TopologiesAndInputModes;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prediction_equals_the_traffic_the_protocol_sends_on_every_link(int topology, InputMode inputMode)
    {
        var rng = new Random(4100 + (topology * 2) + (int)inputMode);
        for (var trial = 0; trial < 3; trial++)
        {
            var count = rng.Next(1, 40);
            var random = RandomNetworks.Create(topology, inputMode, (31 * topology) + trial, count);
            var reference = new EventDrivenSimulator().Run(random.Model, random.Inputs, count, new SimulationOptions(64, RecordSpikes: true));
            var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 4, 3, 2));
            var batchSize = rng.Next(1, 12);
            var sim = new MessagePassingSimulator(new MessagePassingDrill(ShuffleSeed: rng.Next()));
            sim.Run(random.Model, random.Inputs, count, new SimulationOptions(BatchSize: batchSize, Partitions: plan, MaxInFlight: 3));

            var predicted = TrafficModel.Predict(random.Model, plan, random.Inputs, count, reference, batchSize);

            var what = $"topology {topology} {inputMode} trial {trial} plan {plan.Describe()} batch {batchSize}";
            Assert.Equal(plan.Routes.Count, predicted.Links.Count);
            var measured = sim.Traffic.ToDictionary(t => (t.SourceId, t.TargetId));
            foreach (var link in predicted.Links)
            {
                Assert.True(measured.TryGetValue((link.SourceId, link.TargetId), out var m), $"{what}: link {link.SourceId}->{link.TargetId} not measured");
                Assert.True(m.Messages == link.Messages && m.Spikes == link.Spikes && m.PayloadBytes == link.PayloadBytes,
                    $"{what}: link {link.SourceId}->{link.TargetId} predicted {link} measured {m}");
                Assert.Equal(link.StepPayloadBytes, link.StepPayloadBytesByStep.Sum());
            }
        }
    }

    [Fact]
    public void A_dense_link_by_hand()
    {
        // d3-d2 on 4 analog inputs, one partition per stage: the input link carries every non-zero input
        // (varint count + per value a varint gap and 4 bytes), the hidden link every spiking neuron (gap + 1 byte).
        var network = ArchitectureParser.Build("d3-d2", TensorShape.Vector(4));
        var model = RandomModel.Create(network, 5, positiveShift: 1.0);
        float[] inputs = [0.5f, 0f, 0f, 0.25f, /* sample 2 */ 0f, 0f, 0f, 0f];
        var reference = new EventDrivenSimulator().Run(model, inputs, 2, new SimulationOptions(64, RecordSpikes: true));
        var plan = PartitionPlanner.Plan(network, "1");

        var predicted = TrafficModel.Predict(model, plan, inputs, 2, reference, batchSize: 1);

        var input = predicted.Links.Single(l => l.SourceId == PartitionPlan.InputSource);
        Assert.Equal(2, input.Messages);
        Assert.Equal(2, input.Spikes);
        // sample 1: count 2 (1 B), gaps 0 and 2 (1 B each) + 2 floats; sample 2: count 0 (1 B).
        Assert.Equal(1 + 2 + 8 + 1, input.PayloadBytes);
        var hidden = predicted.Links.Single(l => l.SourceId == 0);
        var fired = Enumerable.Range(0, 2).Select(s => Enumerable.Range(0, 3).Where(n => reference.SpikeTimes![0][(s * 3) + n] >= 0).ToArray()).ToArray();
        Assert.Equal(fired.Sum(f => f.Length), hidden.Spikes);
        Assert.Equal(fired.Sum(f => 1 + (2 * f.Length)), hidden.PayloadBytes);     // indices < 128: one-byte gaps
    }

    [Fact]
    public void The_per_step_alternative_sends_one_message_per_step_and_encodes_each_step_alone()
    {
        var network = ArchitectureParser.Build("d5-d2", TensorShape.Vector(6));
        var model = RandomModel.Create(network, 11, t: 4, positiveShift: 1.0);
        var rng = new Random(5);
        var count = 7;
        var inputs = Enumerable.Range(0, count * 6).Select(_ => (float)rng.NextDouble()).ToArray();
        var reference = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(64, RecordSpikes: true));
        var plan = PartitionPlanner.Plan(network, "1");
        var batchSize = 3;                                   // batches of 3, 3, 1 samples

        var hidden = TrafficModel.Predict(model, plan, inputs, count, reference, batchSize).Links.Single(l => l.SourceId == 0);

        var times = reference.SpikeTimes![0];
        Assert.Equal(3 * 4, hidden.StepMessages);
        var nonEmpty = Enumerable.Range(0, 3).Sum(b => Enumerable.Range(0, 4).Count(t =>
            Enumerable.Range(b * batchSize, Math.Min(batchSize, count - (b * batchSize))).Any(s => Enumerable.Range(0, 5).Any(n => times[(s * 5) + n] == t))));
        Assert.Equal(nonEmpty, hidden.NonEmptyStepMessages);
        // Every step message holds one count byte per sample, then a gap byte and a time byte per spike.
        Assert.Equal((count * 4) + (2 * times.Count(t => t >= 0)), hidden.StepPayloadBytes);
        Assert.Equal(count + (2 * times.Count(t => t >= 0)), hidden.PayloadBytes);
        var profile = TrafficModel.SpikeTimeProfile(reference);
        Assert.Equal(times.Count(t => t >= 0), profile[0].Sum());
        Assert.Equal(times.Count(t => t == 2), profile[0][2]);
    }

    [Fact]
    public void Pooling_sends_a_pooled_neuron_once_when_any_of_its_region_spiked()
    {
        // One channel, conv output 4x4, pool 2: four regions; spikes in region (0,0) twice, region (1,1) once.
        var network = NetworkSpec.Create(TensorShape.Image(1, 4, 4), ArchitectureParser.Parse("c1k1-p2-d2"));
        var stage = network.Stages[0];
        var times = Enumerable.Repeat(-1, 16).ToArray();
        times[0] = 3;
        times[5] = 1;      // (1,1): same region (0,0)
        times[15] = 0;     // (3,3): region (1,1)
        var pooled = TrafficModel.PooledSpikes(stage, times, 0);
        Assert.Equal([0, 3], pooled.Neurons);
        Assert.Equal([1, 0], pooled.Times);       // the earliest spike of each region
    }

    [Fact]
    public void Cross_node_bytes_count_links_between_nodes_and_input_links_from_a_non_worker()
    {
        var network = ArchitectureParser.Build("d4-d2", TensorShape.Vector(4));
        var model = RandomModel.Create(network, 3, positiveShift: 1.0);
        var inputs = Enumerable.Range(0, 8).Select(i => 0.1f * (i + 1)).ToArray();
        var reference = new EventDrivenSimulator().Run(model, inputs, 2, new SimulationOptions(64, RecordSpikes: true));
        var plan = PartitionPlanner.Plan(network, "c2,1");      // p0, p1 (hidden), p2 (output)
        var predicted = TrafficModel.Predict(model, plan, inputs, 2, reference, 2);
        long Bytes(int s, int t) => predicted.Links.Single(l => l.SourceId == s && l.TargetId == t).PayloadBytes;

        Assert.Equal(0, predicted.CrossNodeBytes([0, 0, 0], injectorNode: 0));
        Assert.Equal(predicted.TotalBytes, predicted.CrossNodeBytes([0, 1, 2], injectorNode: -1));
        Assert.Equal(Bytes(-1, 1) + Bytes(1, 2), predicted.CrossNodeBytes([0, 1, 0], injectorNode: 0));
        Assert.Equal(Bytes(-1, 0) + Bytes(-1, 1), predicted.CrossNodeBytes([0, 0, 0], injectorNode: -1));
    }

    [Theory]
    [InlineData(0u, 1)]
    [InlineData(127u, 1)]
    [InlineData(128u, 2)]
    [InlineData(16383u, 2)]
    [InlineData(16384u, 3)]
    [InlineData((1u << 21) - 1, 3)]
    [InlineData(1u << 21, 4)]
    [InlineData(1u << 28, 5)]
    [InlineData(uint.MaxValue, 5)]
    public void Varint_sizes_follow_leb128(uint value, int bytes) => Assert.Equal(bytes, TrafficModel.VarintSize(value));
}
