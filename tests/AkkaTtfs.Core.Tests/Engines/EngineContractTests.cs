using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>The engines behind one interface: the same options give the same result, and options an engine cannot honour are refused.</summary>
public class EngineContractTests
{
    [Fact]
    public void Every_exact_engine_gives_the_same_faulty_run_through_the_interface()
    {
        var rng = new Random(321);
        for (var trial = 0; trial < RandomNetworks.Topologies.Count; trial++)
        {
            var count = rng.Next(3, 25);
            var random = RandomNetworks.Create(trial, trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, 40 + trial, count);
            var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 3, 2, 2));
            var options = new SimulationOptions(rng.Next(1, 9), RecordSpikes: true, Faults: RandomFaultPlans.Create(rng, random.Model.Network, count),
                Partitions: plan, MaxInFlight: rng.Next(1, 4));
            ISimulationEngine[] engines = [new EventDrivenSimulator(), new PartitionedSimulator(), new MessagePassingSimulator(new MessagePassingDrill(ShuffleSeed: trial))];
            var results = engines.Select(e => e.Run(random.Model, new SimulationInputs(random.Inputs, count), options)).ToList();
            for (var i = 1; i < engines.Length; i++)
                ResultAssert.SameFaultyRun(results[0], results[i], $"{engines[i].GetType().Name}, {random.Description}, plan {plan.Describe()}");
        }
    }

    [Fact]
    public void The_reference_ignores_a_partition_plan_and_the_partitioned_engines_require_one()
    {
        var random = RandomNetworks.Create(0, InputMode.Analog, 9, 4);
        var plan = PartitionPlanner.Plan(random.Model.Network, "2,1,1");
        var reference = new EventDrivenSimulator();
        ResultAssert.SameFaultyRun(reference.Run(random.Model, random.Inputs, 4), reference.Run(random.Model, random.Inputs, 4, new SimulationOptions(Partitions: plan)), "with a plan");
        foreach (var engine in new ISimulationEngine[] { new PartitionedSimulator(), new MessagePassingSimulator() })
        {
            var ex = Assert.Throws<ArgumentException>(() => engine.Run(random.Model, random.Inputs, 4));
            Assert.Contains("needs a partition plan", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_that_can_never_work_and_inputs_that_do_not_fit_are_refused_by_every_engine()
    {
        var random = RandomNetworks.Create(0, InputMode.Analog, 9, 4);
        var options = new SimulationOptions(Partitions: PartitionPlanner.Plan(random.Model.Network, "1"));
        ISimulationEngine[] engines = [new EventDrivenSimulator(), new PartitionedSimulator(), new MessagePassingSimulator()];
        foreach (var engine in engines)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => engine.Run(random.Model, random.Inputs, 4, options with { BatchSize = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => engine.Run(random.Model, random.Inputs, 4, options with { MaxInFlight = 0 }));
            var misfit = Assert.Throws<ArgumentException>(() => engine.Run(random.Model, random.Inputs, 3, options));
            Assert.Contains("do not make 3 samples", misfit.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationInputs(random.Inputs, -1));
    }

    [Fact]
    public void One_engine_reused_across_models_plans_and_fault_plans_gives_what_a_fresh_one_gives()
    {
        // The reference and the partitioned simulator keep the last model's kernels; switching model, plan or faults must not reuse them.
        var rng = new Random(77);
        var a = RandomNetworks.Create(0, InputMode.Analog, 1, 6);
        var b = RandomNetworks.Create(0, InputMode.Analog, 2, 6);
        var faults = RandomFaultPlans.Create(rng, a.Model.Network, 6);
        var plans = new[] { PartitionPlanner.Plan(a.Model.Network, "2,1,1"), PartitionPlanner.Plan(a.Model.Network, "1,2,1") };
        ISimulationEngine[] reused = [new EventDrivenSimulator(), new PartitionedSimulator()];
        foreach (var (random, plan, plan2, fault) in new[] { (a, plans[0], plans[1], (FaultPlan?)null), (b, plans[0], plans[0], null), (a, plans[1], plans[1], faults), (a, plans[1], plans[0], null) })
        {
            var options = new SimulationOptions(4, RecordSpikes: true, Faults: fault, Partitions: plan);
            foreach (var engine in reused)
            {
                var fresh = (ISimulationEngine)Activator.CreateInstance(engine.GetType())!;
                ResultAssert.SameFaultyRun(fresh.Run(random.Model, random.Inputs, 6, options), engine.Run(random.Model, random.Inputs, 6, options), $"{engine.GetType().Name} {random.Description}");
                ResultAssert.SameFaultyRun(fresh.Run(random.Model, random.Inputs, 6, options with { Partitions = plan2 }),
                    engine.Run(random.Model, random.Inputs, 6, options with { Partitions = plan2 }), $"{engine.GetType().Name} {random.Description}, second plan");
            }
        }
    }
}
