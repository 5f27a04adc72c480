using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>
/// A partition checks every incoming message against its route before it touches the batch: a source that sends
/// a neuron another source owns (a corrupt or forged message) is rejected with a message naming the source, the
/// neuron and the partition, and the batch still completes, with the right result, from the honest messages.
/// </summary>
public class PartitionProcessorValidationTests
{
    // d6-d3 on 4 inputs, cut "2,2": p0 owns stage-0 neurons 0..2, p1 owns 3..5; p2 and p3 (the output stage)
    // each receive {0,1,2} from p0 and {3,4,5} from p1.
    private static readonly NetworkSpec Network = ArchitectureParser.Build("d6-d3", TensorShape.Vector(4));
    private static readonly SnnModel Model = RandomModel.Create(Network, 2, positiveShift: 1.0);
    private static readonly PartitionPlan Plan = PartitionPlanner.Plan(Network, "2,2");

    private static PartitionProcessor Processor(int id, PartitionPlan? plan = null)
    {
        var p = (plan ?? Plan).Partitions[id];
        return new PartitionProcessor(plan ?? Plan, id, new StageKernel(Model, p.Stage, p.Block), Model.InputMode);
    }

    private static byte[] Spikes(int[] neurons, byte[] times) => SpikeCodec.Encode(new SpikeBatch([0, neurons.Length], neurons, times));

    private static readonly byte[] HonestFromP0 = Spikes([1], [3]);
    private static readonly byte[] HonestFromP1 = Spikes([4], [5]);

    private static float[] Reference()
    {
        var processor = Processor(2);
        Assert.Null(processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, HonestFromP0));
        return processor.AcceptSpikes(new BatchKey(0, 0), 1, 1, HonestFromP1)!.Potentials!;
    }

    [Fact]
    public void The_plan_routes_what_the_tests_assume()
    {
        Assert.Equal([0, 1, 2], Plan.RoutesTo(2).Single(r => r.SourceId == 0).Neurons);
        Assert.Equal([3, 4, 5], Plan.RoutesTo(2).Single(r => r.SourceId == 1).Neurons);
    }

    [Fact]
    public void A_neuron_owned_by_another_source_is_rejected_before_the_batch_changes()
    {
        var processor = Processor(2);
        var forged = Spikes([1, 4], [3, 5]);   // p0 claims neuron 4, which p1 owns
        var ex = Assert.Throws<PayloadException>(() => processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, forged));
        Assert.Contains("source p0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("neuron 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains(processor.Partition.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, processor.PendingBatches);

        // The honest messages still complete the batch, with the honest result.
        Assert.Null(processor.AcceptSpikes(new BatchKey(0, 0), 1, 1, HonestFromP1));
        var output = processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, HonestFromP0);
        Assert.NotNull(output);
        Assert.Equal(Reference(), output.Potentials);
    }

    [Fact]
    public void A_neuron_both_sources_send_is_rejected_at_the_forged_message_and_the_batch_survives()
    {
        var processor = Processor(2);
        Assert.Null(processor.AcceptSpikes(new BatchKey(0, 0), 1, 1, HonestFromP1));
        var forged = Spikes([1, 4], [3, 5]);
        Assert.Throws<PayloadException>(() => processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, forged));
        Assert.Equal(1, processor.PendingBatches);
        Assert.Equal(0, processor.DroppedMessages);

        var output = processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, HonestFromP0);
        Assert.NotNull(output);
        Assert.Equal(Reference(), output.Potentials);
    }

    [Fact]
    public void A_decode_error_leaves_the_batch_untouched()
    {
        var processor = Processor(2);
        Assert.Null(processor.AcceptSpikes(new BatchKey(0, 0), 1, 1, HonestFromP1));
        Assert.Throws<PayloadException>(() => processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, HonestFromP0.AsSpan(0, HonestFromP0.Length - 1)));
        Assert.Equal(1, processor.PendingBatches);
        Assert.Equal(Reference(), processor.AcceptSpikes(new BatchKey(0, 0), 0, 1, HonestFromP0)!.Potentials);
    }

    [Fact]
    public void Analog_input_outside_the_partitions_receptive_field_is_rejected()
    {
        var network = ArchitectureParser.Build("c2k3-d3", TensorShape.Image(1, 6, 6));
        var model = RandomModel.Create(network, 5, positiveShift: 1.0);
        var plan = PartitionPlanner.Plan(network, "t2x1,1");
        var route = plan.RoutesTo(0).Single();
        var outside = Enumerable.Range(0, network.Input.Size).First(n => Array.BinarySearch(route.Neurons, n) < 0);
        var p = plan.Partitions[0];
        var processor = new PartitionProcessor(plan, 0, new StageKernel(model, p.Stage, p.Block), InputMode.Analog);
        var forged = SpikeCodec.EncodeAnalog(InputEvents.Create([0, 1], [outside], [0.5f]));
        var ex = Assert.Throws<PayloadException>(() => processor.AcceptAnalog(new BatchKey(0, 0), 1, forged));
        Assert.Contains($"neuron {outside}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("input", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, processor.PendingBatches);
        var honest = SpikeCodec.EncodeAnalog(InputEvents.Create([0, 1], [route.Neurons[0]], [0.5f]));
        Assert.NotNull(processor.AcceptAnalog(new BatchKey(0, 0), 1, honest));
    }

    [Fact]
    public void Incoming_routes_that_overlap_are_refused_when_the_processor_is_built()
    {
        // Only a hand-made plan can do this (the planner gives every neuron one owner); with it, a spike both
        // sources deliver would pass both membership checks and fail the merge after the batch was committed.
        var routes = Plan.Routes.Select(r => r.SourceId == 1 && r.TargetId == 2 ? r with { Neurons = [2, 3, 4, 5] } : r).ToList();
        var overlapping = new PartitionPlan(Network, Plan.Splits, [Plan.OfStage(0).ToArray(), Plan.OfStage(1).ToArray()], routes);
        var ex = Assert.Throws<ArgumentException>(() => Processor(2, overlapping));
        Assert.Contains("neuron 2", ex.Message, StringComparison.Ordinal);
        Processor(3, overlapping);   // p3's routes are disjoint
    }
}
