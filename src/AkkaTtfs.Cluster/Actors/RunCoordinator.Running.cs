using Akka.Actor;
using Akka.Event;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>The running part of a run: injection, reports, replays, runtime faults, the end.</summary>
public sealed partial class RunCoordinator
{
    private readonly RunBook _book = new();
    private readonly List<ICancelable> _runtimeTimers = [];
    private TimeSpan _deployTime;
    private TimeSpan _runStart;
    private TimeSpan _lastProgress;
    private ReplayTimer? _replayTimer;
    private ICancelable? _watchdog;
    private readonly RunTrace _trace;
    private readonly int _coordinatorNode;       // index of this node among the workers, -1 when it is not one
    private readonly Dictionary<IActorRef, int> _nodeOfRef = [];
    private double _origin = double.NaN;         // TraceClock of the first injected batch (NaN until then)
    private int _completedSamples;

    /// <summary>A runtime fault of the plan is due (local only).</summary>
    private sealed record FireRuntimeFault(int Index) : INoSerializationVerificationNeeded;

    /// <summary>The coordinator's own clock tick; local only, so it skips the serialization check and does not count as activity.</summary>
    private sealed class WatchdogTick : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout
    {
        public static readonly WatchdogTick Instance = new();
    }

    /// <summary>What a run records beside its result: restarts, recoveries, replays, fired faults, live traffic counters.</summary>
    private sealed class RunBook
    {
        public List<(int Partition, string Node)> Restarts { get; } = [];

        public List<(TimeSpan Noticed, TimeSpan Recovered)> Recoveries { get; } = [];

        public List<RuntimeFaultFired> RuntimeFaults { get; } = [];

        public TimeSpan? Noticed { get; set; }

        public int TimeoutReplays { get; set; }

        public long Spikes { get; set; }

        public long Messages { get; set; }

        public long Bytes { get; set; }

        public void LossNoticed(TimeSpan at) => Noticed ??= at;
    }

