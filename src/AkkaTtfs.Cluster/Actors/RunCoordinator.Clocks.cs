using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>The traffic instrument's part of the coordinator: clock offsets at the start, in-flight samples, where rows are booked.</summary>
public sealed partial class RunCoordinator
{
    /// <summary>Ping-pongs per node; the shortest round trip gives the offset (Core's <see cref="ClockOffset.Estimate"/>).</summary>
    private const int PingsPerNode = 5;

    private readonly Dictionary<int, List<ClockSample>> _clockSamples = [];
    private readonly Dictionary<int, (int Node, double SentMs)> _pings = [];
    private readonly Dictionary<int, ClockOffset> _offsets = [];
    private ICancelable? _clockTimeout;
    private bool _clocksSynced;
    private bool _clockSyncing;
    private int _pingSequence;

    /// <summary>Ends the clock ping-pongs if some node does not answer in time (local only).</summary>
    private sealed class ClockSyncTimeout : INoSerializationVerificationNeeded
    {
        public static readonly ClockSyncTimeout Instance = new();
    }

    /// <summary>
    /// Every partition is ready: before the first batch, a few ping-pongs with one partition per node estimate each
    /// node's clock against this one. Nothing else is in flight, so the round trips are short. Bounded by a timeout:
    /// a node that does not answer keeps offset 0 and is left out of the estimates.
    /// </summary>
    private void SyncClocks()
    {
        if (_clockSyncing) return;
        _clockSyncing = true;
        _clockTimeout = Context.System.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromSeconds(3), Self, ClockSyncTimeout.Instance, Self);
        foreach (var node in _slots.Select(s => s.Node).Distinct()) Ping(node);
        if (_pings.Count == 0) EndClockSync();
    }

    private void Ping(int node)
    {
        var slot = _slots.FirstOrDefault(s => s.Node == node && s.State == SlotState.Ready && s.Ref is not null);
        if (slot is null) return;
        var sequence = ++_pingSequence;
        _pings[sequence] = (node, TraceClock.NowMs);
        slot.Ref!.Tell(new ClockPing(_request.RunId, sequence));
    }

    private void OnPong(ClockPong m)
    {
        var received = TraceClock.NowMs;
        if (m.RunId != _request.RunId || !_clockSyncing || !_pings.Remove(m.Sequence, out var ping)) return;
        if (!_clockSamples.TryGetValue(ping.Node, out var samples)) _clockSamples[ping.Node] = samples = [];
        samples.Add(new ClockSample(ping.SentMs, m.RemoteMs, received));
        if (samples.Count < PingsPerNode) Ping(ping.Node);
        else if (_pings.Count == 0) EndClockSync();
    }

    private void EndClockSync()
    {
        if (!_clockSyncing || _clocksSynced) return;
        _clockTimeout?.Cancel();
        _clocksSynced = true;
        _pings.Clear();
        foreach (var (node, samples) in _clockSamples) _offsets[node] = ClockOffset.Estimate(node, samples);
        _trace.ClockOffsets = [.. _offsets.Values.OrderBy(o => o.Node)];
        Advance();
    }

    /// <summary>A node's clock against this one (the injector's, -1, is this one; a node without an estimate: offset 0).</summary>
    private ClockOffset ClockOf(int node) => _offsets.TryGetValue(node, out var offset) ? offset : ClockOffset.Same(node);

    /// <summary>Where a link's source runs now: the injector on this node (-1 when it is not a worker), a partition on its slot's node.</summary>
    private int NodeOfSource(int source) => source == PartitionPlan.InputSource ? _coordinatorNode : _slots[source].Node;

    /// <summary>One in-flight sample after a change (the trace keeps changes only and adds up the time blocked on credit).</summary>
    private void SampleInFlight()
    {
        if (!_request.Options.Trace) return;
        var unsent = _ledger.BatchCount - _ledger.CompletedBatches - _ledger.InFlight;
        _trace.Add(new InFlightSample(TraceClock.NowMs - _origin, _ledger.InFlight, _completedSamples, unsent > 0 && _ledger.InFlight >= _ledger.MaxInFlight));
    }
}
