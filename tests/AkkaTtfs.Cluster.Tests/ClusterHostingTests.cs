using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Tests.Support;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>Starting, joining and leaving: the embedded node, a 3-node cluster, an unreachable seed.</summary>
public sealed class ClusterHostingTests
{
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_embedded_node_joins_itself_with_both_roles_and_shuts_down()
    {
        var node = ClusterNode.Start(new ClusterNodeOptions { ExtraHocon = "akka.loglevel = WARNING" });
        try
        {
            await node.WaitUntilUpAsync(UpTimeout);
            Assert.True(node.IsSelfSeeded);
            Assert.Equal("akkattfs", node.System.Name);
            Assert.Equal("127.0.0.1", node.SelfAddress.Host);
            Assert.True(node.SelfAddress.Port > 0);
            var self = Assert.Single(node.Cluster.State.Members);
            Assert.Equal(MemberStatus.Up, self.Status);
            Assert.Equal(["coordinator", "worker"], self.Roles.Order(StringComparer.Ordinal));

            // Without the adapters, link faults are a clear error rather than a silent no-op.
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                LinkFaults.BlackholeAsync(node.System, new Address("akka.tcp", "akkattfs", "127.0.0.1", 1)));
            Assert.Contains("applied-adapters", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Assert.True(await node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.True(node.System.WhenTerminated.IsCompleted);
        Assert.True(await node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(1)), "a second shutdown is a no-op");
    }

    [Fact]
    public async Task Three_nodes_form_one_cluster_and_leave_without_errors()
    {
        var cluster = await InProcessCluster.StartAsync(3);
        bool[] graceful;
        try
        {
            foreach (var node in cluster.Nodes)
            {
                var members = node.Cluster.State.Members;
                Assert.Equal(3, members.Count);
                Assert.All(members, m => Assert.Equal(MemberStatus.Up, m.Status));
                Assert.Equal(cluster.Nodes.Select(n => n.SelfAddress).Order(), members.Select(m => m.Address).Order());
                Assert.Single(members, m => m.HasRole("coordinator"));
                Assert.Equal(cluster[0].Cluster.State.Leader, node.Cluster.State.Leader);
            }

            // A message crosses from the last node to the seed.
            var probe = cluster.CreateProbe(0);
            var ack = new WeightChunkAck("run", 0, 0);
            cluster.RefFrom(2, probe.Ref).Tell(ack);
            Assert.Equal(ack, probe.ExpectMsg<WeightChunkAck>(TimeSpan.FromSeconds(15)));
        }
        finally
        {
            graceful = await cluster.ShutdownAsync();
        }

        Assert.All(graceful, Assert.True);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(cluster[i].System.WhenTerminated.IsCompleted);
            Assert.True(cluster.ErrorsOf(i).Count == 0, $"node {i} logged errors: {string.Join(" | ", cluster.ErrorsOf(i))}");
        }
    }

    [Fact]
    public async Task An_unreachable_seed_fails_within_the_timeout_naming_the_seeds()
    {
        var seeds = new[] { $"akka.tcp://akkattfs@127.0.0.1:{FreePort()}", $"akka.tcp://akkattfs@127.0.0.1:{FreePort()}" };
        var timeout = TimeSpan.FromSeconds(4);
        await using var node = ClusterNode.Start(InProcessCluster.TestOptions() with { SeedNodes = seeds });

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ClusterJoinException>(() => node.WaitUntilUpAsync(timeout));
        clock.Stop();

        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(100), timeout + TimeSpan.FromSeconds(5));
        foreach (var seed in seeds) Assert.Contains(seed, e.Message, StringComparison.Ordinal);
        Assert.Contains("could not join the cluster within 4 s", e.Message, StringComparison.Ordinal);
        Assert.Contains(node.SelfAddress.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_node_on_a_port_in_use_fails_at_start_saying_so()
    {
        // Without tcp-reuse-addr = off (base.conf) Linux let both bind: two clusters behind one address.
        await using var first = ClusterNode.Start(InProcessCluster.TestOptions());
        var port = first.SelfAddress.Port!.Value;

        var e = Assert.Throws<ClusterJoinException>(() => ClusterNode.Start(InProcessCluster.TestOptions() with { Port = port }));

        Assert.Contains($"cannot listen on 127.0.0.1:{port}: the port is already in use", e.Message, StringComparison.Ordinal);
        await first.WaitUntilUpAsync(InProcessCluster.FormationTimeout);   // the first node is unharmed
    }

    // Nothing listens on a port that was just free; good enough for "unreachable" on loopback.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
