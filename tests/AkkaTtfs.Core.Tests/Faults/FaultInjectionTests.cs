using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Faults;

/// <summary>
/// The same fault plan gives the same run on every engine, every partitioning, every batch size and any
/// message order (with crashes and replays), and a plan whose rates are all 0 changes nothing.
/// </summary>
public class FaultInjectionTests
{
    public static TheoryData<int> Topologies => new(Enumerable.Range(0, RandomNetworks.Topologies.Count));

    [Theory]
    [MemberData(nameof(Topologies))]
    public void Random_plans_give_bit_identical_results_and_counters_on_every_engine_partitioning_and_batch_size(int topology)
    {
        var rng = new Random(5000 + topology);
        var acted = default(FaultCounters);
        for (var trial = 0; trial < 8; trial++)
        {
            var count = rng.Next(1, 30);
            var random = RandomNetworks.Create(topology, trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, (31 * topology) + trial, count);
            var model = random.Model;
            var faults = RandomFaultPlans.Create(rng, model.Network, count);
            var context = $"topology {topology} trial {trial} {random.Description} plan {faults.ToJson(indented: false)}";

            var reference = new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(rng.Next(1, 16), RecordSpikes: true, Faults: faults));
            var single = new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(1, RecordSpikes: true, Faults: faults));
            ResultAssert.SameFaultyRun(reference, single, context + " batch 1");

