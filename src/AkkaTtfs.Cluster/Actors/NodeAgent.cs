using System.Text;
using Akka.Actor;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Runs on every worker node at <c>/user/node-agent</c>: creates partition actors locally when the
/// coordinator asks (no remote deployment: placement stays explicit and traffic stays what it is),
/// and stops them on request. It also applies the runtime faults of a run's plan that act on the node
/// (cut a link for a while, kill the node).
/// </summary>
public sealed class NodeAgent : ReceiveActor
{
    public const string Name = "node-agent";

    public NodeAgent()
    {
        // Each spawn gets a fresh name (a re-homed partition may come back here while its old actor still stops).
        var spawned = 0;
        Receive<SpawnPartitions>(m =>
        {
            var refs = m.PartitionIds.Select(id => Context.ActorOf(Props.Create(() => new PartitionActor()), $"{ChildName(m.RunId, id)}-{spawned++}")).ToArray();
            Sender.Tell(new PartitionsSpawned(m.RunId, m.PartitionIds, refs));
        });
        Receive<StopPartition>(m =>
        {
            var prefix = ChildName(m.RunId, m.PartitionId) + "-";
            foreach (var child in Context.GetChildren().Where(c => c.Path.Name.StartsWith(prefix, StringComparison.Ordinal)))
                Context.Stop(child);
        });
        // Run beside the agent, not inside it: a cut lasts seconds, and meanwhile the agent must still spawn re-homed partitions.
        Receive<CutLink>(m => _ = CutLinkAsync(m, Sender, Context.System));
        Receive<KillNode>(m => _ = KillAsync(m, Sender, Context.System));
    }

    /// <summary>Blackholes the link to the remote node for a while, then heals it; a node without the throttler adapter refuses, saying why.</summary>
    private static async Task CutLinkAsync(CutLink m, IActorRef coordinator, ActorSystem system)
    {
        var log = Akka.Event.Logging.GetLogger(system, nameof(NodeAgent));
        try
        {
            var remote = Address.Parse(m.Remote);
            await LinkFaults.BlackholeAsync(system, remote).ConfigureAwait(false);
            log.Warning("runtime fault {0} of run {1}: link to {2} cut for {3} ms", m.FaultIndex, m.RunId, m.Remote, m.Milliseconds);
            await Task.Delay(m.Milliseconds).ConfigureAwait(false);
            await LinkFaults.RestoreAsync(system, remote).ConfigureAwait(false);
            log.Warning("runtime fault {0} of run {1}: link to {2} healed", m.FaultIndex, m.RunId, m.Remote);
        }
        catch (Exception ex) when (ex is InvalidOperationException or UriFormatException or ArgumentException or TimeoutException)
        {
            coordinator.Tell(new RuntimeFaultRefused(m.RunId, m.FaultIndex, $"{AkkaCluster.Get(system).SelfAddress} cannot cut its link to {m.Remote}: {ex.Message}"));
        }
    }

    /// <summary>
    /// Vanishes as a killed process would: first every link to the other members is blackholed (so no leave
    /// or goodbye reaches them), then the actor system terminates. Refused, saying why, without the throttler adapter.
    /// </summary>
    private static async Task KillAsync(KillNode m, IActorRef coordinator, ActorSystem system)
    {
        var cluster = AkkaCluster.Get(system);
        try
        {
            foreach (var member in cluster.State.Members.Where(x => x.Address != cluster.SelfAddress))
                await LinkFaults.BlackholeAsync(system, member.Address).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            coordinator.Tell(new RuntimeFaultRefused(m.RunId, m.FaultIndex, $"{cluster.SelfAddress} cannot be killed by the plan: {ex.Message}"));
            return;
        }

        Akka.Event.Logging.GetLogger(system, nameof(NodeAgent)).Warning("runtime fault {0} of run {1}: this node is killed (cut off, then terminated)", m.FaultIndex, m.RunId);
        await system.Terminate().ConfigureAwait(false);
    }

    /// <summary>A partition that throws is stopped, not restarted: a restart would silently lose its weights and batches; the coordinator watches it and decides.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    public static Props CreateProps() => Props.Create(() => new NodeAgent());

    /// <summary>Actor name prefix of a partition (a spawn counter follows): the run id reduced to characters valid in an actor path.</summary>
    public static string ChildName(string runId, int partitionId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var safe = new StringBuilder(runId.Length);
        foreach (var c in runId) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return $"{safe}-p{partitionId}";
    }
}
