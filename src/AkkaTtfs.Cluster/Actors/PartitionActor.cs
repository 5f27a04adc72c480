using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using Akka.Actor;
using Akka.Event;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// One partition of the SNN. Thin on purpose: it collects its parameters (chunked, acknowledged,
/// checksummed by Core's <see cref="WeightAssembly"/>), then moves data-plane messages in and out of a Core <see cref="PartitionProcessor"/>,
/// which does every numeric step. States: deploying -> deployed (waiting for wiring) -> running. Messages larger than a
/// frame go out and come in as <see cref="FramePart"/>s (<see cref="Frames"/>, <see cref="FrameReassembly"/>).
/// <para>
/// Authority: the node agent creates a partition for the coordinator of a run it accepted and hands it that coordinator;
/// deployment, weights, wiring, stop and crash commands are taken from that actor only, and a crash only when the node
/// runs with fault injection (<see cref="NodeAgent.FaultInjectionKey"/>). Every refusal is logged naming the sender.
/// If Akka.Remote on this node drops a message for its size (<see cref="OversizedPayload"/>), the partition tells the
/// coordinator at once, which fails the run with that reason.
/// </para>
/// </summary>
public sealed class PartitionActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _coordinator;
    private readonly bool _faultInjection = Context.System.Settings.Config.GetBoolean(NodeAgent.FaultInjectionKey, false);
    private DeployPartition? _deploy;
    private WeightAssembly? _assembly;
    private PartitionProcessor? _processor;
    private FrameReassembly? _frames;
    private Dictionary<int, IActorRef> _targets = [];
    private IActorRef _collector = ActorRefs.Nobody;
    private long _rejected;
    private readonly LinkEmulation _links = LinkEmulation.Get(Context.System);

    /// <param name="coordinator">The run's coordinator, as the node agent accepted it: the only actor whose commands count.</param>
    public PartitionActor(IActorRef coordinator)
    {
        _coordinator = coordinator ?? throw new ArgumentNullException(nameof(coordinator));
        Become(Deploying);
    }

    protected override void PreStart() => Context.ActorOf(OversizeWatcher.Props(), OversizeWatcher.Name);

    /// <summary>
    /// Config flag (default on): spikes for a partition in the same actor system travel as <see cref="InProcessSpikes"/>,
    /// never encoded. Off: every link carries an encoded payload, as between nodes (a comparison, or a benchmark's baseline).
    /// </summary>
    public const string InProcessSpikesKey = "akkattfs.in-process-spikes";

    /// <summary>
    /// Config flag (default on): a partition runs one sample through a copy of itself while it deploys
    /// (<see cref="DataPathWarmUp"/>), and the coordinator through its injector. Off: the run's first batches pay the first calls.
    /// </summary>
    public const string WarmUpKey = "akkattfs.warm-up";

    /// <summary>The exception a runtime fault makes a partition throw; its supervisor stops it like any crash.</summary>
    public sealed class InjectedCrashException(string message) : Exception(message);

    /// <summary>
    /// What every state handles: a runtime fault of the run's plan (crash exactly as a bug would, by throwing), a stop,
    /// the coordinator's clock ping (answered at once with this host's trace clock), and Akka.Remote's oversized-payload errors.
    /// </summary>
    private void Always()
    {
        Receive<CrashPartition>(m =>
        {
            if (!FromCoordinator(nameof(CrashPartition), m.RunId)) return;
            if (!_faultInjection)
            {
                Refuse(nameof(CrashPartition), m.RunId, "this node does not run with --fault-injection");
                Sender.Tell(new RuntimeFaultRefused(m.RunId, m.FaultIndex, $"partition {m.PartitionId} refuses to crash: its node does not run with --fault-injection (start every node with it)"));
                return;
            }

            throw new InjectedCrashException($"partition {m.PartitionId} crashed on purpose: runtime fault {m.FaultIndex} of run {m.RunId}'s fault plan");
        });
        Receive<StopPartition>(m =>
        {
            if (FromCoordinator(nameof(StopPartition), m.RunId)) Context.Stop(Self);
        });
        Receive<ClockPing>(m => Sender.Tell(new ClockPong(m.RunId, m.Sequence, TraceClock.NowMs)));
        Receive<OversizedPayloadSeen>(m =>
        {
            _log.Error("partition {0}: {1}", Id, m.Reason);
            _coordinator.Tell(new PartitionFailed(_deploy?.RunId ?? "", Id, m.Reason));
        });
    }

    /// <summary>True when the current message comes from the run's coordinator (and names its run, once known); otherwise logs the refusal.</summary>
    private bool FromCoordinator(string command, string runId)
    {
        if (!Sender.Equals(_coordinator)) return Refuse(command, runId, $"only the run's coordinator {_coordinator.Path} may send it");
        return _deploy is null || runId == _deploy.RunId || Refuse(command, runId, $"this partition belongs to run {_deploy.RunId}");
    }

    private bool Refuse(string command, string runId, string why)
    {
        _log.Warning("partition {0} refused {1} of run {2} from {3}: {4}", Id, command, runId, Sender.Path, why);
        return false;
    }

    private int Id => _deploy?.PartitionId ?? -1;

    private void Deploying()
    {
        Always();
        Receive<DeployPartition>(m =>
        {
            if (!FromCoordinator(nameof(DeployPartition), m.RunId)) return;
            _deploy = m;
            _assembly = new WeightAssembly(m.WeightCount, m.BiasCount, m.Sha256, Protocol.FrameBudget.MaxWeightChunkValues);
        });
        Receive<WeightChunk>(m =>
        {
            if (!FromCoordinator(nameof(WeightChunk), m.RunId)) return;
            if (_deploy is null || _assembly is null)
            {
                Fail($"weight chunk {m.ChunkIndex} of run {m.RunId} does not belong to this deployment");
                return;
            }

            try
            {
                _assembly.Add(m.ChunkIndex, m.ChunkCount, m.Values);
            }
            catch (WeightAssemblyException ex)
            {
                Fail(ex.Message);
                return;
            }

            Sender.Tell(new WeightChunkAck(m.RunId, m.PartitionId, m.ChunkIndex));
            if (_assembly.IsComplete) Assemble();
        });
    }

    private void Assemble()
    {
        var d = _deploy!;
        try
        {
            var parameters = _assembly!.Complete();
            var mode = PartitionSetup.ParseInputMode(d.InputMode);
            var setup = new PartitionSetup(d.Architecture, d.InputShape, d.T, d.PartitionSpec, mode, d.PartitionId, d.KernelTaus, d.KernelTds, d.WeightCount, d.BiasCount);
            var faults = d.FaultPlanJson.Length == 0 ? null : FaultPlan.Parse(d.FaultPlanJson);
            _processor = setup.Build(parameters, d.RecordSpikes, faults);
            if (Context.System.Settings.Config.GetBoolean(WarmUpKey, true)) DataPathWarmUp.Partition(_processor);     // first calls paid in deploy, not by the first batch
        }
        catch (Exception ex) when (ex is WeightAssemblyException or ArgumentException)   // includes FaultPlanException: a plan that does not parse or fit
        {
            Fail(ex.Message);
            return;
        }

        _assembly = null;
        _frames = new FrameReassembly(d.RunId, d.PartitionId);
        _coordinator.Tell(new DeployComplete(d.RunId, d.PartitionId));
        Become(Deployed);
    }

    private void Deployed()
    {
        Always();
        Receive<WirePartition>(Wire);
        Receive<WeightChunk>(m =>
        {
            if (FromCoordinator(nameof(WeightChunk), m.RunId)) Sender.Tell(new WeightChunkAck(m.RunId, m.PartitionId, m.ChunkIndex));
        });
    }

    private void Wire(WirePartition m)
    {
        if (!FromCoordinator(nameof(WirePartition), m.RunId)) return;
        _targets = m.TargetIds.Zip(m.TargetRefs).ToDictionary(x => x.First, x => x.Second);
        _collector = m.Collector;
        var missing = _processor!.Targets.Where(t => !_targets.ContainsKey(t)).ToArray();
        if (missing.Length > 0)
        {
            Fail($"wiring lacks targets {string.Join(", ", missing)}");
            return;
        }

        _processor.SendInProcess(InProcessTargets());
        Sender.Tell(new PartitionReady(m.RunId, m.PartitionId));
        Become(Running);
    }

    /// <summary>
    /// The targets in this actor system, whose messages are never serialized (unless serialize-messages is on, which
    /// tests use to check every local send against the wire format: then every target gets an encoded payload).
    /// </summary>
    private IEnumerable<int> InProcessTargets()
    {
        var system = Context.System;
        if (system.Settings.SerializeAllMessages || !system.Settings.Config.GetBoolean(InProcessSpikesKey, true)) return [];
        return _targets.Where(t => t.Value is IActorRefScope { IsLocal: true }).Select(t => t.Key);
    }

    private void Running()
    {
        Always();
        Receive<WirePartition>(Wire);    // re-wired after a target was re-homed
        Receive<SpikeBatchMessage>(OnSpikes);
        Receive<InProcessSpikes>(OnInProcessSpikes);
        Receive<AnalogInputMessage>(OnAnalog);
        Receive<FramePart>(m =>
        {
            switch (_frames!.Accept(m, _log))
            {
                case SpikeBatchMessage spikes:
                    OnSpikes(spikes);
                    break;
                case AnalogInputMessage analog:
                    OnAnalog(analog);
                    break;
                case { } other:
                    _log.Error("partition {0}: dropped a {1} that arrived in parts: a partition takes spikes and inputs only", Id, other.GetType().Name);
                    break;
            }
        });
    }

    private void OnSpikes(SpikeBatchMessage m)
    {
        if (m.RunId != _deploy!.RunId) return;
        var stamp = Stamp(m.SentMs, m.Receipt);
        Guarded(() => _processor!.AcceptSpikes(new BatchKey(m.BatchId, m.Attempt), m.SourcePartition, m.SampleCount, m.Payload, FirstSample(m.BatchId), stamp));
    }

    private void OnInProcessSpikes(InProcessSpikes m)
    {
        if (m.RunId != _deploy!.RunId) return;
        var stamp = new MessageStamp(m.SentMs, m.SentMs, TraceClock.NowMs, 0);     // a local send: arrived when sent, nothing on the wire
        Guarded(() => _processor!.AcceptSpikes(new BatchKey(m.BatchId, m.Attempt), m.SourcePartition, m.SampleCount, m.Spikes, m.PayloadBytes, FirstSample(m.BatchId), stamp));
    }

    private void OnAnalog(AnalogInputMessage m)
    {
        if (m.RunId != _deploy!.RunId) return;
        var stamp = Stamp(m.SentMs, m.Receipt);
        Guarded(() => _processor!.AcceptAnalog(new BatchKey(m.BatchId, m.Attempt), m.SampleCount, m.Payload, FirstSample(m.BatchId), stamp));
    }

    /// <summary>How a message reached this partition: sent (sender's clock), arrived (deserialized here; a local send: when sent), taken now.</summary>
    private static MessageStamp Stamp(double sentMs, ReceiptStamp receipt) =>
        new(sentMs, receipt.ArrivedMs > 0 ? receipt.ArrivedMs : sentMs, TraceClock.NowMs, receipt.WireBytes);

    /// <summary>The batch's first global sample (the ledger cuts the run into equal batches); fault draws are keyed by it.</summary>
    private int FirstSample(int batchId) => RunLedger.FirstSampleOf(batchId, _deploy!.BatchSize);

    /// <summary>
    /// A payload the processor rejects (corrupt, or spikes that are not on the sender's route) is logged and
    /// dropped: the processor checks everything before a batch changes, so the partition stays sound, and the
    /// batch it belonged to is replayed after the batch timeout. A broken contract (a message from a source with
    /// no route here, disagreeing sample counts) fails the partition with the reason, visibly.
    /// </summary>
    private void Guarded(Func<PartitionOutput?> step)
    {
        try
        {
            Emit(step());
        }
        catch (PayloadException ex)
        {
            _rejected++;
            _log.Error("partition {0}: dropped a message ({1} so far): {2}", _deploy?.PartitionId ?? -1, _rejected, ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or OverflowException)
        {
            Fail(ex.Message);
        }
    }

    private void Emit(PartitionOutput? output)
    {
        if (output is null) return;
        var d = _deploy!;
        var key = output.Key;
        foreach (var send in output.Sends)
        {
            if (send.Spikes is { } spikes)
            {
                // A target in this actor system (see InProcessTargets): no frame, no serializer, no emulated link.
                _targets[send.TargetId].Tell(new InProcessSpikes(d.RunId, key.BatchId, key.Attempt, d.PartitionId, send.TargetId, output.SampleCount, spikes, send.PayloadBytes, TraceClock.NowMs), Self);
                continue;
            }

            // Through the node's emulated interconnect: split into parts when over a frame; a cross-node link may hold it (--link-latency, --link-bandwidth).
            Frames.Send(_links, _targets[send.TargetId], new SpikeBatchMessage(d.RunId, key.BatchId, key.Attempt, d.PartitionId, send.TargetId, output.SampleCount, send.SpikeCount, send.Payload)
            {
                SentMs = TraceClock.NowMs,
            }, Self);
        }

        Frames.Tell(_collector, PartitionBatchReport.From(d.RunId, PartitionReport.From(d.PartitionId, output, TraceClock.NowMs)), Self);
    }

    private void Fail(string reason)
    {
        var d = _deploy;
        _log.Error("partition {0}: {1}", d?.PartitionId ?? -1, reason);
        _coordinator.Tell(new PartitionFailed(d?.RunId ?? "", d?.PartitionId ?? -1, reason));
        Context.Stop(Self);
    }
}
