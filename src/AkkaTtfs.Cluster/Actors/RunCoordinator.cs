using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Runtime;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Drives one run: places partitions on the worker nodes, has their agents spawn them, deploys their
/// parameters in acknowledged chunks, wires the routing tables, injects batches within the credit and
/// collects the results. Every decision is Core's (<see cref="Placement"/>, <see cref="RunLedger"/>,
/// <see cref="RunCollector"/>, <see cref="BatchInjector"/>); this actor moves messages and watches
/// partitions. The final outcome goes to a TaskCompletionSource given at construction (never through
/// the wire), so the caller awaits it.
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
    private readonly IActorRef[] _partitions;
    private readonly Dictionary<IActorRef, int> _partitionOf = [];
    private readonly WeightChunk[][] _chunks;
    private readonly int[] _nextChunk;
    private readonly RunLedger _ledger;
    private readonly RunCollector _collector;
    private readonly BatchInjector _injector;
    private readonly Dictionary<(int Batch, int Attempt, int Partition), (PartitionBatchStats? Stats, OutputBatchMessage? Output)> _reports = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _deployTime;
    private TimeSpan _runStart;
    private TimeSpan _lastProgress;
    private int _spawned;
    private int _deployed;
    private int _ready;
    private string _phase = "spawning partitions";
    private long _spikes;
    private long _messages;
    private long _bytes;

    public RunCoordinator(RunRequest request, IReadOnlyList<WorkerNode> workers, TaskCompletionSource<RunOutcome> outcome, IProgress<RunProgress>? progress)
    {
        _request = request;
        _workers = workers;
        _outcome = outcome;
        _progress = progress;
        _plan = request.Plan;
        var count = _plan.Partitions.Count;
        _nodeOf = Placement.Assign(_plan, workers.Count);
        _partitions = new IActorRef[count];
        _chunks = new WeightChunk[count][];
        _nextChunk = new int[count];
        _ledger = new RunLedger(request.Count, request.Options.BatchSize, request.Options.MaxInFlight);
        _collector = new RunCollector(request.Model, _plan, _ledger, request.Options.RecordSpikes);
        _injector = new BatchInjector(request.Model, _plan);

        Receive<PartitionsSpawned>(OnSpawned);
        Receive<WeightChunkAck>(OnChunkAck);
        Receive<DeployComplete>(OnDeployed);
        Receive<PartitionReady>(OnReady);
        Receive<PartitionBatchStats>(m => OnReport(m.BatchId, m.Attempt, m.PartitionId, m, null));
        Receive<OutputBatchMessage>(m => OnReport(m.BatchId, m.Attempt, m.SourcePartition, null, m));
        Receive<PartitionFailed>(m => Fail($"partition {m.PartitionId} failed while {_phase}: {m.Reason}"));
        Receive<Terminated>(m =>
        {
            var id = _partitionOf.GetValueOrDefault(m.ActorRef, -1);
            Fail($"partition {id} ({(id >= 0 ? _plan.Partitions[id].ToString() : "?")}) on {(id >= 0 ? _workers[_nodeOf[id]].Address : "?")} stopped while {_phase}");
        });
        Receive<ReceiveTimeout>(_ => Fail($"no progress for {_request.Options.Stall.TotalSeconds:F0} s while {_phase}"));
    }

    public static Props CreateProps(RunRequest request, IReadOnlyList<WorkerNode> workers, TaskCompletionSource<RunOutcome> outcome, IProgress<RunProgress>? progress) =>
        Props.Create(() => new RunCoordinator(request, workers, outcome, progress));

    protected override void PreStart()
    {
        Context.SetReceiveTimeout(_request.Options.Stall);
        for (var n = 0; n < _workers.Count; n++)
        {
            var ids = Enumerable.Range(0, _nodeOf.Length).Where(p => _nodeOf[p] == n).ToArray();
            if (ids.Length > 0) _workers[n].Agent.Tell(new SpawnPartitions(_request.RunId, ids));
        }
    }

    private void OnSpawned(PartitionsSpawned m)
    {
        for (var i = 0; i < m.PartitionIds.Length; i++)
        {
            var id = m.PartitionIds[i];
            if (_partitions[id] is not null) continue;
            _partitions[id] = m.Refs[i];
            _partitionOf[m.Refs[i]] = id;
            Context.Watch(m.Refs[i]);
            _spawned++;
        }

        if (_spawned < _partitions.Length) return;
        _phase = "deploying weights";
        for (var id = 0; id < _partitions.Length; id++)
        {
            var setup = PartitionSetup.For(_request.Model, _plan, id);
            var parameters = PartitionSetup.Parameters(_request.Model, _plan, id);
            var weights = parameters.AsSpan(0, setup.WeightCount);
            var biases = parameters.AsSpan(setup.WeightCount);
            _chunks[id] = WeightChunks.Split(_request.RunId, id, weights, biases);
            _partitions[id].Tell(new DeployPartition(_request.RunId, id, setup.Architecture, setup.InputShape, setup.T, setup.PartitionSpec,
                PartitionSetup.InputModeName(setup.InputMode),
                setup.KernelTaus, setup.KernelTds, setup.WeightCount, setup.BiasCount, WeightChunks.Sha256Hex(weights, biases), _request.Options.RecordSpikes));
            _partitions[id].Tell(_chunks[id][0]);
        }
    }

    /// <summary>One chunk in flight per partition: the next goes when the previous is acknowledged.</summary>
    private void OnChunkAck(WeightChunkAck m)
    {
        if (m.RunId != _request.RunId || m.PartitionId < 0 || m.PartitionId >= _partitions.Length) return;
        var next = m.ChunkIndex + 1;
        if (next < _chunks[m.PartitionId].Length && next > _nextChunk[m.PartitionId])
        {
            _nextChunk[m.PartitionId] = next;
            _partitions[m.PartitionId].Tell(_chunks[m.PartitionId][next]);
        }
    }

    private void OnDeployed(DeployComplete m)
    {
        if (m.RunId != _request.RunId) return;
        _deployed++;
        if (_deployed < _partitions.Length) return;
        _phase = "wiring routing tables";
        for (var id = 0; id < _partitions.Length; id++)
        {
            var targets = _plan.RoutesFrom(id).Select(r => r.TargetId).ToArray();
            var refs = targets.Select(t => _request.LinkInterceptor?.Invoke(id, t, _partitions[t]) ?? _partitions[t]).ToArray();
            _partitions[id].Tell(new WirePartition(_request.RunId, id, targets, refs, Self));
        }
    }

    private void OnReady(PartitionReady m)
    {
        if (m.RunId != _request.RunId) return;
        _ready++;
        if (_ready < _partitions.Length) return;
        _deployTime = _clock.Elapsed;
        _runStart = _clock.Elapsed;
        _phase = "running batches";
        _log.Info("run {0}: {1} partitions on {2} nodes deployed in {3:F2} s", _request.RunId, _partitions.Length, _workers.Count, _deployTime.TotalSeconds);
        InjectSendable();
        if (_ledger.IsComplete) Finish();
    }

    private void InjectSendable()
    {
        var inputSize = _request.Model.Network.Input.Size;
        foreach (var key in _ledger.TakeSendable())
        {
            var (first, n) = _ledger.Samples(key.BatchId);
            var sends = _injector.Prepare(_request.Inputs.AsSpan(first * inputSize, n * inputSize), n);
            foreach (var s in sends)
            {
                if (s.IsAnalog)
                    _partitions[s.TargetId].Tell(new AnalogInputMessage(_request.RunId, key.BatchId, key.Attempt, s.TargetId, n, s.Payload));
                else
                    _partitions[s.TargetId].Tell(new SpikeBatchMessage(_request.RunId, key.BatchId, key.Attempt, PartitionPlan.InputSource, s.TargetId, n, s.EventCount, s.Payload));
            }

            if (key.Attempt == 0)
                _collector.AddInputTraffic(sends.Select(s => new LinkTraffic(PartitionPlan.InputSource, s.TargetId, 1, s.EventCount, s.Payload.Length)));
        }
    }

    private void OnReport(int batch, int attempt, int partition, PartitionBatchStats? stats, OutputBatchMessage? output)
    {
        if ((stats?.RunId ?? output!.RunId) != _request.RunId || partition < 0 || partition >= _partitions.Length) return;
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
        var report = new PartitionReport(partition, new BatchKey(batch, attempt), entry.Output?.SampleCount ?? SampleCountOf(batch), s.Spikes, s.SynOps, s.AnalogEvents,
            entry.Output?.Potentials, s.LocalTimes.Length > 0 ? s.LocalTimes : null, links);
        _spikes += s.Spikes;
        _messages += links.Sum(l => l.Messages);
        _bytes += links.Sum(l => l.PayloadBytes);
        if (!_collector.Accept(report)) return;

        ReportProgress(force: _ledger.IsComplete);
        if (_ledger.IsComplete)
        {
            Finish();
            return;
        }

        InjectSendable();
    }

    private int SampleCountOf(int batch) => _ledger.Samples(batch).Count;

    private void ReportProgress(bool force)
    {
        if (_progress is null) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastProgress < TimeSpan.FromMilliseconds(250)) return;
        _lastProgress = now;
        var done = _ledger.CompletedSamples().Count();
        _progress.Report(new RunProgress(done, _request.Count, _ledger.InFlight, _spikes, _messages, _bytes, now - _runStart));
    }

    private void Finish()
    {
        var runTime = _clock.Elapsed - _runStart;
        StopPartitions();
        try
        {
            _outcome.TrySetResult(new RunOutcome(_collector.BuildResult(), _collector.Traffic, _nodeOf, _workers.Select(w => w.Address).ToArray(),
                _deployTime, runTime, _ledger.ReplayedBatches, _collector.DuplicateReports));
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
        for (var id = 0; id < _partitions.Length; id++)
        {
            if (_partitions[id] is null) continue;
            Context.Unwatch(_partitions[id]);
            _workers[_nodeOf[id]].Agent.Tell(new StopPartition(_request.RunId, id));
        }
    }

    protected override void PostStop()
    {
        // A coordinator stopped from outside (system shutdown, cancellation) must not leave the caller waiting.
        _outcome.TrySetException(new RunFailedException($"run {_request.RunId} was stopped while {_phase}"));
    }
}
