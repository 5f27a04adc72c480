using AkkaTtfs.Core.Engines;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Drives one run: places partitions on the worker nodes, has their agents spawn them, deploys their
/// parameters in acknowledged chunks, wires the routing tables, injects batches within the credit and
/// collects the results. Every decision is Core's (<see cref="Placement"/>, <see cref="RunLedger"/>,
/// <see cref="RunCollector"/>, <see cref="BatchInjector"/>); this actor moves messages and watches
/// partitions and agents. When a partition dies (its actor crashed, or its node was lost) it is
/// re-homed (on its node if that is still up, else on the least-loaded surviving node), redeployed,
/// rewired with its upstream partitions, and every batch in flight is replayed under a new attempt;
/// results are taken once per batch, so the outcome equals a run without the crash. The final outcome
/// goes to a TaskCompletionSource given at construction (never through the wire).
/// </summary>
public sealed class RunCoordinator : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RunRequest _request;
    private readonly IReadOnlyList<WorkerNode> _workers;
    private readonly TaskCompletionSource<RunOutcome> _outcome;
    private readonly IProgress<RunProgress>? _progress;
    private readonly PartitionPlan _plan;
    private readonly int[] _nodeOf;
    private readonly bool[] _nodeAlive;
    private readonly IActorRef?[] _partitions;
    private readonly bool[] _deployed;
    private readonly bool[] _ready;
    private readonly int[] _restarts;
    private readonly Dictionary<IActorRef, int> _partitionOf = [];
    private readonly Dictionary<IActorRef, int> _agentOf = [];
    private readonly WeightChunk[][] _chunks;
    private readonly DeployPartition[] _deployMessages;
    private readonly RunLedger _ledger;
    private readonly RunCollector _collector;
    private readonly BatchInjector _injector;
    private readonly Dictionary<(int Batch, int Attempt, int Partition), (PartitionBatchStats? Stats, OutputBatchMessage? Output)> _reports = [];
    private readonly List<(int Partition, string Node)> _restartLog = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _deployTime;
    private TimeSpan _runStart;
    private TimeSpan _lastProgress;
    private bool _started;
    private bool _wired;
    private string _phase = "spawning partitions";
    private long _spikes;
    private long _messages;
    private long _bytes;
    private ReplayTimer? _replayTimer;
    private int _timeoutReplays;
    private TimeSpan? _lossNoticed;
    private readonly List<(TimeSpan Noticed, TimeSpan Recovered)> _recoveries = [];
    private ICancelable? _watchdog;

    /// <summary>A runtime fault of the plan is due (local only).</summary>
    private sealed record FireRuntimeFault(int Index) : INoSerializationVerificationNeeded;

    private readonly IReadOnlyList<RuntimeFault> _runtimeFaults;
    private readonly List<ICancelable> _runtimeTimers = [];
    private readonly List<RuntimeFaultFired> _runtimeLog = [];
    private readonly bool[] _crashSent;

    /// <summary>The coordinator's own clock tick; local only, so it skips the serialization check and does not count as activity.</summary>
    private sealed class WatchdogTick : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout
    {
        public static readonly WatchdogTick Instance = new();
    }

    public RunCoordinator(RunRequest request, IReadOnlyList<WorkerNode> workers, TaskCompletionSource<RunOutcome> outcome, IProgress<RunProgress>? progress)
    {
        _request = request;
        _workers = workers;
        _outcome = outcome;
        _progress = progress;
        _plan = request.Plan;
        var count = _plan.Partitions.Count;
        _nodeOf = Placement.Assign(_plan, workers.Count);
        _nodeAlive = Enumerable.Repeat(true, workers.Count).ToArray();
        _partitions = new IActorRef?[count];
        _deployed = new bool[count];
        _ready = new bool[count];
        _restarts = new int[count];
        _crashSent = new bool[count];
        _chunks = new WeightChunk[count][];
        _deployMessages = new DeployPartition[count];
        _ledger = new RunLedger(request.Count, request.Options.BatchSize, request.Options.MaxInFlight);
        _collector = new RunCollector(request.Model, _plan, _ledger, request.Options.RecordSpikes);
        _injector = new BatchInjector(request.Model, _plan);
        // Weight faults act once per run: on a copy of the model, whose parameters are what partitions receive.
        var deployed = request.Model;
        if (request.Faults is { } faults)
        {
            var faulted = faults.ApplyWeightFaults(request.Model);
            deployed = faulted.Model;
            _collector.AddWeightFaults(faulted.Counters);
        }

        var faultPlanJson = request.Faults?.ToJson(indented: false) ?? "";
        _runtimeFaults = request.Faults?.Runtime ?? [];
        try
        {
            for (var id = 0; id < count; id++) PrepareDeployment(id, deployed, faultPlanJson);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // A constructor that throws never reaches PostStop: the caller must hear of it here, or it would wait forever.
            outcome.TrySetException(new RunFailedException($"run {request.RunId} could not be prepared: {ex.Message}"));
            throw;
        }

        Receive<PartitionsSpawned>(OnSpawned);
        Receive<WeightChunkAck>(OnChunkAck);
        Receive<DeployComplete>(OnDeployed);
        Receive<PartitionReady>(OnReady);
        Receive<PartitionBatchStats>(m => OnReport(m.BatchId, m.Attempt, m.PartitionId, m, null));
        Receive<OutputBatchMessage>(m => OnReport(m.BatchId, m.Attempt, m.SourcePartition, null, m));
        Receive<PartitionFailed>(m => Fail($"partition {m.PartitionId} failed while {_phase}: {m.Reason}"));
        Receive<Terminated>(OnTerminated);
        Receive<WatchdogTick>(_ => OnWatchdog());
        Receive<FireRuntimeFault>(m => Fire(m.Index));
        Receive<RuntimeFaultRefused>(m =>
        {
            if (m.RunId == _request.RunId && m.FaultIndex < _runtimeFaults.Count)
                Fail($"runtime fault {m.FaultIndex} of the plan ({_runtimeFaults[m.FaultIndex].Describe()}) could not be applied: {m.Reason}");
        });
        Receive<ReceiveTimeout>(_ => Fail($"no progress for {_request.Options.Stall.TotalSeconds:F0} s while {_phase}"));
    }

    public static Props CreateProps(RunRequest request, IReadOnlyList<WorkerNode> workers, TaskCompletionSource<RunOutcome> outcome, IProgress<RunProgress>? progress) =>
        Props.Create(() => new RunCoordinator(request, workers, outcome, progress));

    protected override void PreStart()
    {
        // After a restart (an unexpected exception, see PreRestart) the run has already failed: do not deploy it again.
        if (_outcome.Task.IsCompleted)
        {
            Context.Stop(Self);
            return;
        }

        Context.SetReceiveTimeout(_request.Options.Stall);
        for (var n = 0; n < _workers.Count; n++)
        {
            _agentOf[_workers[n].Agent] = n;
            Context.Watch(_workers[n].Agent);
            var ids = Enumerable.Range(0, _nodeOf.Length).Where(p => _nodeOf[p] == n).ToArray();
            if (ids.Length > 0) _workers[n].Agent.Tell(new SpawnPartitions(_request.RunId, ids));
        }
    }

    private void PrepareDeployment(int id, SnnModel deployed, string faultPlanJson)
    {
        var setup = PartitionSetup.For(deployed, _plan, id);
        var parameters = PartitionSetup.Parameters(deployed, _plan, id);
        var weights = parameters.AsSpan(0, setup.WeightCount);
        var biases = parameters.AsSpan(setup.WeightCount);
        _chunks[id] = WeightChunks.Split(_request.RunId, id, weights, biases);
        _deployMessages[id] = new DeployPartition(_request.RunId, id, setup.Architecture, setup.InputShape, setup.T, setup.PartitionSpec,
            PartitionSetup.InputModeName(setup.InputMode), setup.KernelTaus, setup.KernelTds, setup.WeightCount, setup.BiasCount,
            WeightChunks.Sha256Hex(weights, biases), _request.Options.RecordSpikes, _request.Options.BatchSize, faultPlanJson);
    }

    private void OnSpawned(PartitionsSpawned m)
    {
        if (m.RunId != _request.RunId) return;
        for (var i = 0; i < m.PartitionIds.Length; i++)
        {
            var id = m.PartitionIds[i];
            if (_partitions[id] is not null) continue;
            _partitions[id] = m.Refs[i];
            _partitionOf[m.Refs[i]] = id;
            Context.Watch(m.Refs[i]);
            _phase = _started ? "re-homing partitions" : "deploying weights";
            m.Refs[i].Tell(_deployMessages[id]);
            m.Refs[i].Tell(_chunks[id][0]);
        }
    }

    /// <summary>One chunk in flight per partition: the next goes when the previous is acknowledged.</summary>
    private void OnChunkAck(WeightChunkAck m)
    {
        if (m.RunId != _request.RunId || m.PartitionId < 0 || m.PartitionId >= _partitions.Length) return;
        if (!_partitionOf.TryGetValue(Sender, out var id) || id != m.PartitionId || _partitions[id] is null) return;
        var next = m.ChunkIndex + 1;
        if (next < _chunks[id].Length) _partitions[id]!.Tell(_chunks[id][next]);
    }

    private void OnDeployed(DeployComplete m)
    {
        if (m.RunId != _request.RunId || !IsCurrent(Sender, m.PartitionId)) return;
        _deployed[m.PartitionId] = true;
        if (!_wired)
        {
            if (_deployed.Any(d => !d)) return;
            _phase = "wiring routing tables";
            _wired = true;
            for (var id = 0; id < _partitions.Length; id++) Wire(id);
            return;
        }

        // A re-homed partition: wire it, and re-wire every partition that sends to it with its new address.
        Wire(m.PartitionId);
        foreach (var route in _plan.RoutesTo(m.PartitionId).Where(r => r.SourceId >= 0 && _partitions[r.SourceId] is not null && _deployed[r.SourceId]))
        {
            _ready[route.SourceId] = false;
            Wire(route.SourceId);
        }
    }

    private void Wire(int id)
    {
        var targets = _plan.RoutesFrom(id).Select(r => r.TargetId).ToArray();
        if (targets.Any(t => _partitions[t] is null)) return;   // wired again once the missing target is back
        var refs = targets.Select(t => _request.LinkInterceptor?.Invoke(id, t, _partitions[t]!) ?? _partitions[t]!).ToArray();
        _ready[id] = false;
        _partitions[id]!.Tell(new WirePartition(_request.RunId, id, targets, refs, Self));
    }

    private void OnReady(PartitionReady m)
    {
        if (m.RunId != _request.RunId || !IsCurrent(Sender, m.PartitionId)) return;
        _ready[m.PartitionId] = true;
        if (_ready.Any(r => !r)) return;
        if (!_started)
        {
            _started = true;
            _deployTime = _clock.Elapsed;
            _runStart = _clock.Elapsed;
            _phase = "running batches";
            _log.Info("run {0}: {1} partitions on {2} nodes deployed in {3:F2} s", _request.RunId, _partitions.Length, _workers.Count, _deployTime.TotalSeconds);
            _replayTimer = new ReplayTimer(_request.Options.BatchTimeout, _clock.Elapsed);
            var tick = TimeSpan.FromMilliseconds(Math.Clamp((_request.Options.BatchTimeout ?? ReplayTimer.MinAdaptive).TotalMilliseconds / 8, 50, 250));
            _watchdog = Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(tick, tick, Self, WatchdogTick.Instance, ActorRefs.NoSender);
            for (var i = 0; i < _runtimeFaults.Count; i++)
                _runtimeTimers.Add(Context.System.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromSeconds(_runtimeFaults[i].AtSeconds), Self, new FireRuntimeFault(i), Self));
            InjectSendable();
            if (_ledger.IsComplete) Finish();
            return;
        }

        // Recovered: everything in flight is sent again under a new attempt; older messages are now stale everywhere.
        _phase = "running batches";
        if (_lossNoticed is { } noticed) _recoveries.Add((noticed, _clock.Elapsed - _runStart));
        _lossNoticed = null;
        var replay = _ledger.ReplayInFlight();
        _log.Warning("run {0}: partitions re-homed; replaying {1} batches in flight", _request.RunId, replay.Count);
        foreach (var key in replay) Inject(key);
        _replayTimer?.Restart(_clock.Elapsed);
        InjectSendable();
    }

    private bool IsCurrent(IActorRef sender, int id) =>
        id >= 0 && id < _partitions.Length && _partitions[id] is { } current && current.Equals(sender);

    private bool AllReady => _started && _ready.All(r => r);

    private void InjectSendable()
    {
        if (!AllReady) return;
        foreach (var key in _ledger.TakeSendable()) Inject(key);
    }

    private void Inject(BatchKey key)
    {
        var inputSize = _request.Model.Network.Input.Size;
        var (first, n) = _ledger.Samples(key.BatchId);
        var sends = _injector.Prepare(_request.Inputs.AsSpan(first * inputSize, n * inputSize), n);
        foreach (var s in sends)
        {
            if (s.IsAnalog)
                _partitions[s.TargetId]!.Tell(new AnalogInputMessage(_request.RunId, key.BatchId, key.Attempt, s.TargetId, n, s.Payload));
            else
                _partitions[s.TargetId]!.Tell(new SpikeBatchMessage(_request.RunId, key.BatchId, key.Attempt, PartitionPlan.InputSource, s.TargetId, n, s.EventCount, s.Payload));
        }

        if (key.Attempt == 0)
            _collector.AddInputTraffic(sends.Select(s => new LinkTraffic(PartitionPlan.InputSource, s.TargetId, 1, s.EventCount, s.Payload.Length)));
    }

    private void OnReport(int batch, int attempt, int partition, PartitionBatchStats? stats, OutputBatchMessage? output)
    {
        if ((stats?.RunId ?? output!.RunId) != _request.RunId || partition < 0 || partition >= _partitions.Length) return;
        if (batch < 0 || batch >= _ledger.BatchCount || attempt != _ledger.CurrentAttempt(batch) || _ledger.IsDone(batch)) return;   // stale
        var key = (batch, attempt, partition);
        var entry = _reports.GetValueOrDefault(key);
        entry = (stats ?? entry.Stats, output ?? entry.Output);
        var isOutputStage = _plan.Partitions[partition].Stage == _plan.Network.Stages.Count - 1;
        if (entry.Stats is null || (isOutputStage && entry.Output is null))
        {
            _reports[key] = entry;
            return;
        }

        _reports.Remove(key);
        var s = entry.Stats;
        var links = s.RouteTargets.Select((t, i) => new LinkTraffic(partition, t, s.RouteMessages[i], s.RouteSpikes[i], s.RouteBytes[i])).ToArray();
        var report = new PartitionReport(partition, new BatchKey(batch, attempt), _ledger.Samples(batch).Count, s.Spikes, s.SynOps, s.AnalogEvents,
            entry.Output?.Potentials, s.LocalTimes.Length > 0 ? s.LocalTimes : null, links, FaultCounters.FromArray(s.FaultCounters), s.SpikesDelivered);
        _spikes += s.Spikes;
        _messages += links.Sum(l => l.Messages);
        _bytes += links.Sum(l => l.PayloadBytes);
        if (!_collector.Accept(report)) return;

        _replayTimer?.Completed(_clock.Elapsed);
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
        if (!AllReady || _ledger.InFlight == 0 || _replayTimer is not { } timer) return;
        var waited = timer.Timeout;
        if (!timer.ShouldReplay(_clock.Elapsed)) return;
        _timeoutReplays++;
        var replay = _ledger.ReplayInFlight();
        _log.Warning("run {0}: no batch completed for {1:F1} s; replaying {2} batches in flight", _request.RunId, waited.TotalSeconds, replay.Count);
        foreach (var key in replay) Inject(key);
    }

    /// <summary>Applies runtime fault <paramref name="index"/> of the plan; what was done (or why not) goes into the outcome.</summary>
    private void Fire(int index)
    {
        var fault = _runtimeFaults[index];
        var at = _clock.Elapsed - _runStart;
        string? skipped = null;
        switch (fault.Kind)
        {
            case RuntimeFaultKind.CrashPartition:
                if (_partitions[fault.Partition] is not { } partition || _crashSent[fault.Partition]) skipped = "the partition was being re-homed";
                else if (!_nodeAlive[_nodeOf[fault.Partition]]) skipped = "its node was gone";
                else
                {
                    _crashSent[fault.Partition] = true;
                    partition.Tell(new CrashPartition(_request.RunId, fault.Partition, index));
                }

                break;
            case RuntimeFaultKind.KillNode:
                if (_nodeAlive[fault.Node])
                {
                    _workers[fault.Node].Agent.Tell(new KillNode(_request.RunId, index));
                    // Dead from now on for placement and later faults; the cluster takes ~15-20 s to agree.
                    _nodeAlive[fault.Node] = false;
                }
                else
                {
                    skipped = "the node was already gone";
                }

                break;
            default:
                if (_nodeAlive[fault.Node] && _nodeAlive[fault.ToNode])
                    _workers[fault.Node].Agent.Tell(new CutLink(_request.RunId, index, _workers[fault.ToNode].Address, (int)Math.Ceiling(fault.ForSeconds * 1000)));
                else skipped = "one end was already gone";
                break;
        }

        _log.Warning("run {0}: runtime fault {1}: {2}{3}", _request.RunId, index, fault.Describe(), skipped is null ? "" : $" skipped ({skipped})");
        _runtimeLog.Add(new RuntimeFaultFired(index, fault.Describe(), at, skipped));
    }

    private void OnTerminated(Terminated m)
    {
        if (_agentOf.TryGetValue(m.ActorRef, out var node))
        {
            _nodeAlive[node] = false;
            _log.Warning("run {0}: node agent on {1} is gone", _request.RunId, _workers[node].Address);
            // Partitions it was still to spawn will never report: place them elsewhere now. Spawned ones
            // are watched and come back through Terminated.
            for (var id = 0; id < _partitions.Length; id++)
            {
                if (_nodeOf[id] == node && _partitions[id] is null) Rehome(id, "was still to be spawned there");
            }

            return;
        }

        if (!_partitionOf.TryGetValue(m.ActorRef, out var lost) || !m.ActorRef.Equals(_partitions[lost])) return;   // an old incarnation
        // The partition's whole node is gone (removed from the cluster): its agent's Terminated may come
        // after this one, and the cluster read view may still list the node as up, so mark it dead here or
        // the partition would be re-homed onto the node that just died.
        if (m.AddressTerminated) _nodeAlive[_nodeOf[lost]] = false;
        Rehome(lost, m.AddressTerminated ? $"was lost with its node while {_phase}" : $"stopped while {_phase}");
    }

    private void Rehome(int id, string what)
    {
        var lostOn = _workers[_nodeOf[id]].Address;
        if (++_restarts[id] > _request.Options.MaxRestarts)
        {
            Fail($"partition {id} ({_plan.Partitions[id]}) on {lostOn} {what}" +
                 (_request.Options.MaxRestarts > 0 ? $", for the {_restarts[id]}th time; giving up" : ""));
            return;
        }

        var target = ChooseNode(_nodeOf[id]);
        if (target < 0)
        {
            Fail($"partition {id} on {lostOn} {what}, and no surviving node can host it");
            return;
        }

        _lossNoticed ??= _clock.Elapsed - _runStart;
        _log.Warning("run {0}: partition {1} on {2} {3}; re-homing it on {4}", _request.RunId, id, lostOn, what, _workers[target].Address);
        _partitions[id] = null;
        _crashSent[id] = false;
        _deployed[id] = false;
        _ready[id] = false;
        _nodeOf[id] = target;
        _restartLog.Add((id, _workers[target].Address));
        if (_started) _phase = "re-homing partitions";
        _workers[target].Agent.Tell(new SpawnPartitions(_request.RunId, [id]));
    }

    /// <summary>The partition's own node if it is still a cluster member that is up and reachable, else the least-loaded such node.</summary>
    private int ChooseNode(int preferred)
    {
        var state = AkkaCluster.Get(Context.System).State;
        bool Usable(int n) => _nodeAlive[n]
            && state.Members.Any(mem => mem.Address.ToString() == _workers[n].Address && mem.Status == MemberStatus.Up)
            && state.Unreachable.All(mem => mem.Address.ToString() != _workers[n].Address);
        if (Usable(preferred)) return preferred;
        var candidates = Enumerable.Range(0, _workers.Count).Where(Usable).ToArray();
        if (candidates.Length == 0) return -1;
        return candidates.OrderBy(n => _nodeOf.Count(x => x == n)).ThenBy(n => n).First();
    }

    private void ReportProgress(bool force)
    {
        if (_progress is null) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastProgress < TimeSpan.FromMilliseconds(250)) return;
        _lastProgress = now;
        var done = _ledger.CompletedBatches == _ledger.BatchCount ? _request.Count : _ledger.CompletedSamples().Count();
        _progress.Report(new RunProgress(done, _request.Count, _ledger.InFlight, _spikes, _messages, _bytes, now - _runStart));
    }

    private void Finish()
    {
        var runTime = _clock.Elapsed - _runStart;
        for (var i = 0; i < _runtimeFaults.Count; i++)
        {
            if (_runtimeLog.All(f => f.Index != i))
                _runtimeLog.Add(new RuntimeFaultFired(i, _runtimeFaults[i].Describe(), runTime, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"not fired: the run finished at {runTime.TotalSeconds:F2} s")));
        }

        StopPartitions();
        try
        {
            _outcome.TrySetResult(new RunOutcome(_collector.BuildResult(), _collector.Traffic, _nodeOf.ToArray(), _workers.Select(w => w.Address).ToArray(),
                _deployTime, runTime, _ledger.ReplayedBatches, _collector.DuplicateReports, _restartLog.ToArray(), _timeoutReplays, _recoveries.ToArray())
            {
                RuntimeFaults = [.. _runtimeLog],
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
        var completed = _ledger.CompletedSamples().Count();
        var message = $"run {_request.RunId}: {reason}; {completed} of {_request.Count} samples had completed";
        _log.Error(message);
        StopPartitions();
        _outcome.TrySetException(new RunFailedException(message));
        Context.Stop(Self);
    }

    private void StopPartitions()
    {
        foreach (var agent in _agentOf.Keys) Context.Unwatch(agent);
        for (var id = 0; id < _partitions.Length; id++)
        {
            if (_partitions[id] is { } p) Context.Unwatch(p);
            if (_nodeAlive[_nodeOf[id]]) _workers[_nodeOf[id]].Agent.Tell(new StopPartition(_request.RunId, id));
        }
    }

    /// <summary>An exception in the coordinator (a bug) ends the run with its message instead of a silent restart and redeploy.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _outcome.TrySetException(new RunFailedException(
            $"run {_request.RunId} failed while {_phase}: {reason.GetType().Name}: {reason.Message}; {_ledger.CompletedSamples().Count()} of {_request.Count} samples had completed"));
        StopPartitions();
        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        _watchdog?.Cancel();
        foreach (var timer in _runtimeTimers) timer.Cancel();
        // A coordinator stopped from outside (system shutdown, cancellation) must not leave the caller waiting.
        _outcome.TrySetException(new RunFailedException($"run {_request.RunId} was stopped while {_phase}"));
    }
}
