using System.Text;
using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Runs on every worker node at <c>/user/node-agent</c>: creates partition actors locally when the
/// coordinator asks (no remote deployment: placement stays explicit and traffic stays what it is),
/// and stops them on request.
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
