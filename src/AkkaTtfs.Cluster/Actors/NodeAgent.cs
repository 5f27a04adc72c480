using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Runs on every worker node at <c>/user/node-agent</c>: creates partition actors locally when the
/// coordinator asks (no remote deployment: placement stays explicit and traffic stays what it is),
/// and stops them on request. It also applies the runtime faults of a run's plan that act on the node
/// (cut a link for a while, kill the node).
/// <para>
/// Authority: a run is accepted from the first <see cref="SpawnPartitions"/> that names it, and only when its
/// sender is an actor under <c>/user</c> of a member (joining or up) with the coordinator role (or of this node,
/// when this node has that role); a spawn from a node not yet in this node's membership view waits up to 20 s for
/// the gossip before it is refused. From then on only that same actor may spawn, stop, cut or kill for the run; the run is
/// forgotten when that actor terminates. <see cref="CutLink"/> and <see cref="KillNode"/> are refused outright
/// unless the node runs with fault injection (<c>akkattfs.fault-injection = on</c>, set by fault-injection.conf).
/// Every refusal is logged as a warning naming the sender; nothing is created, stopped or cut.
/// </para>
/// </summary>
public sealed class NodeAgent : ReceiveActor, IWithTimers
{
    public const string Name = "node-agent";

    /// <summary>Config key that fault-injection.conf (<c>--fault-injection</c>) turns on; without it runtime-fault commands are refused.</summary>
    public const string FaultInjectionKey = "akkattfs.fault-injection";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private readonly bool _faultInjection = Context.System.Settings.Config.GetBoolean(FaultInjectionKey, false);

    /// <summary>The coordinator of each accepted run.</summary>
    private readonly Dictionary<string, IActorRef> _runs = new(StringComparer.Ordinal);

    /// <summary>Set by Akka (IWithTimers): spawns waiting for the membership gossip.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Each spawn gets a fresh name (a re-homed partition may come back here while its old actor still stops).</summary>
    private int _spawned;

    public NodeAgent()
    {
        Receive<SpawnPartitions>(m => Spawn(m, Sender, 0));
        Receive<StopPartition>(m => Stop(m, Sender));
        // Run beside the agent, not inside it: a cut lasts seconds, and meanwhile the agent must still spawn re-homed partitions.
        Receive<CutLink>(m =>
        {
            if (RuntimeFaultAllowed(m.RunId, m.FaultIndex, nameof(CutLink), Sender)) _ = CutLinkAsync(m, Sender, Context.System);
        });
        Receive<KillNode>(m =>
        {
            if (RuntimeFaultAllowed(m.RunId, m.FaultIndex, nameof(KillNode), Sender)) _ = KillAsync(m, Sender, Context.System);
        });
        Receive<NodeMemoryQuery>(m =>
        {
            if (IsCoordinatorOf(m.RunId, nameof(NodeMemoryQuery), Sender)) Sender.Tell(NodeMemory.OfThisProcess(m.RunId, m.Moment), Self);
        });
        Receive<RetrySpawn>(r => Spawn(r.Message, r.From, r.Attempt));
        Receive<Terminated>(t =>
        {
            foreach (var run in _runs.Where(r => r.Value.Equals(t.ActorRef)).Select(r => r.Key).ToArray()) _runs.Remove(run);
        });
    }

    /// <summary>How long a spawn from a node this one does not yet see as a member waits for the membership gossip (40 x 0.5 s).</summary>
    private const int MaxSpawnRetries = 40;

    private static readonly TimeSpan SpawnRetryInterval = TimeSpan.FromMilliseconds(500);

