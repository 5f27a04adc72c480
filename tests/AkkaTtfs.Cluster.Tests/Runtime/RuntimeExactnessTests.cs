using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// The actor runtime on 1-3 ActorSystems (one process, loopback, serialize-messages on) against the
/// Core reference: predictions, output potentials and every spike bit-identical, for random networks,
/// random partition plans, batch sizes and credits.
/// </summary>
public class RuntimeExactnessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_networks_and_plans_on_several_nodes_match_the_reference_bit_for_bit(int nodes)
    {
        await using var cluster = await InProcessCluster.StartAsync(nodes);
        var workers = await cluster.StartWorkersAsync();
        Assert.Equal(nodes, workers.Count);

        var rng = new Random(40 + nodes);
        for (var trial = 0; trial < 4; trial++)
        {
            var topology = rng.Next(RandomNetworks.Topologies.Count);
            var count = rng.Next(1, 70);
            var random = RandomNetworks.Create(topology, trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, (1000 * nodes) + trial, count);
            var reference = new EventDrivenSimulator().Run(random.Model, random.Inputs, count, new SimulationOptions(16, RecordSpikes: true));
            var plan = PartitionPlanner.Plan(random.Model.Network, RandomNetworks.RandomSplits(rng, random.Model.Network, 4, 2, 1));
            var options = new RunOptions(BatchSize: rng.Next(1, 65), MaxInFlight: rng.Next(1, 5), RecordSpikes: true, StallTimeout: TimeSpan.FromSeconds(60));
            var request = new RunRequest($"exact-{nodes}-{trial}", random.Model, plan, random.Inputs, count, options);

            var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);

            ResultAssert.BitIdentical(reference, outcome.Result, $"{nodes} nodes, trial {trial}, {random.Description}, plan {plan.Describe()}, {options}");
            Assert.Equal(nodes == 1 ? 1 : Math.Min(nodes, plan.Partitions.Count), outcome.NodeOfPartition.Distinct().Count());
            var batches = (count + options.BatchSize - 1) / options.BatchSize;
            Assert.All(outcome.Links, l => Assert.Equal(batches, l.Messages));   // one message per (batch, window, link)
            output.WriteLine($"{nodes} nodes trial {trial}: {plan.Partitions.Count} partitions, {outcome.Links.Count} links, deploy {outcome.DeployTime.TotalMilliseconds:F0} ms, run {outcome.RunTime.TotalMilliseconds:F0} ms");
        }
    }

    [Fact]
    public async Task Too_few_workers_for_the_request_fails_with_a_clear_message()
    {
        await using var cluster = await InProcessCluster.StartAsync(1);
        ClusterRuntime.StartNodeAgent(cluster[0].System);
        var ex = await Assert.ThrowsAsync<RunFailedException>(() => ClusterRuntime.DiscoverWorkersAsync(cluster[0].System, 3, TimeSpan.FromSeconds(2)));
        Assert.Contains("only 1 of the 3 worker nodes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_restarts_a_partition_that_dies_stops_the_run_cleanly_and_names_it()
    {
        await using var cluster = await InProcessCluster.StartAsync(1);
        ClusterRuntime.StartNodeAgent(cluster[0].System);
        var workers = await ClusterRuntime.DiscoverWorkersAsync(cluster[0].System, 1, TimeSpan.FromSeconds(30));
        var network = ArchitectureParser.Build("d40-d10", TensorShape.Vector(20));
        var model = RandomModel.Create(network, 1);
        var plan = PartitionPlanner.Plan(network, "2,1");
        const int samples = 20000;
        var inputs = new float[samples * 20];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = (i % 7) / 7f;
        // Batch 1 with one credit keeps the run going long after the first result; the partition is
        // stopped once the run has made progress, so it dies in the middle of the run.
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = ClusterRuntime.RunAsync(cluster[0].System,
            new RunRequest("dies", model, plan, inputs, samples, new RunOptions(BatchSize: 1, MaxInFlight: 1, MaxRestarts: 0)), workers, new AfterProgress(1, running));
        await running.Task.WaitAsync(RunTimeout);
        var partition = await Eventually.ResolveAsync(cluster[0].System, "/user/node-agent/dies-p1-*", TimeSpan.FromSeconds(30));
        partition.Tell(Akka.Actor.PoisonPill.Instance, Akka.Actor.ActorRefs.NoSender);
        var ex = await Assert.ThrowsAsync<RunFailedException>(() => run.WaitAsync(RunTimeout));
        Assert.Contains("partition 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("samples had completed", ex.Message, StringComparison.Ordinal);
    }
}
