using Akka.Actor;
using Akka.TestKit;
using AkkaTtfs.Cluster.Actors;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Tests.Support;

namespace AkkaTtfs.Cluster.Tests.Security;

/// <summary>
/// Node agents act only for the coordinator of a run they accepted: node 0 has the coordinator role, node 1
/// only the worker role. An actor on node 1 (an admitted member, but no coordinator) and a non-/user actor on
/// node 0 cannot spawn, stop or kill anything; runtime faults need --fault-injection even from the coordinator.
/// </summary>
public sealed class NodeAgentAuthorityTests(TwoNodeFixture fixture) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    private InProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_member_without_the_coordinator_role_cannot_spawn_stop_or_kill()
    {
        var agents = await AgentsAsync(0);
        var agentsFromWorker = await AgentsAsync(1);
        var run = "run-" + Guid.NewGuid().ToString("N");
        var (coordinator, coordinatorProbe) = Relay(0);
        var (impostor, impostorProbe) = Relay(1);

        // The impostor on the worker-only node asks both agents to spawn: refused, nothing created.
        impostor.Tell(new CoordinatorRelay.Send(agentsFromWorker[1], new SpawnPartitions(run + "-x", [0])));
        impostor.Tell(new CoordinatorRelay.Send(agentsFromWorker[0], new SpawnPartitions(run + "-x", [0])));
        impostorProbe.ExpectNoMsg(Quiet);
        await LoggedAsync(1, nameof(SpawnPartitions), impostor);
        await LoggedAsync(0, nameof(SpawnPartitions), impostor);
        Assert.Null(await ChildAsync(1, run + "-x"));

        // The real coordinator (an actor under /user of the node with the coordinator role) spawns a partition on node 1.
        coordinator.Tell(new CoordinatorRelay.Send(agents[1], new SpawnPartitions(run, [2])));
        var spawned = coordinatorProbe.ExpectMsg<PartitionsSpawned>(Wait);
        var partition = Assert.Single(spawned.Refs);

        // The impostor tries to stop it, to take over the run with another spawn, and to kill the node: all refused.
        impostor.Tell(new CoordinatorRelay.Send(agentsFromWorker[1], new StopPartition(run, 2)));
        impostor.Tell(new CoordinatorRelay.Send(agentsFromWorker[1], new SpawnPartitions(run, [3])));
        impostor.Tell(new CoordinatorRelay.Send(agentsFromWorker[1], new KillNode(run, 0)));
        impostor.Tell(new CoordinatorRelay.Send(agentsFromWorker[1], new CutLink(run, 1, Cluster[0].SelfAddress.ToString(), 1000)));
        impostorProbe.ExpectNoMsg(Quiet);
        await LoggedAsync(1, nameof(StopPartition), impostor);
        await LoggedAsync(1, nameof(KillNode), impostor);
        await LoggedAsync(1, nameof(CutLink), impostor);
        Assert.NotNull(await ChildAsync(1, run + "-p2"));
        Assert.Null(await ChildAsync(1, run + "-p3"));
        Assert.False(Cluster[1].System.WhenTerminated.IsCompleted);

        // The coordinator itself may stop its partition.
        var watcher = Cluster.CreateProbe(1);
        watcher.Watch(Cluster.RefFrom(1, partition));
        coordinator.Tell(new CoordinatorRelay.Send(agents[1], new StopPartition(run, 2)));
        watcher.ExpectTerminated(Cluster.RefFrom(1, partition), Wait);
    }

    [Fact]
    public async Task Runtime_faults_are_refused_without_fault_injection_even_from_the_coordinator()
    {
        var agents = await AgentsAsync(0);
        var run = "run-" + Guid.NewGuid().ToString("N");
        var (coordinator, coordinatorProbe) = Relay(0);
        coordinator.Tell(new CoordinatorRelay.Send(agents[1], new SpawnPartitions(run, [0])));
        coordinatorProbe.ExpectMsg<PartitionsSpawned>(Wait);

        coordinator.Tell(new CoordinatorRelay.Send(agents[1], new KillNode(run, 4)));
        var refused = coordinatorProbe.ExpectMsg<RuntimeFaultRefused>(Wait);
        Assert.Equal(4, refused.FaultIndex);
        Assert.Contains("--fault-injection", refused.Reason, StringComparison.Ordinal);
        coordinator.Tell(new CoordinatorRelay.Send(agents[1], new CutLink(run, 5, Cluster[0].SelfAddress.ToString(), 1000)));
        Assert.Equal(5, coordinatorProbe.ExpectMsg<RuntimeFaultRefused>(Wait).FaultIndex);
        Assert.False(Cluster[1].System.WhenTerminated.IsCompleted);
        coordinator.Tell(new CoordinatorRelay.Send(agents[1], new StopPartition(run, 0)));
    }

    [Fact]
    public async Task A_sender_outside_user_actors_is_not_a_coordinator_even_on_the_coordinator_node()
    {
        var agents = await AgentsAsync(0);
        var probe = Cluster.CreateProbe(0);   // a test probe lives under /system
        var run = "run-" + Guid.NewGuid().ToString("N");
        agents[1].Tell(new SpawnPartitions(run, [0]), probe.Ref);
        probe.ExpectNoMsg(Quiet);
        await LoggedAsync(1, nameof(SpawnPartitions), probe.Ref);
        Assert.Null(await ChildAsync(1, run + "-p0"));
    }

    /// <summary>
    /// Both agents, as node <paramref name="from"/> addresses them (started once for the fixture's cluster). A sender
    /// must use refs of its own system: a ref of another system would send with that system's address as the sender's.
    /// </summary>
    private async Task<IActorRef[]> AgentsAsync(int from)
    {
        var refs = new IActorRef[2];
        for (var i = 0; i < 2; i++)
        {
            IActorRef agent;
            try
            {
                agent = await Cluster[i].System.ActorSelection("/user/" + NodeAgent.Name).ResolveOne(TimeSpan.FromSeconds(2));
            }
            catch (ActorNotFoundException)
            {
                agent = global::AkkaTtfs.Cluster.Runtime.ClusterRuntime.StartNodeAgent(Cluster[i].System);
            }

            refs[i] = Cluster.RefFrom(from, agent);
        }

        return refs;
    }

    private (IActorRef Relay, TestProbe Replies) Relay(int node) => CoordinatorRelay.Start(Cluster, node);

    private async Task LoggedAsync(int node, string command, IActorRef sender) =>
        await Eventually.UntilAsync(
            () => Cluster.WarningsOf(node).Any(w => w.Message.ToString() is { } m
                && m.StartsWith($"node agent refused {command}", StringComparison.Ordinal) && m.Contains(sender.Path.Name, StringComparison.Ordinal)),
            Wait, $"node {node} logged the refused {command} naming {sender.Path}");

    /// <summary>A child of node <paramref name="node"/>'s agent whose name starts with <paramref name="prefix"/>, or null.</summary>
    private async Task<IActorRef?> ChildAsync(int node, string prefix)
    {
        try
        {
            var id = await Cluster[node].System.ActorSelection($"/user/{NodeAgent.Name}/{prefix}*").Ask<ActorIdentity>(new Identify(prefix), TimeSpan.FromSeconds(5));
            return id.Subject;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }
}
