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
/// which does every numeric step. States: deploying -> deployed (waiting for wiring) -> running.
/// </summary>
public sealed class PartitionActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DeployPartition? _deploy;
    private WeightAssembly? _assembly;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private PartitionProcessor? _processor;
    private Dictionary<int, IActorRef> _targets = [];
    private IActorRef _collector = ActorRefs.Nobody;
    private long _rejected;
    private readonly LinkEmulation _links = LinkEmulation.Get(Context.System);

    public PartitionActor() => Become(Deploying);

    /// <summary>The exception a runtime fault makes a partition throw; its supervisor stops it like any crash.</summary>
    public sealed class InjectedCrashException(string message) : Exception(message);

    /// <summary>A runtime fault of the run's plan: crash exactly as a bug would, by throwing (in every state).</summary>
    private void CrashOnRequest()
    {
        Receive<CrashPartition>(m =>
            throw new InjectedCrashException($"partition {m.PartitionId} crashed on purpose: runtime fault {m.FaultIndex} of run {m.RunId}'s fault plan"));
        // The coordinator's clock ping (in every state): answered at once with this host's trace clock.
        Receive<ClockPing>(m => Sender.Tell(new ClockPong(m.RunId, m.Sequence, TraceClock.NowMs)));
    }

    private void Deploying()
    {
        CrashOnRequest();
        Receive<DeployPartition>(m =>
        {
            _deploy = m;
            _coordinator = Sender;
            _assembly = new WeightAssembly(m.WeightCount, m.BiasCount, m.Sha256, Protocol.FrameBudget.MaxWeightChunkValues);
        });
        Receive<WeightChunk>(m =>
        {
            if (_deploy is null || _assembly is null || m.RunId != _deploy.RunId)
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
        }
        catch (Exception ex) when (ex is WeightAssemblyException or ArgumentException)   // includes FaultPlanException: a plan that does not parse or fit
        {
            Fail(ex.Message);
            return;
        }

        _assembly = null;
        _coordinator.Tell(new DeployComplete(d.RunId, d.PartitionId));
        Become(Deployed);
    }

    private void Deployed()
    {
        CrashOnRequest();
        Receive<WirePartition>(Wire);
        Receive<WeightChunk>(m => Sender.Tell(new WeightChunkAck(m.RunId, m.PartitionId, m.ChunkIndex)));
    }

    private void Wire(WirePartition m)
    {
        _targets = m.TargetIds.Zip(m.TargetRefs).ToDictionary(x => x.First, x => x.Second);
        _collector = m.Collector;
        var missing = _processor!.Targets.Where(t => !_targets.ContainsKey(t)).ToArray();
        if (missing.Length > 0)
        {
            Fail($"wiring lacks targets {string.Join(", ", missing)}");
            return;
        }

        Sender.Tell(new PartitionReady(m.RunId, m.PartitionId));
        Become(Running);
    }

    private void Running()
    {
        CrashOnRequest();
        Receive<WirePartition>(Wire);    // re-wired after a target was re-homed
        Receive<SpikeBatchMessage>(m =>
        {
            if (m.RunId != _deploy!.RunId) return;
            var stamp = Stamp(m.SentMs, m.Receipt);
            Guarded(() => _processor!.AcceptSpikes(new BatchKey(m.BatchId, m.Attempt), m.SourcePartition, m.SampleCount, m.Payload, FirstSample(m.BatchId), stamp));
        });
        Receive<AnalogInputMessage>(m =>
        {
            if (m.RunId != _deploy!.RunId) return;
            var stamp = Stamp(m.SentMs, m.Receipt);
            Guarded(() => _processor!.AcceptAnalog(new BatchKey(m.BatchId, m.Attempt), m.SampleCount, m.Payload, FirstSample(m.BatchId), stamp));
        });
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
            // Through the node's emulated interconnect: a cross-node link may hold it (--link-latency, --link-bandwidth).
            _links.Send(_targets[send.TargetId], new SpikeBatchMessage(d.RunId, key.BatchId, key.Attempt, d.PartitionId, send.TargetId, output.SampleCount, send.SpikeCount, send.Payload)
            {
                SentMs = TraceClock.NowMs,
            }, Self);
        }

        _collector.Tell(PartitionBatchReport.From(d.RunId, PartitionReport.From(d.PartitionId, output, TraceClock.NowMs)));
    }

    private void Fail(string reason)
    {
        var d = _deploy;
        _log.Error("partition {0}: {1}", d?.PartitionId ?? -1, reason);
        _coordinator.Tell(new PartitionFailed(d?.RunId ?? "", d?.PartitionId ?? -1, reason));
        Context.Stop(Self);
    }
}
