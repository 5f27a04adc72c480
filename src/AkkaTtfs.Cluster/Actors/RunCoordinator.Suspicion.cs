using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Recovery on suspicion: the first sign that a worker node is gone re-homes its partitions at once, without
/// waiting for the split-brain resolver to down it (which takes the failure detector's pause plus its stable
/// time, about 20 s). Signals: remoting's association events (a killed process closes its sockets, heard within
/// milliseconds on loopback) and the cluster's reachability and removal events. What a signal means is Core's
/// (<see cref="RehomingPolicy.Observe"/>); this part maps Akka's events onto it and carries out the verdict. A
/// node that was only suspected and comes back gets its old incarnations stopped; their late messages and
/// reports carry old attempts and are dropped.
/// </summary>
public sealed partial class RunCoordinator
{
    /// <summary>Partitions that lived on a node when it was suspected: stopped there once it is back (or at the end).</summary>
    private readonly List<(int Node, int Partition)> _leftBehind = [];

    /// <summary>When the last recovery's loss was noticed, until the first batch after it completes (for the log).</summary>
    private TimeSpan? _awaitingFirstBatch;

    /// <summary>
    /// One-shot events only: an association error repeats at every reconnection attempt (every gate period) and
    /// would keep resetting the stall timeout; the lost association before it, or the unreachability, says enough.
    /// </summary>
    private void SubscribeToNodeSignals()
    {
        var stream = Context.System.EventStream;
        stream.Subscribe(Self, typeof(DisassociatedEvent));
        stream.Subscribe(Self, typeof(QuarantinedEvent));
        stream.Subscribe(Self, typeof(AssociatedEvent));
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));
    }

    private void UnsubscribeFromNodeSignals()
    {
        Context.System.EventStream.Unsubscribe(Self);
        AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    /// <summary>Node signals, in every live state.</summary>
    private void NodeSignals()
    {
        Receive<DisassociatedEvent>(m => OnNodeSignal(m.RemoteAddress, NodeSignal.AssociationLost, "its association was lost"));
        Receive<QuarantinedEvent>(m => OnNodeSignal(m.Address, NodeSignal.AssociationLost, "it was quarantined"));
        Receive<AssociatedEvent>(m => OnNodeSignal(m.RemoteAddress, NodeSignal.Associated, "associated again"));
        Receive<ClusterEvent.UnreachableMember>(m => OnNodeSignal(m.Member.Address, NodeSignal.Unreachable, "the failure detector marked it unreachable"));
        Receive<ClusterEvent.ReachableMember>(m => OnNodeSignal(m.Member.Address, NodeSignal.Reachable, "reachable again"));
        Receive<ClusterEvent.MemberRemoved>(m => OnNodeSignal(m.Member.Address, NodeSignal.Removed, "it was removed from the cluster"));
    }

    private void OnNodeSignal(Address address, NodeSignal signal, string what)
    {
        if (_phase == RunPhase.Done) return;
        var node = NodeOf(address);
        if (node < 0) return;
        switch (_placement.Observe(node, signal))
        {
            case NodeVerdict.Suspect suspect:
                _log.Warning("run {0}: node {1} is suspected ({2}) at {3:F3} s; re-homing its {4} partitions now", _request.RunId, address, what,
                    _clock.Elapsed.TotalSeconds, suspect.Partitions.Count);
                foreach (var id in suspect.Partitions)
                {
                    if (_phase == RunPhase.Done) return;
                    _leftBehind.Add((node, id));
                    Rehome(_slots[id], $"is on a suspected node ({what})");
                }

                break;
            case NodeVerdict.Back:
                var stale = _leftBehind.Where(x => x.Node == node).ToArray();
                _log.Warning("run {0}: suspected node {1} is back ({2}); stopping the {3} partitions of the old attempt it still hosts", _request.RunId, address, what, stale.Length);
                StopLeftBehind(node);
                break;
        }
    }

    /// <summary>Partition <paramref name="id"/> has an incarnation of the old attempt on <paramref name="node"/>: stopped now if the node is not suspected, else once it is back.</summary>
    private void LeftBehind(int node, int id)
    {
        _leftBehind.Add((node, id));
        if (!_placement.IsSuspected(node)) StopLeftBehind(node);
    }

    /// <summary>Stops the old incarnations on <paramref name="node"/>: no current partition lives there (a suspected node gets none).</summary>
    private void StopLeftBehind(int node)
    {
        foreach (var (_, id) in _leftBehind.Where(x => x.Node == node)) _workers[node].Agent.Tell(new StopPartition(_request.RunId, id));
        _leftBehind.RemoveAll(x => x.Node == node);
    }

    /// <summary>The worker index of a node address; -1 for a node that is not a worker of this run. A local address is this node's.</summary>
    private int NodeOf(Address address)
    {
        var text = (address.HasLocalScope ? AkkaCluster.Get(Context.System).SelfAddress : address).ToString();
        for (var n = 0; n < _workers.Count; n++)
        {
            if (_workers[n].Address == text) return n;
        }

        return -1;
    }

    /// <summary>Once per recovery: how long after the loss was noticed the first batch completed again.</summary>
    private void FirstBatchAfterRecovery()
    {
        if (_awaitingFirstBatch is not { } noticed) return;
        _awaitingFirstBatch = null;
        _log.Warning("run {0}: first batch after recovery completed at {1:F3} s, {2:F3} s after the loss was noticed", _request.RunId,
            _clock.Elapsed.TotalSeconds, (_clock.Elapsed - _runStart - noticed).TotalSeconds);
    }
}
