namespace AkkaTtfs.Core.Distributed;

/// <summary>What to do with a partition that was lost (its actor stopped, or its node went away).</summary>
public abstract record RehomeDecision
{
    private RehomeDecision()
    {
    }

    /// <summary>Spawn it again on node <paramref name="Node"/> (its restart count already includes this one).</summary>
    public sealed record MoveTo(int Node, int Restart) : RehomeDecision;

    /// <summary>The run cannot go on: the partition was re-homed as often as allowed.</summary>
    public sealed record TooManyRestarts(int Restart, int MaxRestarts) : RehomeDecision;

    /// <summary>The run cannot go on: no node that is alive, up and reachable is left.</summary>
    public sealed record NoNodeLeft : RehomeDecision;
}

/// <summary>What the runtime heard about a worker node, from whichever source speaks first.</summary>
public enum NodeSignal
{
    /// <summary>Remoting lost its association with the node (a killed process closes its sockets: heard within a second), or quarantined it.</summary>
    AssociationLost,

    /// <summary>The cluster's failure detector marks the node unreachable (heartbeats missing beyond its pause).</summary>
    Unreachable,

    /// <summary>Remoting has an association with the node again.</summary>
    Associated,

    /// <summary>The cluster's failure detector marks the node reachable again.</summary>
    Reachable,

    /// <summary>The node left the cluster or was downed and removed: it never comes back.</summary>
    Removed,
}

/// <summary>What the runtime does about a <see cref="NodeSignal"/>.</summary>
public abstract record NodeVerdict
{
    private NodeVerdict()
    {
    }

    /// <summary>Nothing changes (a repeated signal, or one about a node that is not suspected).</summary>
    public sealed record Nothing : NodeVerdict;

    /// <summary>
    /// The node is suspected from now on: re-home <paramref name="Partitions"/> (every partition it hosts) at once.
    /// Their current incarnations there become the old attempt's: to be stopped if the node comes back.
    /// </summary>
    public sealed record Suspect(int Node, IReadOnlyList<int> Partitions) : NodeVerdict;

    /// <summary>The suspected node is back: stop the old incarnations it still hosts; it may host partitions again.</summary>
    public sealed record Back(int Node) : NodeVerdict;
}

/// <summary>
/// Where each partition of a run lives and where a lost one goes, as a pure decision over the facts the
/// runtime feeds in (in the manner of Akka's split-brain resolver: no actor, no clock, no cluster). A
/// partition goes back on its own node when that node is alive and usable (a crashed actor on a healthy
/// node), otherwise on the usable live node hosting the fewest partitions (ties: the lowest index); it
/// may be re-homed at most <c>maxRestarts</c> times.
/// <para>
/// Recovery acts on suspicion, not on downing (<see cref="Observe"/>): the first sign that a node is gone
/// (its association lost, or the failure detector's unreachable) re-homes every partition it hosts, seconds
/// before the split-brain resolver would down it. This is safe because results are idempotent (taken once
/// per batch, stale attempts dropped): a node that was only suspected and comes back costs a re-home, and
/// its old incarnations are stopped. A suspected node is not chosen until it is back.
/// </para>
/// </summary>
public sealed class RehomingPolicy
{
    private readonly int[] _nodeOf;
    private readonly bool[] _alive;
    private readonly int[] _restarts;
    private readonly bool[] _suspected;

