using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>
/// The runtime protocol without actors: any plan, any delivery order, any batch size and credit count,
/// with or without crashes and replays, gives results bit-identical to the event-driven reference.
/// </summary>
public class MessagePassingSimulatorTests
{
    public static TheoryData<int> Topologies => new(Enumerable.Range(0, RandomNetworks.Topologies.Count));

    [Theory]
    [MemberData(nameof(Topologies))]
    public void Reordered_messages_any_plan_and_crashes_give_bit_identical_results(int topology)
    {
        var rng = new Random(900 + topology);
        for (var trial = 0; trial < 5; trial++)
        {
            var count = rng.Next(1, 50);
            var random = RandomNetworks.Create(topology, trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, (17 * topology) + trial, count);
            var reference = new EventDrivenSimulator().Run(random.Model, random.Inputs, count, new SimulationOptions(64, RecordSpikes: true));
            var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 4, 3, 2));
            var options = new SimulationOptions(BatchSize: rng.Next(1, 12), MaxInFlight: rng.Next(1, 5), RecordSpikes: true, Partitions: plan);
            var drill = new MessagePassingDrill(ShuffleSeed: rng.Next(), CrashAtDeliveries: trial >= 3 ? [rng.Next(1, 30), rng.Next(30, 90)] : null);
            var sim = new MessagePassingSimulator(drill);
            var result = sim.Run(random.Model, random.Inputs, count, options);
            ResultAssert.BitIdentical(reference, result, $"topology {topology} trial {trial} plan {plan.Describe()} batch {options.BatchSize} credits {options.MaxInFlight} {drill}");
            if (drill.CrashAtDeliveries is { } crashAt) Assert.Equal(crashAt.Count(c => c <= sim.Deliveries), sim.Replays);
        }
    }

    [Fact]
    public void Exactly_one_message_per_batch_and_link_and_traffic_adds_up()
    {
        var random = RandomNetworks.Create(1, InputMode.Analog, 77, 40);
        var plan = PartitionPlanner.Plan(random.Model.Network, "c2t2x1,c3,1");
        var sim = new MessagePassingSimulator(new MessagePassingDrill(ShuffleSeed: 5));
        var result = sim.Run(random.Model, random.Inputs, 40, new SimulationOptions(BatchSize: 8, MaxInFlight: 3, Partitions: plan));
        var batches = 5;
        Assert.Equal(plan.Routes.Count, sim.Traffic.Count);
        Assert.All(sim.Traffic, t => Assert.Equal(batches, t.Messages));
        Assert.Equal(plan.Routes.Count * batches, sim.Deliveries);
        // Spikes on the links out of a stage = that stage's pooled spikes, each sent to every partition that needs it.
        var hiddenLinks = sim.Traffic.Where(t => t.SourceId >= 0).Sum(t => t.Spikes);
        Assert.True(hiddenLinks > 0);
        Assert.True(result.TotalSpikes > 0);
    }

    [Fact]
    public void Stale_and_duplicate_messages_are_dropped_and_unknown_sources_rejected()
    {
        var network = ArchitectureParser.Build("d6-d3", TensorShape.Vector(4));
        var model = RandomModel.Create(network, 2, positiveShift: 1.0);
        var plan = PartitionPlanner.Plan(network, "2,1");
        var processors = plan.Partitions.Select(p => new PartitionProcessor(plan, p.Id, new StageKernel(model, p.Stage, p.Block), model.InputMode)).ToArray();
        var injector = new BatchInjector(model, plan);
        var sends = injector.Prepare([0.5f, 0.2f, 0.9f, 0.1f], 1);
        var out0 = processors[0].AcceptAnalog(new BatchKey(0, 1), 1, sends[0].Payload)!;
        Assert.NotNull(out0);
        Assert.Null(processors[0].AcceptAnalog(new BatchKey(0, 1), 1, sends[0].Payload));   // duplicate
        Assert.Null(processors[0].AcceptAnalog(new BatchKey(0, 0), 1, sends[0].Payload));   // stale attempt
        Assert.Equal(2, processors[0].DroppedMessages);
        var output = processors[2];
        Assert.Null(output.AcceptSpikes(new BatchKey(0, 1), 0, 1, out0.Sends.Single().Payload));
        Assert.Null(output.AcceptSpikes(new BatchKey(0, 1), 0, 1, out0.Sends.Single().Payload));
        Assert.Equal(1, output.DroppedMessages);
        Assert.Equal(1, output.PendingBatches);
        var ex = Assert.Throws<InvalidOperationException>(() => output.AcceptSpikes(new BatchKey(0, 1), 2, 1, out0.Sends.Single().Payload));
        Assert.Contains("no route from source 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ledger_keeps_credits_replays_in_flight_batches_and_drops_duplicates()
    {
        var ledger = new RunLedger(sampleCount: 10, batchSize: 3, maxInFlight: 2);
        Assert.Equal(4, ledger.BatchCount);
        Assert.Equal((9, 1), ledger.Samples(3));
        var first = ledger.TakeSendable();
        Assert.Equal([new BatchKey(0, 0), new BatchKey(1, 0)], first);
        Assert.Empty(ledger.TakeSendable());
        Assert.True(ledger.Complete(new BatchKey(1, 0)));
        Assert.False(ledger.Complete(new BatchKey(1, 0)));
        Assert.Equal([new BatchKey(2, 0)], ledger.TakeSendable());
        Assert.Equal([new BatchKey(0, 1), new BatchKey(2, 1)], ledger.ReplayInFlight());
        Assert.False(ledger.Complete(new BatchKey(0, 0)));   // the old attempt no longer counts
        Assert.True(ledger.Complete(new BatchKey(0, 1)));
        Assert.Equal(2, ledger.DuplicateResults);
        Assert.Equal([0, 1, 2, 3, 4, 5], ledger.CompletedSamples().ToArray());
    }
}
