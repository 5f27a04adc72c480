using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// Faults injected to study a network, on the actor runtime: the same plan and seed must give the Core
/// reference's result with the same plan (predictions, potentials, every spike, spikes delivered and
/// every fault counter) bit for bit, on 1 node or 3, whatever the partitioning, batch size and credits.
/// </summary>
public class RuntimeFaultPlanTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Random_fault_plans_give_the_core_references_result_on_any_node_count_and_partitioning(int nodes)
    {
        await using var cluster = await InProcessCluster.StartAsync(nodes);
        var workers = await cluster.StartWorkersAsync();

        var rng = new Random(70 + nodes);
        var acted = default(FaultCounters);
        for (var trial = 0; trial < 4; trial++)
        {
            var topology = rng.Next(RandomNetworks.Topologies.Count);
            var count = rng.Next(5, 60);
            var random = RandomNetworks.Create(topology, trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, (2000 * nodes) + trial, count);
            var faults = RandomFaultPlans.Create(rng, random.Model.Network, count);
            var reference = new EventDrivenSimulator().Run(random.Model, random.Inputs, count, new SimulationOptions(rng.Next(1, 17), RecordSpikes: true, Faults: faults));
            var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 4, 2, 1));
            var options = new RunOptions(BatchSize: rng.Next(1, 33), MaxInFlight: rng.Next(1, 5), RecordSpikes: true);
            var request = new RunRequest($"faulty-{nodes}-{trial}", random.Model, plan, random.Inputs, count, options) { Faults = faults };

            var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);

            ResultAssert.SameFaultyRun(reference, outcome.Result,
                $"{nodes} nodes, trial {trial}, {random.Description}, plan {plan.Describe()}, {options}, faults {faults.ToJson(indented: false)}");
            acted += reference.Faults;
            output.WriteLine($"{nodes} nodes trial {trial}: {plan.Partitions.Count} partitions, faults {reference.Faults}");
        }

        // The plans must have done something, or the identities above prove little.
        Assert.True(acted.ToArray().Count(c => c > 0) >= 2, $"too few fault kinds acted: {acted}");
    }

    [Fact]
    public async Task A_plan_that_does_not_fit_the_model_fails_before_anything_is_spawned_and_names_the_entry()
    {
        await using var cluster = await InProcessCluster.StartAsync(1);
        var workers = await cluster.StartWorkersAsync();
        var network = ArchitectureParser.Build("d12-d10", TensorShape.Vector(8));
        var model = RandomModel.Create(network, 3);
        var faults = FaultPlan.Parse("""{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1 }, { "kind": "dead", "layer": 4, "rate": 0.1 } ] }""");
        var request = new RunRequest("misfit", model, PartitionPlanner.Plan(network, "1"), new float[8], 1, new RunOptions()) { Faults = faults };

        // Thrown by RunAsync itself (not by the task it would return): the run never starts.
        var ex = Assert.Throws<FaultPlanException>(() => { _ = ClusterRuntime.RunAsync(cluster[0].System, request, workers); });

        Assert.Contains("entry 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("layer", ex.Message, StringComparison.Ordinal);
        // No coordinator was started (it would be /user/run-...), so nothing was spawned or deployed.
        await Assert.ThrowsAsync<Akka.Actor.ActorNotFoundException>(() => cluster[0].System.ActorSelection("/user/run-*").ResolveOne(TimeSpan.FromSeconds(2)));
    }
}