    private void Spawn(SpawnPartitions m, IActorRef from, int attempt)
    {
        if (_runs.TryGetValue(m.RunId, out var coordinator))
        {
            if (!coordinator.Equals(from))
            {
                Refuse(nameof(SpawnPartitions), m.RunId, from, $"run {m.RunId} was accepted from coordinator {coordinator.Path}, not from this sender");
                return;
            }
        }
        else
        {
            switch (CoordinatorRoleProblem(from))
            {
                case (_, true) when attempt < MaxSpawnRetries:
                    // The coordinator may be Up in its own view before this node's gossip has it: ask again shortly.
                    Timers.StartSingleTimer(m, new RetrySpawn(m, from, attempt + 1), SpawnRetryInterval);
                    return;
                case ({ } problem, _):
                    Refuse(nameof(SpawnPartitions), m.RunId, from, problem);
                    return;
            }

            _runs[m.RunId] = from;
            Context.Watch(from);
        }

        var refs = m.PartitionIds.Select(id => Context.ActorOf(Props.Create(() => new PartitionActor(from)), $"{ChildName(m.RunId, id)}-{_spawned++}")).ToArray();
        from.Tell(new PartitionsSpawned(m.RunId, m.PartitionIds, refs), Self);
    }

    private void Stop(StopPartition m, IActorRef from)
    {
        if (!IsCoordinatorOf(m.RunId, nameof(StopPartition), from)) return;
        var prefix = ChildName(m.RunId, m.PartitionId) + "-";
        foreach (var child in Context.GetChildren().Where(c => c.Path.Name.StartsWith(prefix, StringComparison.Ordinal)))
            Context.Stop(child);
    }

    /// <summary>True when <paramref name="from"/> is the accepted coordinator of <paramref name="runId"/>; otherwise logs the refusal.</summary>
    private bool IsCoordinatorOf(string runId, string command, IActorRef from)
    {
        if (!_runs.TryGetValue(runId, out var coordinator)) return Refuse(command, runId, from, $"this node has not accepted run {runId}");
        return coordinator.Equals(from) || Refuse(command, runId, from, $"run {runId} was accepted from coordinator {coordinator.Path}, not from this sender");
    }

    /// <summary>
    /// (null, _) when <paramref name="sender"/> may coordinate runs on this node; else why not, and whether that may
    /// change (its node is not, or not yet, a member in this node's view).
    /// </summary>
    private (string? Problem, bool MayChange) CoordinatorRoleProblem(IActorRef sender)
    {
        if (sender.IsNobody() || sender is DeadLetterActorRef) return ("it has no sender", false);
        var path = sender.Path;
        if (path.Elements.Count < 2 || path.Elements[0] != "user") return ($"the sender {path} is not an actor under /user", false);
        var address = path.Address.HasLocalScope ? _cluster.SelfAddress : path.Address;
        var member = _cluster.State.Members.FirstOrDefault(x => x.Address == address);
        if (member is null || member.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up))
            return ($"the sender's node {address} is not a member of this cluster{(member is null ? string.Empty : $" (it is {member.Status})")}", true);
        if (!member.HasRole(ClusterNodeOptions.WellKnownRoles.Coordinator))
            return ($"the sender's node {address} does not have the '{ClusterNodeOptions.WellKnownRoles.Coordinator}' role (its roles: {string.Join(", ", member.Roles)})", false);
        return (null, false);
    }

    private bool RuntimeFaultAllowed(string runId, int faultIndex, string command, IActorRef from)
    {
        if (!IsCoordinatorOf(runId, command, from)) return false;
        if (_faultInjection) return true;
        Refuse(command, runId, from, "this node does not run with --fault-injection");
        from.Tell(new RuntimeFaultRefused(runId, faultIndex, $"{_cluster.SelfAddress} refuses runtime faults: it does not run with --fault-injection (start every node with it)"), Self);
        return false;
    }

    private bool Refuse(string command, string runId, IActorRef from, string why)
    {
        _log.Warning("node agent refused {0} of run {1} from {2}: {3}", command, runId, from.Path, why);
        return false;
    }

    /// <summary>A spawn put back until this node's membership view has its sender (local only).</summary>
    private sealed record RetrySpawn(SpawnPartitions Message, IActorRef From, int Attempt) : INoSerializationVerificationNeeded;

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
