using Akka.Actor;
using Akka.TestKit;
using AkkaTtfs.Cluster.Actors;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cluster.Tests.Security;

/// <summary>
/// Partition actors take deployment, weights, wiring, stop and crash commands only from the coordinator of their run (the
/// actor their node agent accepted the run from), and a crash only on a node with fault injection; over a real remoting
/// connection: node 0 has the coordinator role, node 1 only the worker role, and an impostor on node 1 (an admitted member,
/// no coordinator) addresses a partition that lives on node 1. Neither node runs with fault injection.
/// </summary>
public sealed class PartitionAuthorityTests(TwoNodeFixture fixture) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    private InProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_member_without_the_coordinator_role_cannot_deploy_wire_stop_or_crash_a_partition()
    {
        var run = "run-" + Guid.NewGuid().ToString("N");
        var (coordinator, coordinatorProbe) = CoordinatorRelay.Start(Cluster, 0);
        var (impostor, impostorProbe) = CoordinatorRelay.Start(Cluster, 1);
        var agent = Cluster.RefFrom(0, await AgentOfNode1Async());
        coordinator.Tell(new CoordinatorRelay.Send(agent, new SpawnPartitions(run, [0])));
        var partition = Assert.Single(coordinatorProbe.ExpectMsg<PartitionsSpawned>(Wait).Refs);
        var local = Cluster.RefFrom(1, partition);       // the partition as the impostor's system addresses it
        var watcher = Cluster.CreateProbe(1);
        watcher.Watch(local);

        // The impostor's commands while the partition waits for its deployment: its own deployment and weights, a stop, a crash.
        var (deploy, chunk) = Deployment(run);
        impostor.Tell(new CoordinatorRelay.Send(local, deploy));
        impostor.Tell(new CoordinatorRelay.Send(local, chunk));
        impostor.Tell(new CoordinatorRelay.Send(local, new StopPartition(run, 0)));
        impostor.Tell(new CoordinatorRelay.Send(local, new CrashPartition(run, 0, 3)));
        impostorProbe.ExpectNoMsg(Quiet);             // no WeightChunkAck or DeployComplete: nothing was taken
        foreach (var command in new[] { nameof(DeployPartition), nameof(WeightChunk), nameof(StopPartition), nameof(CrashPartition) })
            await LoggedAsync(command, impostor);

        // The coordinator's deployment is taken: its chunk acknowledged, the checksum matched.
        coordinator.Tell(new CoordinatorRelay.Send(partition, deploy));
        coordinator.Tell(new CoordinatorRelay.Send(partition, chunk));
        Assert.Equal(0, coordinatorProbe.ExpectMsg<WeightChunkAck>(Wait).ChunkIndex);
        coordinatorProbe.ExpectMsg<DeployComplete>(Wait);

        // Deployed: the impostor can neither wire it (to itself) nor stop it.
        impostor.Tell(new CoordinatorRelay.Send(local, new WirePartition(run, 0, [], [], impostor)));
        impostor.Tell(new CoordinatorRelay.Send(local, new StopPartition(run, 0)));
        impostorProbe.ExpectNoMsg(Quiet);             // no PartitionReady
        await LoggedAsync(nameof(WirePartition), impostor);
        watcher.ExpectNoMsg(TimeSpan.Zero);           // neither stopped nor crashed
        Assert.Equal(partition.Path.ToStringWithoutAddress(), (await local.Ask<ActorIdentity>(new Identify(1), Wait)).Subject?.Path.ToStringWithoutAddress());

        // The coordinator's crash is refused too, saying why, because node 1 runs without --fault-injection.
        coordinator.Tell(new CoordinatorRelay.Send(partition, new CrashPartition(run, 0, 5)));
        var refused = coordinatorProbe.ExpectMsg<RuntimeFaultRefused>(Wait);
        Assert.Equal(5, refused.FaultIndex);
        Assert.Contains("--fault-injection", refused.Reason, StringComparison.Ordinal);
        await LoggedAsync(nameof(CrashPartition), coordinator, "does not run with --fault-injection");

        // The coordinator's stop stops it.
        coordinator.Tell(new CoordinatorRelay.Send(partition, new StopPartition(run, 0)));
        watcher.ExpectTerminated(local, Wait);
    }

    /// <summary>A real one-partition deployment (d4 on 3 inputs) and its single weight chunk, as the run coordinator makes them.</summary>
    private static (DeployPartition Deploy, WeightChunk Chunk) Deployment(string run)
    {
        var network = ArchitectureParser.Build("d4", TensorShape.Vector(3));
        var model = RandomModel.Create(network, 3);
        var plan = PartitionPlanner.Plan(network, "1");
        var setup = PartitionSetup.For(model, plan, 0);
        var parameters = PartitionSetup.Parameters(model, plan, 0);
        var weights = parameters.AsSpan(0, setup.WeightCount);
        var biases = parameters.AsSpan(setup.WeightCount);
        var deploy = new DeployPartition(run, 0, setup.Architecture, setup.InputShape, setup.T, setup.PartitionSpec,
            PartitionSetup.InputModeName(setup.InputMode), setup.KernelTaus, setup.KernelTds, setup.WeightCount, setup.BiasCount,
            WeightAssembly.Sha256Hex(weights, biases), false, 1, "");
        return (deploy, Assert.Single(WeightChunks.Split(run, 0, weights, biases)));
    }

    [Fact]
    public async Task A_sender_that_is_not_the_runs_coordinator_is_refused_even_on_the_coordinator_node()
    {
        var run = "run-" + Guid.NewGuid().ToString("N");
        var (coordinator, coordinatorProbe) = CoordinatorRelay.Start(Cluster, 0);
        var (other, otherProbe) = CoordinatorRelay.Start(Cluster, 0);     // another /user actor of the coordinator's node
        var agent = Cluster.RefFrom(0, await AgentOfNode1Async());
        coordinator.Tell(new CoordinatorRelay.Send(agent, new SpawnPartitions(run, [1])));
        var partition = Assert.Single(coordinatorProbe.ExpectMsg<PartitionsSpawned>(Wait).Refs);

        other.Tell(new CoordinatorRelay.Send(partition, new StopPartition(run, 1)));
        otherProbe.ExpectNoMsg(Quiet);
        await LoggedAsync(nameof(StopPartition), other);
        Assert.NotNull((await partition.Ask<ActorIdentity>(new Identify(2), Wait)).Subject);
        coordinator.Tell(new CoordinatorRelay.Send(agent, new StopPartition(run, 1)));
    }

    private async Task<IActorRef> AgentOfNode1Async()
    {
        try
        {
            return await Cluster[1].System.ActorSelection("/user/" + NodeAgent.Name).ResolveOne(TimeSpan.FromSeconds(2));
        }
        catch (ActorNotFoundException)
        {
            return global::AkkaTtfs.Cluster.Runtime.ClusterRuntime.StartNodeAgent(Cluster[1].System);
        }
    }

    private async Task LoggedAsync(string command, IActorRef sender, string? reason = null) =>
        await Eventually.UntilAsync(
            () => Cluster.WarningsOf(1).Any(w => w.Message.ToString() is { } m
                && m.Contains($"refused {command} of run", StringComparison.Ordinal) && m.StartsWith("partition ", StringComparison.Ordinal)
                && m.Contains(sender.Path.Name, StringComparison.Ordinal) && (reason is null || m.Contains(reason, StringComparison.Ordinal))),
            Wait, $"node 1 logged the refused {command} naming {sender.Path}");
}
