using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Tests.Support;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>The throttler adapter cuts and heals a link between two in-process nodes (issue 5's runtime faults).</summary>
public sealed class LinkFaultTests
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_blackholed_link_stops_delivery_and_unthrottling_restores_it()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, faultInjection: true);
        Assert.StartsWith("akka.trttl.gremlin.tcp://", cluster[1].SelfAddress.ToString(), StringComparison.Ordinal);
        var probe = cluster.CreateProbe(1);
        var target = cluster.RefFrom(0, probe.Ref);

        target.Tell(new WeightChunkAck("run", 0, 1));
        Assert.Equal(1, probe.ExpectMsg<WeightChunkAck>(Delivery).ChunkIndex);

        await cluster.BlackholeAsync(0, 1);
        target.Tell(new WeightChunkAck("run", 0, 2));
        // A negative check needs a window; 2 s is well inside the failure detector's 8 s pause.
        probe.ExpectNoMsg(TimeSpan.FromSeconds(2));

        await cluster.UnthrottleAsync(0, 1);
        target.Tell(new WeightChunkAck("run", 0, 3));
        // The blackholed message was dropped, not delayed: the next one to arrive is the one sent after healing.
        Assert.Equal(3, probe.ExpectMsg<WeightChunkAck>(Delivery).ChunkIndex);
        Assert.True(cluster.Nodes.All(n => n.Cluster.State.Unreachable.Count == 0));
    }
}