    /// <param name="initialNodeOf">The first placement (<see cref="Placement.Assign"/>): node index of every partition.</param>
    /// <param name="nodeCount">Worker nodes of the run.</param>
    /// <param name="maxRestarts">Re-homings allowed per partition (0: the first loss ends the run).</param>
    public RehomingPolicy(IReadOnlyList<int> initialNodeOf, int nodeCount, int maxRestarts)
    {
        ArgumentNullException.ThrowIfNull(initialNodeOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        if (initialNodeOf.Any(n => n < 0 || n >= nodeCount))
            throw new ArgumentOutOfRangeException(nameof(initialNodeOf), $"a partition is placed outside nodes 0..{nodeCount - 1}");
        _nodeOf = [.. initialNodeOf];
        _alive = Enumerable.Repeat(true, nodeCount).ToArray();
        _restarts = new int[_nodeOf.Length];
        _suspected = new bool[nodeCount];
        MaxRestarts = maxRestarts;
    }

    public int MaxRestarts { get; }

    public int NodeCount => _alive.Length;

    public int PartitionCount => _nodeOf.Length;

    public int NodeOf(int partition) => _nodeOf[partition];

    public int RestartsOf(int partition) => _restarts[partition];

    public bool IsAlive(int node) => _alive[node];

    /// <summary>Whether the node is suspected (signalled gone, not back yet): it hosts no partition of the run until it is back.</summary>
    public bool IsSuspected(int node) => _suspected[node];

    /// <summary>A copy of the current placement.</summary>
    public int[] Placement() => [.. _nodeOf];

    /// <summary>Partitions hosted by <paramref name="node"/>, ascending.</summary>
    public IEnumerable<int> PartitionsOn(int node) => Enumerable.Range(0, _nodeOf.Length).Where(p => _nodeOf[p] == node);

    /// <summary>The node is gone for the rest of the run (its agent terminated, it was killed, or it left): never chosen again.</summary>
    public void NodeLost(int node) => _alive[node] = false;

    /// <summary>
    /// The verdict on a signal about <paramref name="node"/>, recorded. A loss signal (association lost,
    /// unreachable, removed) about a node not yet suspected suspects it and names every partition it hosts,
    /// to be re-homed now; removal also marks it lost for good. A return signal (associated, reachable)
    /// about a suspected node that is not lost ends the suspicion. Anything else changes nothing.
    /// </summary>
    public NodeVerdict Observe(int node, NodeSignal signal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, _alive.Length);
        switch (signal)
        {
            case NodeSignal.AssociationLost or NodeSignal.Unreachable or NodeSignal.Removed:
                if (signal == NodeSignal.Removed) _alive[node] = false;
                if (_suspected[node]) return new NodeVerdict.Nothing();
                _suspected[node] = true;
                return new NodeVerdict.Suspect(node, PartitionsOn(node).ToArray());
            case NodeSignal.Associated or NodeSignal.Reachable:
                if (!_suspected[node] || !_alive[node]) return new NodeVerdict.Nothing();
                _suspected[node] = false;
                return new NodeVerdict.Back(node);
            default:
                throw new ArgumentOutOfRangeException(nameof(signal), signal, "unknown node signal");
        }
    }

    /// <summary>
    /// Where partition <paramref name="partition"/> goes if it is lost now; changes nothing.
    /// <paramref name="usable"/> says which nodes the cluster currently sees up and reachable; a node that
    /// is lost or suspected (<see cref="Observe"/>) is never chosen.
    /// </summary>
    public RehomeDecision Decide(int partition, Func<int, bool> usable)
    {
        ArgumentNullException.ThrowIfNull(usable);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, _nodeOf.Length);
        var restart = _restarts[partition] + 1;
        if (restart > MaxRestarts) return new RehomeDecision.TooManyRestarts(restart, MaxRestarts);
        bool Candidate(int n) => _alive[n] && !_suspected[n] && usable(n);
        var own = _nodeOf[partition];
        if (Candidate(own)) return new RehomeDecision.MoveTo(own, restart);
        var best = -1;
        var bestLoad = int.MaxValue;
        for (var n = 0; n < _alive.Length; n++)
        {
            if (!Candidate(n)) continue;
            var load = _nodeOf.Count(x => x == n);
            if (load < bestLoad)
            {
                best = n;
                bestLoad = load;
            }
        }

        return best < 0 ? new RehomeDecision.NoNodeLeft() : new RehomeDecision.MoveTo(best, restart);
    }

    /// <summary><see cref="Decide"/>, and when the answer is a move, records it (new node, one more restart).</summary>
    public RehomeDecision Rehome(int partition, Func<int, bool> usable)
    {
        var decision = Decide(partition, usable);
        if (decision is RehomeDecision.MoveTo move)
        {
            _nodeOf[partition] = move.Node;
            _restarts[partition] = move.Restart;
        }

        return decision;
    }
}
