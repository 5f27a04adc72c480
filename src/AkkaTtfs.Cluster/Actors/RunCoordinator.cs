using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// Drives one run as a state machine (<see cref="RunPhase"/>): spawning -> deploying -> wiring -> running
/// (-> recovering -> running ...) -> done. It places partitions on the worker nodes, has their agents spawn
/// them, deploys their parameters in acknowledged chunks, wires the routing tables, injects batches within the
/// credit and collects one report per partition and batch. Every decision is Core's (<see cref="Placement"/>,
/// <see cref="RehomingPolicy"/>, <see cref="RuntimeFaultRules"/>, <see cref="RunLedger"/>, <see cref="RunCollector"/>,
/// <see cref="BatchInjector"/>); this actor feeds them events and carries out their answers. A lost partition
/// (its actor crashed, or its node was lost) is re-homed, redeployed and rewired with its upstream partitions,
/// and every batch in flight is replayed under a new attempt; results are taken once per batch, so the outcome
/// equals a run without the loss. The outcome goes to a TaskCompletionSource given at construction (never
/// through the wire).
/// </summary>
public sealed partial class RunCoordinator : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RunRequest _request;
    private readonly IReadOnlyList<WorkerNode> _workers;
    private readonly TaskCompletionSource<RunOutcome> _outcome;
    private readonly IProgress<RunProgress>? _progress;
    private readonly IProgress<RunPhase>? _phases;
    private readonly PartitionPlan _plan;
    private readonly RehomingPolicy _placement;
    private readonly PartitionSlot[] _slots;
    private readonly Dictionary<IActorRef, int> _slotOfRef = [];
    private readonly Dictionary<IActorRef, int> _nodeOfAgent = [];
    private readonly RunLedger _ledger;
    private readonly RunCollector _collector;
    private readonly BatchInjector _injector;
    private readonly FrameReassembly _frames;     // reports larger than a frame arrive in parts
    private readonly IReadOnlyList<RuntimeFault> _runtimeFaults;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private RunPhase _phase = RunPhase.Spawning;
    private bool _partitionsStopped;
    private bool _phaseReported;

    public RunCoordinator(RunRequest request, IReadOnlyList<WorkerNode> workers, TaskCompletionSource<RunOutcome> outcome,
        IProgress<RunProgress>? progress, IProgress<RunPhase>? phases = null)
    {
        _request = request;
        _workers = workers;
        _outcome = outcome;
        _progress = progress;
        _phases = phases;
        _plan = request.Plan;
        _placement = new RehomingPolicy(ClusterRuntime.Place(Context.System, request, workers), workers.Count, request.Options.MaxRestarts);
        _ledger = new RunLedger(request.Count, request.Options.BatchSize, request.Options.MaxInFlight);
        _trace = new RunTrace(request.Model.Network.Stages.Count - 1, request.Model.T);
        _collector = new RunCollector(request.Model, _plan, _ledger, request.Options.RecordSpikes, _trace);
        _coordinatorNode = workers.Select(w => w.Address).ToList().IndexOf(AkkaCluster.Get(Context.System).SelfAddress.ToString());
        _injector = new BatchInjector(request.Model, _plan);
        if (Context.System.Settings.Config.GetBoolean(PartitionActor.WarmUpKey, true))
            DataPathWarmUp.Injector(_injector, request.Model.Network.Input.Size);    // its first calls before deploy, not in batch 0's injection
        _frames = new FrameReassembly(request.RunId, Frames.Collector);
        _runtimeFaults = request.Faults?.Runtime ?? [];
        try
        {
            // Weight faults act once per run: on a copy of the model, whose parameters are what partitions receive.
            var deployed = request.Model;
            if (request.Faults is { } faults)
            {
                var faulted = faults.ApplyWeightFaults(request.Model);
                deployed = faulted.Model;
                _collector.AddWeightFaults(faulted.Counters);
            }

            var faultPlanJson = request.Faults?.ToJson(indented: false) ?? "";
            _slots = [.. Enumerable.Range(0, _plan.Partitions.Count).Select(id => Prepare(id, deployed, faultPlanJson))];
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // A constructor that throws never reaches PostStop: the caller must hear of it here, or it would wait forever.
            outcome.TrySetException(new RunFailedException($"run {request.RunId} could not be prepared: {ex.Message}"));
            throw;
        }

        Enter(RunPhase.Spawning);
    }

    public static Props CreateProps(RunRequest request, IReadOnlyList<WorkerNode> workers, TaskCompletionSource<RunOutcome> outcome,
        IProgress<RunProgress>? progress, IProgress<RunPhase>? phases = null) =>
        Props.Create(() => new RunCoordinator(request, workers, outcome, progress, phases));

    private PartitionSlot Prepare(int id, SnnModel deployed, string faultPlanJson)
    {
        var setup = PartitionSetup.For(deployed, _plan, id);
        var parameters = PartitionSetup.Parameters(deployed, _plan, id);
        var weights = parameters.AsSpan(0, setup.WeightCount);
        var biases = parameters.AsSpan(setup.WeightCount);
        var deploy = new DeployPartition(_request.RunId, id, setup.Architecture, setup.InputShape, setup.T, setup.PartitionSpec,
            PartitionSetup.InputModeName(setup.InputMode), setup.KernelTaus, setup.KernelTds, setup.WeightCount, setup.BiasCount,
            WeightAssembly.Sha256Hex(weights, biases), _request.Options.RecordSpikes, _request.Options.BatchSize, faultPlanJson);
        return new PartitionSlot(id, _placement, deploy, WeightChunks.Split(_request.RunId, id, weights, biases));
    }

    protected override void PreStart()
    {
        // After a restart (an unexpected exception, see PreRestart) the run has already failed: do not deploy it again.
        if (_outcome.Task.IsCompleted)
        {
            Context.Stop(Self);
            return;
        }

        Context.SetReceiveTimeout(_request.Options.Stall);
        SubscribeToNodeSignals();
        Context.ActorOf(OversizeWatcher.Props(), OversizeWatcher.Name);     // Akka.Remote dropping a message for its size fails the run at once
        for (var n = 0; n < _workers.Count; n++)
        {
            _nodeOfAgent[_workers[n].Agent] = n;
            Context.Watch(_workers[n].Agent);
            var ids = _placement.PartitionsOn(n).ToArray();
            if (ids.Length > 0) _workers[n].Agent.Tell(new SpawnPartitions(_request.RunId, ids));
        }
    }

    // ---- States -------------------------------------------------------------------------------

    /// <summary>Changes state: the behaviour and the phase that messages and observers see.</summary>
    private void Enter(RunPhase phase)
    {
        var changed = phase != _phase;
        _phase = phase;
        switch (phase)
        {
            case RunPhase.Spawning:
            case RunPhase.Deploying:
            case RunPhase.Wiring:
                Become(Setup);
                break;
            case RunPhase.Running:
            case RunPhase.Recovering:
                Become(Live);
                break;
            default:
                Become(Finished);
                break;
        }

        if (!changed && _phaseReported) return;
        _phaseReported = true;
        _phases?.Report(phase);
    }

    /// <summary>Spawning, deploying, wiring: partitions come up; nothing is injected yet.</summary>
    private void Setup()
    {
        Membership();
        Receive<ClockPong>(OnPong);
        Receive<ClockSyncTimeout>(_ => EndClockSync());
    }

    /// <summary>Running or recovering: reports are collected, the watchdog and the plan's runtime faults are live.</summary>
    private void Live()
    {
        Membership();
        Receive<PartitionBatchReport>(OnReport);
        Receive<FramePart>(m => { if (_frames.Accept(m, _log) is PartitionBatchReport report) OnReport(report); });
        Receive<WatchdogTick>(_ => OnWatchdog());
        Receive<FireRuntimeFault>(m => Fire(m.Index));
        Receive<ClockPong>(_ => { });
        Receive<ClockSyncTimeout>(_ => { });
    }

    /// <summary>Done: late messages are dropped until the actor stops.</summary>
    private void Finished() => ReceiveAny(_ => { });

    /// <summary>What every live state handles: partitions coming up, failing or going away.</summary>
    private void Membership()
    {
        Receive<PartitionsSpawned>(OnSpawned);
        Receive<WeightChunkAck>(OnChunkAck);
        Receive<DeployComplete>(OnDeployed);
        Receive<PartitionReady>(OnReady);
        Receive<PartitionFailed>(m => Fail($"partition {m.PartitionId} failed while {_phase.Describe()}: {m.Reason}"));
        Receive<Terminated>(OnTerminated);
        NodeSignals();
        Receive<NodeMemory>(OnNodeMemory);
        Receive<RuntimeFaultRefused>(m =>
        {
            if (m.RunId == _request.RunId && m.FaultIndex >= 0 && m.FaultIndex < _runtimeFaults.Count)
                Fail($"runtime fault {m.FaultIndex} of the plan ({_runtimeFaults[m.FaultIndex].Describe()}) could not be applied: {m.Reason}");
        });
        Receive<OversizedPayloadSeen>(m => Fail(m.Reason));
        Receive<ReceiveTimeout>(_ => Fail($"no progress for {_request.Options.Stall.TotalSeconds:F0} s while {_phase.Describe()}"));
    }

    /// <summary>
    /// After every change of a partition: the state the slots add up to. Before the run starts, spawning until
    /// every partition exists, deploying until every one has its parameters, then wiring all; once all are
    /// ready the run starts. After it started, recovering until every partition is ready again.
    /// </summary>
    private void Advance()
    {
        if (_phase == RunPhase.Done) return;
        if (_phase is RunPhase.Running or RunPhase.Recovering)
        {
            if (_slots.All(s => s.State == SlotState.Ready))
            {
                if (_phase == RunPhase.Recovering) Recovered();
            }
            else
            {
                Enter(RunPhase.Recovering);
            }

            return;
        }

        if (_slots.Any(s => s.State == SlotState.Spawning)) Enter(RunPhase.Spawning);
        else if (_slots.Any(s => s.State == SlotState.Deploying)) Enter(RunPhase.Deploying);
        else if (_slots.Any(s => s.State == SlotState.Deployed))
        {
            Enter(RunPhase.Wiring);
            foreach (var slot in _slots.Where(s => s.State == SlotState.Deployed)) Wire(slot);
        }
        else if (_slots.All(s => s.State == SlotState.Ready))
        {
            if (!_clocksSynced)
            {
                SyncClocks();
                return;
            }

            QueryNodeMemory(MemoryMoment.Deployed);
            Start();
        }
    }

    // ---- Partitions coming up -----------------------------------------------------------------

    private void OnSpawned(PartitionsSpawned m)
    {
        if (m.RunId != _request.RunId || m.PartitionIds.Length != m.Refs.Length) return;
        var from = NodeOf(Sender.Path.Address);
        for (var i = 0; i < m.PartitionIds.Length; i++)
        {
            var id = m.PartitionIds[i];
            if (id < 0 || id >= _slots.Length || _slots[id].State != SlotState.Spawning) continue;
            var slot = _slots[id];
            if (from != slot.Node)
            {
                // A late answer from a node the partition was moved away from (it was suspected meanwhile): that
                // incarnation is of the old attempt, stopped once its node is back.
                if (from >= 0) LeftBehind(from, id);
                continue;
            }

            slot.Spawned(m.Refs[i]);
            _slotOfRef[m.Refs[i]] = id;
            _nodeOfRef[m.Refs[i]] = slot.Node;     // where this incarnation runs: its reports are booked there
            Context.Watch(m.Refs[i]);
            m.Refs[i].Tell(slot.Deploy);
            m.Refs[i].Tell(slot.Chunks[0]);
        }

        Advance();
    }

    /// <summary>One chunk in flight per partition: the next goes when the previous is acknowledged.</summary>
    private void OnChunkAck(WeightChunkAck m)
    {
        if (m.RunId != _request.RunId || !IsCurrent(Sender, m.PartitionId)) return;
        var slot = _slots[m.PartitionId];
        var next = m.ChunkIndex + 1;
        if (next < slot.Chunks.Length) slot.Ref!.Tell(slot.Chunks[next]);
    }

    private void OnDeployed(DeployComplete m)
    {
        if (m.RunId != _request.RunId || !IsCurrent(Sender, m.PartitionId)) return;
        var slot = _slots[m.PartitionId];
        slot.State = SlotState.Deployed;
        // Every deployed partition that sends to it learns its (new) address; before the run starts the rest
        // are wired together once all are deployed, after it started a re-homed partition is wired at once.
        foreach (var route in _plan.RoutesTo(slot.Id).Where(r => r.SourceId >= 0 && _slots[r.SourceId].State >= SlotState.Deployed))
            Wire(_slots[route.SourceId]);
        if (_phase is RunPhase.Running or RunPhase.Recovering) Wire(slot);
        Advance();
    }

    private void Wire(PartitionSlot slot)
    {
        var targets = _plan.RoutesFrom(slot.Id).Select(r => r.TargetId).ToArray();
        if (targets.Any(t => _slots[t].Ref is null)) return;   // wired again once the missing target is back
        var refs = targets.Select(t => _request.LinkInterceptor?.Invoke(slot.Id, t, _slots[t].Ref!) ?? _slots[t].Ref!).ToArray();
        slot.State = SlotState.Wiring;
        slot.Ref!.Tell(new WirePartition(_request.RunId, slot.Id, targets, refs, Self));
    }

    private void OnReady(PartitionReady m)
    {
        if (m.RunId != _request.RunId || !IsCurrent(Sender, m.PartitionId) || _slots[m.PartitionId].State != SlotState.Wiring) return;
        _slots[m.PartitionId].State = SlotState.Ready;
        Advance();
    }

    private bool IsCurrent(IActorRef sender, int id) =>
        id >= 0 && id < _slots.Length && _slots[id].Ref is { } current && current.Equals(sender);

    // ---- Partitions going away ----------------------------------------------------------------

    private void OnTerminated(Terminated m)
    {
        if (_nodeOfAgent.TryGetValue(m.ActorRef, out var node))
        {
            _placement.NodeLost(node);
            _log.Warning("run {0}: node agent on {1} is gone", _request.RunId, _workers[node].Address);
            // Partitions it was still to spawn will never report: place them elsewhere now. Spawned ones
            // are watched and come back through Terminated.
            foreach (var slot in _slots.Where(s => s.Node == node && s.Ref is null).ToArray()) Rehome(slot, "was still to be spawned there");
            return;
        }

        if (!_slotOfRef.TryGetValue(m.ActorRef, out var lost) || !m.ActorRef.Equals(_slots[lost].Ref)) return;   // an old incarnation
        // The partition's whole node is gone (removed from the cluster): its agent's Terminated may come
        // after this one, and the cluster read view may still list the node as up, so mark it lost here or
        // the partition would be re-homed onto the node that just died.
        if (m.AddressTerminated) _placement.NodeLost(_slots[lost].Node);
        Rehome(_slots[lost], m.AddressTerminated ? $"was lost with its node while {_phase.Describe()}" : $"stopped while {_phase.Describe()}");
    }

    private void Rehome(PartitionSlot slot, string what)
    {
        if (_phase == RunPhase.Done) return;
        var lostOn = _workers[slot.Node].Address;
        switch (_placement.Rehome(slot.Id, Usable))
        {
            case RehomeDecision.TooManyRestarts t:
                Fail($"partition {slot.Id} ({_plan.Partitions[slot.Id]}) on {lostOn} {what}" +
                     (t.MaxRestarts > 0 ? $", for the {t.Restart}th time; giving up" : ""));
                return;
            case RehomeDecision.NoNodeLeft:
                Fail($"partition {slot.Id} on {lostOn} {what}, and no surviving node can host it");
                return;
            case RehomeDecision.MoveTo move:
                if (_phase is RunPhase.Running or RunPhase.Recovering) _book.LossNoticed(_clock.Elapsed - _runStart);
                _log.Warning("run {0}: partition {1} on {2} {3}; re-homing it on {4}", _request.RunId, slot.Id, lostOn, what, _workers[move.Node].Address);
                slot.Respawning();
                _book.Restarts.Add((slot.Id, _workers[move.Node].Address));
                _workers[move.Node].Agent.Tell(new SpawnPartitions(_request.RunId, [slot.Id]));
                Advance();
                return;
        }
    }

    /// <summary>The cluster's view of a worker node: a member that is Up and not unreachable.</summary>
    private bool Usable(int node)
    {
        var state = AkkaCluster.Get(Context.System).State;
        var address = _workers[node].Address;
        return state.Members.Any(mem => mem.Address.ToString() == address && mem.Status == MemberStatus.Up)
            && state.Unreachable.All(mem => mem.Address.ToString() != address);
    }
}