            var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 4, 3, 3));
            var partitioned = new PartitionedSimulator().Run(model, random.Inputs, count, new SimulationOptions(rng.Next(1, 16), RecordSpikes: true, Partitions: plan, Faults: faults));
            ResultAssert.SameFaultyRun(reference, partitioned, $"{context} partitioned {plan.Describe()}");

            var other = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 4, 3, 3));
            var options = new SimulationOptions(BatchSize: rng.Next(1, 10), MaxInFlight: rng.Next(1, 4), RecordSpikes: true, Faults: faults, Partitions: other);
            var drill = new MessagePassingDrill(ShuffleSeed: rng.Next(), CrashAtDeliveries: trial % 4 == 3 ? [rng.Next(1, 20), rng.Next(20, 60)] : null);
            var messages = new MessagePassingSimulator(drill).Run(model, random.Inputs, count, options);
            ResultAssert.SameFaultyRun(reference, messages, $"{context} message passing {other.Describe()} batch {options.BatchSize} credits {options.MaxInFlight} {drill}");
            acted += reference.Faults;
        }

        // The plans must have done something, or the identities above prove nothing.
        Assert.True(acted.ToArray().Count(c => c > 0) >= 3, $"too few fault kinds acted: {acted}");
    }

    [Theory]
    [MemberData(nameof(Topologies))]
    public void Duplicates_give_bit_identical_results_and_counters_on_every_engine_partitioning_and_message_order(int topology)
    {
        var rng = new Random(6100 + topology);
        long duplicated = 0, composed = 0;
        for (var trial = 0; trial < 4; trial++)
        {
            var count = rng.Next(5, 25);
            var random = RandomNetworks.Create(topology, trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, (43 * topology) + trial, count);
            var model = random.Model;
            var last = model.Network.SpikingLayerCount - 1;
            // Duplicates everywhere, a second one on layer 0 from a later sample (copies of 4), and faults after them
            // that must treat a spike's copies alike: a drop, a jitter, a delay.
            var entries = new List<FaultSpec>();
            for (var l = 0; l <= last; l++) entries.Add(new FaultSpec(FaultKind.Duplicate, l, 0.2 + (0.5 * rng.NextDouble())));
            entries.Add(new FaultSpec(FaultKind.Duplicate, 0, 0.5, From: count / 3));
            entries.Add(new FaultSpec(FaultKind.Drop, last, 0.2));
            entries.Add(new FaultSpec(FaultKind.Jitter, 0, 0.5, Steps: 2));
            entries.Add(new FaultSpec(FaultKind.Delay, last, 0.3, Steps: 1));
            var faults = new FaultPlan((ulong)rng.NextInt64(), entries);
            var context = $"topology {topology} trial {trial} {random.Description} plan {faults.ToJson(indented: false)}";

            var reference = new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(rng.Next(1, 16), RecordSpikes: true, Faults: faults));
            ResultAssert.SameFaultyRun(reference, new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(1, RecordSpikes: true, Faults: faults)), context + " batch 1");
            for (var p = 0; p < 3; p++)
            {
                var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 4, 3, 3));
                var partitioned = new PartitionedSimulator().Run(model, random.Inputs, count, new SimulationOptions(rng.Next(1, 16), RecordSpikes: true, Partitions: plan, Faults: faults));
                ResultAssert.SameFaultyRun(reference, partitioned, $"{context} partitioned {plan.Describe()}");
                var options = new SimulationOptions(BatchSize: rng.Next(1, 10), MaxInFlight: rng.Next(1, 4), RecordSpikes: true, Faults: faults, Partitions: plan);
                var drill = new MessagePassingDrill(ShuffleSeed: rng.Next(), CrashAtDeliveries: p == 2 ? [rng.Next(1, 20), rng.Next(20, 60)] : null);
                var messages = new MessagePassingSimulator(drill).Run(model, random.Inputs, count, options);
                ResultAssert.SameFaultyRun(reference, messages, $"{context} message passing {plan.Describe()} batch {options.BatchSize} credits {options.MaxInFlight} {drill}");
            }

            Assert.True(reference.SpikesDelivered > 0, context);
            duplicated += reference.Faults.SpikesDuplicated;
            if (reference.Faults.SpikesDuplicated > 0 && reference.Faults.SpikesDropped > 0) composed++;
        }

        Assert.True(duplicated > 0 && composed > 0, $"the duplicates must have acted, in some trial together with drops ({duplicated} copies, {composed} such trials)");
    }

    [Theory]
    [MemberData(nameof(Topologies))]
    public void A_plan_with_every_rate_at_zero_changes_nothing_bit_for_bit(int topology)
    {
        var random = RandomNetworks.Create(topology, InputMode.Analog, 700 + topology, 20);
        var model = random.Model;
        var hidden = model.Network.SpikingLayerCount;
        var entries = new List<FaultSpec>();
        for (var l = 0; l < hidden; l++)
        {
            entries.Add(new FaultSpec(FaultKind.Drop, l, 0));
            entries.Add(new FaultSpec(FaultKind.Delay, l, 0, Steps: 5));
            entries.Add(new FaultSpec(FaultKind.Jitter, l, 0, Steps: 3));
            entries.Add(new FaultSpec(FaultKind.Dead, l, 0));
            entries.Add(new FaultSpec(FaultKind.Stuck, l, 0));
            entries.Add(new FaultSpec(FaultKind.Drift, l, 0, Factor: 3));
            entries.Add(new FaultSpec(FaultKind.Drift, l, 1, Factor: 1));     // every neuron, factor 1: Q(td - tau (ln u - 0)) = Encode(u)
            entries.Add(new FaultSpec(FaultKind.Jitter, l, 1, Steps: 0));     // every spike, offset always 0
            entries.Add(new FaultSpec(FaultKind.Duplicate, l, 0));
        }

        for (var l = 0; l <= hidden; l++)
        {
            entries.Add(new FaultSpec(FaultKind.BitFlip, l, 0));
            entries.Add(new FaultSpec(FaultKind.ZeroWeight, l, 0));
        }

        var faults = new FaultPlan(42, entries);
        var options = new SimulationOptions(7, RecordSpikes: true);
        var clean = new EventDrivenSimulator().Run(model, random.Inputs, 20, options);
        var faulty = new EventDrivenSimulator().Run(model, random.Inputs, 20, options with { Faults = faults });
        ResultAssert.BitIdentical(clean, faulty, random.Description);
        Assert.Equal(clean.SpikesDelivered, faulty.SpikesDelivered);
        var neurons = Enumerable.Range(0, hidden).Sum(l => (long)model.Network.Stages[l].ConvShape.Size);
        Assert.Equal(new FaultCounters(0, 0, 0, 0, 0, 0, neurons * 20, 0, 0), faulty.Faults);

        var plan = PartitionPlanner.Plan(model.Network, "2");
        var distributed = new MessagePassingSimulator(new MessagePassingDrill(ShuffleSeed: 9))
            .Run(model, random.Inputs, 20, new SimulationOptions(BatchSize: 3, RecordSpikes: true, Faults: faults, Partitions: plan));
        ResultAssert.BitIdentical(clean, distributed, random.Description);
        Assert.Equal(faulty.Faults, distributed.Faults);
    }

    [Fact]
    public void Weight_faults_at_rate_zero_keep_the_model_instance_and_counters_at_zero()
    {
        var random = RandomNetworks.Create(0, InputMode.Analog, 3, 1);
        var faulted = new FaultPlan(1, [new FaultSpec(FaultKind.Drop, 0, 0.5)]).ApplyWeightFaults(random.Model);
        Assert.Same(random.Model, faulted.Model);
        Assert.True(faulted.Counters.IsZero);
    }

    [Fact]
    public void A_partition_with_faults_needs_the_batchs_first_sample_and_all_sources_must_agree()
    {
        var network = ArchitectureParser.Build("d6-d3", TensorShape.Vector(4));
        var model = RandomModel.Create(network, 2, positiveShift: 1.0);
        var plan = PartitionPlanner.Plan(network, "1,1");
        var faults = new FaultPlan(3, [new FaultSpec(FaultKind.Drop, 0, 0.5)]);
        var setup = PartitionSetup.For(model, plan, 0);
        var processor = setup.Build(PartitionSetup.Parameters(model, plan, 0), false, faults);
        Assert.True(processor.NeedsFirstSample);
        var input = new BatchInjector(model, plan).Prepare([0.5f, 0.2f, 0.9f, 0.1f], 1)[0].Payload;
        var ex = Assert.Throws<InvalidOperationException>(() => processor.AcceptAnalog(new BatchKey(0, 0), 1, input));
        Assert.Contains("first sample", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(processor.AcceptAnalog(new BatchKey(1, 0), 1, input, firstSample: 1));

        var output = PartitionSetup.For(model, plan, 1).Build(PartitionSetup.Parameters(model, plan, 1), false, faults);
        Assert.False(output.NeedsFirstSample);   // the output stage does not fire; nothing is drawn there

        var bad = new FaultPlan(3, [new FaultSpec(FaultKind.Drop, 1, 0.5)]);
        var misfit = Assert.Throws<FaultPlanException>(() => setup.Build(PartitionSetup.Parameters(model, plan, 0), false, bad));
        Assert.Equal(0, misfit.EntryIndex);
    }
}
