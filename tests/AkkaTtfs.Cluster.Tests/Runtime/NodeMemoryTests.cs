using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>Every worker node reports its process memory after deployment and at the end, and the run stays bit-identical to the reference.</summary>
public class NodeMemoryTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Each_of_three_nodes_reports_its_process_memory_after_deploy_and_at_the_end()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var workers = await cluster.StartWorkersAsync();
        var network = ArchitectureParser.Build("c4k3-p2-c6k3-d10", TensorShape.Image(1, 10, 10));
        var model = RandomModel.Create(network, 7);
        const int samples = 24;
        var inputs = new float[samples * network.Input.Size];
        var rng = new Random(3);
        for (var i = 0; i < inputs.Length; i++) inputs[i] = (float)rng.NextDouble();
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(8, RecordSpikes: true));
        var plan = PartitionPlanner.Plan(network, "c2,c2,1");
        var options = new RunOptions(BatchSize: 8, MaxInFlight: 2, RecordSpikes: true, StallTimeout: TimeSpan.FromSeconds(60));

        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, new RunRequest("memory", model, plan, inputs, samples, options), workers).WaitAsync(RunTimeout);

        ResultAssert.BitIdentical(reference, outcome.Result, "memory test run");
        var used = outcome.NodeOfPartition.Distinct().Order().ToArray();
        Assert.Equal(3, used.Length);
        // One sample per node and moment, in node order, each from this process (the three ActorSystems share it).
        Assert.Equal(used.SelectMany(n => new[] { (n, MemoryMoment.Deployed), (n, MemoryMoment.End) }), outcome.NodeMemory.Select(s => (s.Node, s.Memory.Moment)));
        Assert.All(outcome.NodeMemory, s =>
        {
            Assert.Equal("memory", s.Memory.RunId);
            Assert.Equal(Environment.ProcessId, s.Memory.ProcessId);
            Assert.InRange(s.Memory.WorkingSetBytes, 1_000_000, s.Memory.PeakWorkingSetBytes);
            Assert.True(s.Memory.ManagedHeapBytes > 0, "managed heap not reported");
        });
        // The peak never falls: each node's end sample is at least its sample after deployment.
        foreach (var node in used)
        {
            var deployed = outcome.NodeMemory.Single(s => s.Node == node && s.Memory.Moment == MemoryMoment.Deployed).Memory;
            var end = outcome.NodeMemory.Single(s => s.Node == node && s.Memory.Moment == MemoryMoment.End).Memory;
            Assert.True(end.PeakWorkingSetBytes >= deployed.PeakWorkingSetBytes, $"node {node}: peak {end.PeakWorkingSetBytes} at the end < {deployed.PeakWorkingSetBytes} after deploy");
        }
    }
}
