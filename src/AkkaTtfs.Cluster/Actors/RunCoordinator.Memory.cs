using Akka.Actor;
using Akka.Event;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// The worker nodes' memory: each node's agent is asked for its process memory once every partition is deployed and
/// again when every batch has completed (before the partitions stop); the answers go into the outcome. The end sample
/// waits at most <see cref="EndMemoryWait"/>: a node that does not answer is left out, the run's result does not depend on it.
/// </summary>
public sealed partial class RunCoordinator
{
    private static readonly TimeSpan EndMemoryWait = TimeSpan.FromSeconds(5);

    private readonly List<NodeMemorySample> _nodeMemory = [];
    private readonly HashSet<int> _endMemoryPending = [];
    private bool _endMemoryAsked;
    private TimeSpan? _runEnd;
    private ICancelable? _endMemoryTimer;       // when the last batch completed, if the end sample was awaited after it

    /// <summary>The end sample took too long (local only).</summary>
    private sealed class EndMemoryTimeout : INoSerializationVerificationNeeded
    {
        public static readonly EndMemoryTimeout Instance = new();
    }

    /// <summary>Asks every live node that hosts partitions of this run (so its agent has accepted the run) for its memory; returns the nodes asked.</summary>
    private int[] QueryNodeMemory(MemoryMoment moment)
    {
        var nodes = _slots.Where(s => s.Ref is not null).Select(s => s.Node).Distinct().Where(_placement.IsAlive).Order().ToArray();
        foreach (var node in nodes) _workers[node].Agent.Tell(new NodeMemoryQuery(_request.RunId, moment));
        return nodes;
    }

    private void OnNodeMemory(NodeMemory m)
    {
        if (m.RunId != _request.RunId || !_nodeOfAgent.TryGetValue(Sender, out var node)) return;
        if (_nodeMemory.Any(s => s.Node == node && s.Memory.Moment == m.Moment)) return;
        _nodeMemory.Add(new NodeMemorySample(node, m));
        if (m.Moment != MemoryMoment.End || !_endMemoryPending.Remove(node) || _endMemoryPending.Count > 0) return;
        _endMemoryTimer?.Cancel();
        Finish();
    }

    /// <summary>
    /// True while the end-of-run memory is awaited. The first call (every batch completed) notes the time, asks the nodes
    /// and waits; <see cref="Finish"/> runs again when the last node answered or the wait is over.
    /// </summary>
    private bool AwaitingEndMemory()
    {
        if (_endMemoryAsked) return _endMemoryPending.Count > 0;
        _endMemoryAsked = true;
        _runEnd = _clock.Elapsed;
        _endMemoryPending.UnionWith(QueryNodeMemory(MemoryMoment.End));
        if (_endMemoryPending.Count == 0) return false;
        _endMemoryTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(EndMemoryWait, Self, EndMemoryTimeout.Instance, Self);
        Become(AwaitingMemory);
        return true;
    }

    /// <summary>Every batch completed; only the nodes' memory answers (or the end of the wait) matter now.</summary>
    private void AwaitingMemory()
    {
        Receive<NodeMemory>(OnNodeMemory);
        Receive<EndMemoryTimeout>(_ =>
        {
            _log.Warning("run {0}: {1} node(s) did not report their memory within {2:F0} s: {3}", _request.RunId, _endMemoryPending.Count,
                EndMemoryWait.TotalSeconds, string.Join(", ", _endMemoryPending.Select(n => _workers[n].Address)));
            _endMemoryPending.Clear();
            Finish();
        });
        ReceiveAny(_ => { });
    }

    /// <summary>The samples in the outcome's order: by node, then moment.</summary>
    private NodeMemorySample[] NodeMemorySamples() => [.. _nodeMemory.OrderBy(s => s.Node).ThenBy(s => s.Memory.Moment)];
}