    /// <summary>Every partition is ready for the first time: the run starts.</summary>
    private void Start()
    {
        _deployTime = _clock.Elapsed;
        _runStart = _clock.Elapsed;
        Enter(RunPhase.Running);
        _log.Info("run {0}: {1} partitions on {2} nodes deployed in {3:F2} s", _request.RunId, _slots.Length, _workers.Count, _deployTime.TotalSeconds);
        _replayTimer = new ReplayTimer(_request.Options.BatchTimeout, _clock.Elapsed);
        var tick = TimeSpan.FromMilliseconds(Math.Clamp((_request.Options.BatchTimeout ?? ReplayTimer.MinAdaptive).TotalMilliseconds / 8, 50, 250));
        _watchdog = Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(tick, tick, Self, WatchdogTick.Instance, ActorRefs.NoSender);
        for (var i = 0; i < _runtimeFaults.Count; i++)
            _runtimeTimers.Add(Context.System.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromSeconds(_runtimeFaults[i].AtSeconds), Self, new FireRuntimeFault(i), Self));
        InjectSendable();
        if (_ledger.IsComplete) Finish();
    }

    /// <summary>Every partition is ready again: everything in flight is sent again under a new attempt; older messages are now stale everywhere.</summary>
    private void Recovered()
    {
        Enter(RunPhase.Running);
        if (_book.Noticed is { } noticed)
        {
            _book.Recoveries.Add((noticed, _clock.Elapsed - _runStart));
            _awaitingFirstBatch = noticed;
        }

        _book.Noticed = null;
        var replay = _ledger.ReplayInFlight();
        _log.Warning("run {0}: partitions re-homed; replaying {1} batches in flight", _request.RunId, replay.Count);
        foreach (var key in replay) Inject(key);
        _replayTimer?.Restart(_clock.Elapsed);
        InjectSendable();
    }

    private void InjectSendable()
    {
        if (_phase != RunPhase.Running) return;
        foreach (var key in _ledger.TakeSendable()) Inject(key);
    }

    private void Inject(BatchKey key)
    {
        var inputSize = _request.Model.Network.Input.Size;
        var (first, n) = _ledger.Samples(key.BatchId);
        var sends = _injector.Prepare(_request.Inputs.AsSpan(first * inputSize, n * inputSize), n);
        if (double.IsNaN(_origin)) _origin = TraceClock.NowMs;     // the trace's time 0: the first injected batch
        foreach (var s in sends)
        {
            var target = _slots[s.TargetId].Ref!;
            // Input links cross the emulated interconnect too when the target is on another node.
            var links = LinkEmulation.Get(Context.System);
            if (s.IsAnalog)
                Frames.Send(links, target, new AnalogInputMessage(_request.RunId, key.BatchId, key.Attempt, s.TargetId, n, s.Payload) { SentMs = TraceClock.NowMs }, Self);
            else
                Frames.Send(links, target, new SpikeBatchMessage(_request.RunId, key.BatchId, key.Attempt, PartitionPlan.InputSource, s.TargetId, n, s.EventCount, s.Payload) { SentMs = TraceClock.NowMs }, Self);
        }

        SampleInFlight();

        if (key.Attempt == 0)
            _collector.AddInputTraffic(sends.Select(s => new LinkTraffic(PartitionPlan.InputSource, s.TargetId, 1, s.EventCount, s.Payload.Length)));
    }

    private void OnReport(PartitionBatchReport m)
    {
        if (m.RunId != _request.RunId) return;
        if (m.PartitionId >= _slots.Length || m.BatchId >= _ledger.BatchCount)
        {
            _log.Error("run {0}: dropped a report of partition {1} for batch {2}: the run has partitions 0..{3} and batches 0..{4}",
                _request.RunId, m.PartitionId, m.BatchId, _slots.Length - 1, _ledger.BatchCount - 1);
            return;
        }

        var current = !_ledger.IsDone(m.BatchId) && m.Attempt == _ledger.CurrentAttempt(m.BatchId);
        bool completed;
        try
        {
            var report = m.ToReport();
            completed = _collector.Accept(report);
            // Every attempt's traffic is traffic, also a report too late to count; booked to the node this incarnation ran on.
            if (_request.Options.Trace && _nodeOfRef.TryGetValue(Sender, out var node))
                _trace.Record(report, _plan.Partitions[m.PartitionId].Stage, node, NodeOfSource, ClockOf, _origin);
        }
        catch (ArgumentException ex)
        {
            _log.Error("run {0}: dropped a report: {1}", _request.RunId, ex.Message);
            return;
        }

        if (current)
        {
            _book.Spikes += m.Spikes;
            _book.Messages += m.LinkMessages.Sum();
            _book.Bytes += m.LinkBytes.Sum();
        }

        if (!completed) return;
        _completedSamples += _ledger.Samples(m.BatchId).Count;
        SampleInFlight();
        _replayTimer?.Completed(_clock.Elapsed);
        FirstBatchAfterRecovery();
        ReportProgress(force: _ledger.IsComplete);
        if (_ledger.IsComplete)
        {
            Finish();
            return;
        }

        InjectSendable();
    }

    /// <summary>
    /// Messages lost on a cut link leave batches that never complete: when none has completed for the
    /// batch timeout, everything in flight is replayed under a new attempt (results stay exact; stale
    /// copies are dropped wherever they turn up).
    /// </summary>
    private void OnWatchdog()
    {
        if (_phase != RunPhase.Running || _ledger.InFlight == 0 || _replayTimer is not { } timer) return;
        var waited = timer.Timeout;
        if (!timer.ShouldReplay(_clock.Elapsed)) return;
        _book.TimeoutReplays++;
        var replay = _ledger.ReplayInFlight();
        _log.Warning("run {0}: no batch completed for {1:F1} s; replaying {2} batches in flight", _request.RunId, waited.TotalSeconds, replay.Count);
        foreach (var key in replay) Inject(key);
    }

    /// <summary>Applies runtime fault <paramref name="index"/> of the plan as Core's rules say; what was done (or why not) goes into the outcome.</summary>
    private void Fire(int index)
    {
        var fault = _runtimeFaults[index];
        var slot = fault.Kind == Core.Faults.RuntimeFaultKind.CrashPartition ? _slots[fault.Partition] : null;
        var action = RuntimeFaultRules.Decide(fault, slot is { Ref: not null, CrashSent: false }, slot?.Node ?? -1, _placement.IsAlive);
        string? skipped = null;
        switch (action)
        {
            case RuntimeFaultAction.Crash:
                slot!.CrashSent = true;
                slot.Ref!.Tell(new CrashPartition(_request.RunId, slot.Id, index));
                break;
            case RuntimeFaultAction.Kill kill:
                _workers[kill.Node].Agent.Tell(new KillNode(_request.RunId, index));
                // Gone from now on for placement and later faults; the cluster takes a while to agree.
                _placement.NodeLost(kill.Node);
                break;
            case RuntimeFaultAction.Cut cut:
                _workers[cut.Node].Agent.Tell(new CutLink(_request.RunId, index, _workers[cut.ToNode].Address, cut.Milliseconds));
                break;
            case RuntimeFaultAction.Skip skip:
                skipped = skip.Reason;
                break;
        }

        _log.Warning("run {0}: runtime fault {1}: {2}{3}", _request.RunId, index, fault.Describe(), skipped is null ? "" : $" skipped ({skipped})");
        _book.RuntimeFaults.Add(new RuntimeFaultFired(index, fault.Describe(), _clock.Elapsed - _runStart, skipped));
    }

    private void ReportProgress(bool force)
    {
        if (_progress is null) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastProgress < TimeSpan.FromMilliseconds(250)) return;
        _lastProgress = now;
        var done = _ledger.CompletedBatches == _ledger.BatchCount ? _request.Count : _ledger.CompletedSamples().Count();
        _progress.Report(new RunProgress(done, _request.Count, _ledger.InFlight, _book.Spikes, _book.Messages, _book.Bytes, now - _runStart));
    }

    private void Finish()
    {
        if (AwaitingEndMemory()) return;     // comes back here once the nodes reported their memory (RunCoordinator.Memory.cs)
        var runTime = (_runEnd ?? _clock.Elapsed) - _runStart;
        foreach (var i in RuntimeFaultRules.Unfired(_runtimeFaults.Count, _book.RuntimeFaults.Select(f => f.Index)))
            _book.RuntimeFaults.Add(new RuntimeFaultFired(i, _runtimeFaults[i].Describe(), runTime, RuntimeFaultRules.NotFired(runTime)));
        Enter(RunPhase.Done);
        StopPartitions();
        try
        {
            _outcome.TrySetResult(new RunOutcome(_collector.BuildResult(), _collector.Traffic, _placement.Placement(), _workers.Select(w => w.Address).ToArray(),
                _deployTime, runTime, _ledger.ReplayedBatches, _collector.DuplicateReports, _book.Restarts.ToArray(), _book.TimeoutReplays, _book.Recoveries.ToArray())
            {
                RuntimeFaults = [.. _book.RuntimeFaults],
                Trace = _request.Options.Trace ? _trace : null,
                CoordinatorNode = _coordinatorNode,
                NodeMemory = NodeMemorySamples(),
            });
        }
        catch (InvalidOperationException ex)
        {
            _outcome.TrySetException(new RunFailedException($"run {_request.RunId} finished inconsistently: {ex.Message}"));
        }

        Context.Stop(Self);
    }

    private void Fail(string reason)
    {
        if (_phase == RunPhase.Done) return;
        var completed = _ledger.CompletedSamples().Count();
        var message = $"run {_request.RunId}: {reason}; {completed} of {_request.Count} samples had completed";
        _log.Error(message);
        Enter(RunPhase.Done);
        StopPartitions();
        _outcome.TrySetException(new RunFailedException(message));
        Context.Stop(Self);
    }

    private void StopPartitions()
    {
        if (_partitionsStopped) return;
        _partitionsStopped = true;
        foreach (var agent in _nodeOfAgent.Keys) Context.Unwatch(agent);
        foreach (var slot in _slots)
        {
            if (slot.Ref is { } p) Context.Unwatch(p);
            if (_placement.IsAlive(slot.Node)) _workers[slot.Node].Agent.Tell(new StopPartition(_request.RunId, slot.Id));
        }

        // Old incarnations on nodes that were suspected and never came back (if they do, the agent stops them then).
        foreach (var node in _leftBehind.Select(x => x.Node).Distinct().Where(_placement.IsAlive).ToArray()) StopLeftBehind(node);
    }

    /// <summary>An exception in the coordinator (a bug) ends the run with its message instead of a silent restart and redeploy.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _outcome.TrySetException(new RunFailedException(
            $"run {_request.RunId} failed while {_phase.Describe()}: {reason.GetType().Name}: {reason.Message}; {_ledger.CompletedSamples().Count()} of {_request.Count} samples had completed"));
        StopPartitions();
        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        UnsubscribeFromNodeSignals();
        _watchdog?.Cancel();
        foreach (var timer in _runtimeTimers) timer.Cancel();
        // A coordinator stopped from outside (system shutdown, a cancelled job) leaves no partitions behind and no caller waiting.
        StopPartitions();
        _outcome.TrySetException(new RunFailedException($"run {_request.RunId} was stopped while {_phase.Describe()}"));
    }
}
