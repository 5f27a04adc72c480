using Akka.Actor;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cluster.Protocol;

// The whole wire protocol of the cluster, in one place. Every message is a sealed record that
// implements exactly one marker interface; the marker binds it to its serializer in base.conf
// (IDataPlaneMessage -> DataPlaneSerializer, IControlMessage -> ControlSerializer). A message type
// added here without a manifest in its serializer fails the reflection-driven round-trip test.
//
// Conventions:
// - RunId is a string chosen by the coordinator; every message of a run carries it, so a late message
//   of an earlier run is recognised and dropped.
// - A batch is keyed by (RunId, BatchId, Attempt). Attempt starts at 0 and increases each time the
//   coordinator replays the batch after a crash (issue 5); receivers drop messages of an older attempt.
// - Partition ids are the dense global ids of Core's PartitionPlan; -1 (PartitionPlan.InputSource)
//   is the input injector.
// - Arrays are never null on the wire. Records compare arrays by reference (record equality), so
//   compare contents when testing.

/// <summary>Marker: bulk traffic of a run (spikes, inputs, outputs, statistics, weights); serialized by <c>DataPlaneSerializer</c>.</summary>
public interface IDataPlaneMessage;

/// <summary>Marker: membership, deployment and wiring; serialized by <c>ControlSerializer</c>.</summary>
public interface IControlMessage;

// ---------------------------------------------------------------------------------------------
// Data plane
// ---------------------------------------------------------------------------------------------

/// <summary>
/// All spikes that one link (source partition -> target partition) carries for one batch: one message
/// per (batch, window, link), also when it holds no spike, because its arrival closes the source's
/// window at the target. The window is implied by the source partition's stage (in TTFS every stage
/// fires in exactly one window), so it is not a field.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="BatchId">The batch within the run.</param>
/// <param name="Attempt">The batch's attempt; raised on replay.</param>
/// <param name="SourcePartition">Sending partition, or -1 for the input injector (TTFS-coded input).</param>
/// <param name="TargetPartition">Receiving partition.</param>
/// <param name="SampleCount">Samples in the batch (the payload holds one spike list per sample).</param>
/// <param name="SpikeCount">Spike deliveries in the payload (a spike a duplicate fault copied counts once per copy), for traffic counters without decoding.</param>
/// <param name="Payload">Opaque compact encoding produced by Core (<c>Core.Distributed.SpikeCodec</c>).</param>
public sealed record SpikeBatchMessage(
    string RunId, int BatchId, int Attempt, int SourcePartition, int TargetPartition,
    int SampleCount, int SpikeCount, byte[] Payload) : IDataPlaneMessage, ITracedMessage
{
    /// <inheritdoc/>
    public double SentMs { get; init; }

    /// <summary>Set by the serializer when it read the message in this process (never on the wire); default: not deserialized (a local send).</summary>
    internal ReceiptStamp Receipt { get; set; }
}

/// <summary>Analog (current) input of a batch for one stage-0 partition, from the input injector.</summary>
/// <param name="Payload">Opaque compact encoding produced by Core (<c>SpikeCodec.EncodeAnalog</c>).</param>
public sealed record AnalogInputMessage(
    string RunId, int BatchId, int Attempt, int TargetPartition, int SampleCount, byte[] Payload) : IDataPlaneMessage, ITracedMessage
{
    /// <inheritdoc/>
    public double SentMs { get; init; }

    /// <summary>Set by the serializer when it read the message in this process (never on the wire); default: not deserialized (a local send).</summary>
    internal ReceiptStamp Receipt { get; set; }
}

/// <summary>A data-plane message whose trip the traffic instrument follows.</summary>
public interface ITracedMessage
{
    /// <summary>When the sender sent it, on the sender's <c>TraceClock</c> (on the wire).</summary>
    double SentMs { get; }

}

/// <summary>What the data-plane serializer saw when it read a message: its size and when (this process's <c>TraceClock</c>).</summary>
/// <param name="WireBytes">The bytes the serializer read, i.e. what the sender's serializer produced.</param>
/// <param name="ArrivedMs">When it was read.</param>
public readonly record struct ReceiptStamp(long WireBytes, double ArrivedMs);

/// <summary>Coordinator -> partition: a clock ping; the partition answers at once with its clock (<see cref="ClockPong"/>).</summary>
public sealed record ClockPing(string RunId, int Sequence) : IDataPlaneMessage;

/// <summary>Partition -> coordinator: the answer to <see cref="ClockPing"/> <paramref name="Sequence"/>, with the partition's <c>TraceClock</c> when it answered.</summary>
public sealed record ClockPong(string RunId, int Sequence, double RemoteMs) : IDataPlaneMessage;

/// <summary>
/// Everything one partition has to say about one batch, in ONE message to the coordinator's collector: it
/// mirrors Core's <c>PartitionReport</c> field for field (its counts, its output potentials when it is an
/// output partition, its recorded spike times, the traffic of its outgoing links, its fault counters).
/// The link arrays are parallel: entry i describes the link to partition LinkTargets[i].
/// </summary>
/// <param name="SampleCount">Samples in the batch.</param>
/// <param name="Potentials">Output partitions: row-major [sample][local neuron] potentials; otherwise empty.</param>
/// <param name="LocalTimes">
/// Only when the run records spikes (<see cref="DeployPartition.RecordSpikes"/>): every local neuron's spike
/// time, row-major [sample][local neuron], -1 = no spike; otherwise empty. About one byte per entry on the
/// wire, so recording suits small runs and tests (a batch must still fit <see cref="FrameBudget.MaxMessageBytes"/>).
/// </param>
/// <param name="LinkBytes">Serialized payload bytes per link (the spike payload, not the remoting envelope).</param>
/// <param name="FaultCounters">Core's <c>FaultCounters.ToArray()</c>, or empty when no fault acted.</param>
/// <param name="SpikesDelivered">Pooled spikes the partition sent on after spike faults, each counted once whatever its number of targets.</param>
public sealed record PartitionBatchReport(
    string RunId, int BatchId, int Attempt, int PartitionId, int SampleCount,
    long Spikes, long SynOps, long AnalogEvents, float[] Potentials, int[] LocalTimes,
    int[] LinkTargets, long[] LinkMessages, long[] LinkSpikes, long[] LinkBytes,
    long[] FaultCounters, long SpikesDelivered) : IDataPlaneMessage
{
    /// <summary>A hidden partition: its spikes per time step of the window (Core's <c>PartitionReport.StepSpikes</c>); otherwise empty.</summary>
    public long[] StepSpikes { get; init; } = [];

    /// <summary>The batch's trace (Core's <c>PartitionBatchTrace</c>), or null when the partition did not trace it.</summary>
    public BatchTraceWire? Trace { get; init; }

    /// <summary>The wire form of Core's report.</summary>
    public static PartitionBatchReport From(string runId, PartitionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var links = report.Links;
        return new PartitionBatchReport(runId, report.Key.BatchId, report.Key.Attempt, report.PartitionId, report.SampleCount,
            report.Spikes, report.SynOps, report.AnalogEvents, report.Potentials ?? [], report.LocalTimes ?? [],
            [.. links.Select(l => l.TargetId)], [.. links.Select(l => l.Messages)], [.. links.Select(l => l.Spikes)], [.. links.Select(l => l.PayloadBytes)],
            report.Faults.IsZero ? [] : report.Faults.ToArray(), report.SpikesDelivered)
        {
            StepSpikes = report.StepSpikes ?? [],
            Trace = report.Trace is { } t ? BatchTraceWire.From(t) : null,
        };
    }

    /// <summary>Back to Core's report (empty arrays become absent).</summary>
    public PartitionReport ToReport() => new(PartitionId, new BatchKey(BatchId, Attempt), SampleCount, Spikes, SynOps, AnalogEvents,
        Potentials.Length > 0 ? Potentials : null, LocalTimes.Length > 0 ? LocalTimes : null,
        [.. LinkTargets.Select((t, i) => new LinkTraffic(PartitionId, t, LinkMessages[i], LinkSpikes[i], LinkBytes[i]))],
        FaultCounters.Length == 0 ? default : Core.Engines.FaultCounters.FromArray(FaultCounters), SpikesDelivered,
        StepSpikes.Length > 0 ? StepSpikes : null, Trace?.ToTrace());
}

/// <summary>
/// Core's <c>PartitionBatchTrace</c> on the wire, inside <see cref="PartitionBatchReport"/>: the input arrays are parallel
/// (entry i is the input message from partition InputSources[i]), times in milliseconds on the partition's host clock.
/// </summary>
public sealed record BatchTraceWire(int[] InputSources, long[] InputSpikes, long[] InputPayloadBytes, long[] InputWireBytes,
    double[] InputSentMs, double[] InputArrivedMs, double[] InputHandledMs, double DecodeMs, double IntegrateMs, double FireEncodeMs, double DoneMs)
{
    public static BatchTraceWire From(PartitionBatchTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var inputs = trace.Inputs;
        return new BatchTraceWire([.. inputs.Select(i => i.SourceId)], [.. inputs.Select(i => i.Spikes)], [.. inputs.Select(i => i.PayloadBytes)],
            [.. inputs.Select(i => i.Stamp.WireBytes)], [.. inputs.Select(i => i.Stamp.SentMs)], [.. inputs.Select(i => i.Stamp.ArrivedMs)],
            [.. inputs.Select(i => i.Stamp.HandledMs)], trace.DecodeMs, trace.IntegrateMs, trace.FireEncodeMs, trace.DoneMs);
    }

    public PartitionBatchTrace ToTrace() => new(
        [.. InputSources.Select((s, i) => new InputRecord(s, InputSpikes[i], InputPayloadBytes[i], new MessageStamp(InputSentMs[i], InputArrivedMs[i], InputHandledMs[i], InputWireBytes[i])))],
        DecodeMs, IntegrateMs, FireEncodeMs, DoneMs);
}

/// <summary>Which message a <see cref="FramePart"/> is a part of (wire format: never change a value).</summary>
public enum FramedKind : byte
{
    SpikeBatch = 1,
    AnalogInput = 2,
    BatchReport = 3,
}

/// <summary>
/// Part <paramref name="PartIndex"/> of <paramref name="PartCount"/> of a data-plane message whose serialized form is larger
/// than a frame (<see cref="FrameBudget.MaxMessageBytes"/>): <paramref name="Bytes"/> is that slice of the message as
/// <c>DataPlaneSerializer</c> wrote it (Core's <c>FrameSplitter</c> decides the slices). The receiver merges the parts of
/// (kind, batch, attempt, source) with Core's <c>FrameMerger</c> and reads the whole message from the merged bytes, so it is
/// byte for byte the message that was split. Parts of an older attempt of a batch are dropped, like the messages themselves.
/// </summary>
/// <param name="Source">The sending partition, or -1 (the input injector).</param>
/// <param name="Target">The receiving partition, or -1 (the coordinator's collector).</param>
/// <param name="TotalBytes">Bytes of the whole message; at most <see cref="FrameBudget.MaxMergedBytes"/>.</param>
public sealed record FramePart(string RunId, FramedKind Kind, int BatchId, int Attempt, int Source, int Target,
    int PartIndex, int PartCount, int TotalBytes, byte[] Bytes) : IDataPlaneMessage;

/// <summary>
/// One chunk of a partition's parameters (weights then biases, as announced by <see cref="DeployPartition"/>).
/// At most <see cref="FrameBudget.MaxWeightChunkValues"/> values, so a chunk always fits the remoting frame.
/// </summary>
/// <param name="ChunkIndex">0-based; chunks may arrive in any order.</param>
/// <param name="ChunkCount">Total chunks of this deployment (at least 1).</param>
public sealed record WeightChunk(string RunId, int PartitionId, int ChunkIndex, int ChunkCount, float[] Values) : IDataPlaneMessage;

/// <summary>The partition stored chunk <paramref name="ChunkIndex"/>; the coordinator may send the next one.</summary>
public sealed record WeightChunkAck(string RunId, int PartitionId, int ChunkIndex) : IDataPlaneMessage;

// ---------------------------------------------------------------------------------------------
// Control plane
// ---------------------------------------------------------------------------------------------

/// <summary>Coordinator -> node agent: create these partition actors locally (no remote deployment).</summary>
public sealed record SpawnPartitions(string RunId, int[] PartitionIds) : IControlMessage;

/// <summary>Node agent -> coordinator: the partitions exist; Refs[i] is partition PartitionIds[i].</summary>
public sealed record PartitionsSpawned(string RunId, int[] PartitionIds, IActorRef[] Refs) : IControlMessage;

/// <summary>
/// Coordinator -> partition: everything a partition needs to build its kernel, except the parameters,
/// which follow as <see cref="WeightChunk"/>s (weights first, then biases, <paramref name="WeightCount"/>
/// + <paramref name="BiasCount"/> values in total) and are checked against <paramref name="Sha256"/>.
/// </summary>
/// <param name="Architecture">The network in Core's architecture syntax (ArchitectureParser).</param>
/// <param name="InputShape">Input tensor shape, e.g. [1, 28, 28].</param>
/// <param name="T">Firing window in steps.</param>
/// <param name="PartitionSpec">The partition plan's split spec; every node derives the same plan from it.</param>
/// <param name="InputMode">"analog" or "ttfs" (ModelFileHeader.InputModeAnalog / InputModeTtfs).</param>
/// <param name="KernelTaus">
/// Temporal kernels this partition needs, in a fixed order: first the presynaptic kernel, present when
/// the stage receives spikes (stage &gt; 0, or stage 0 with TTFS input, where it is the input kernel);
/// then the stage's own kernel, present when the stage spikes (every stage but the output). So 0 to 2
/// entries; which ones is derived from Architecture, InputMode and the partition's stage. Never NaN.
/// </param>
/// <param name="KernelTds">The td of the same kernels, parallel to <paramref name="KernelTaus"/>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the parameter values as little-endian float32, weights then biases.</param>
/// <param name="RecordSpikes">Report every local spike time in <see cref="PartitionBatchReport.LocalTimes"/> (exactness tests, small runs).</param>
/// <param name="BatchSize">The run's batch size: batch b starts at global sample b x BatchSize, which keys the fault draws.</param>
/// <param name="FaultPlanJson">
/// The run's fault plan (Core's <c>FaultPlan.ToJson</c>), whose spike and neuron faults the partition injects; empty: no faults.
/// Weight faults are already in the deployed parameters (the coordinator applies them once, to a copy of the model).
/// </param>
public sealed record DeployPartition(
    string RunId, int PartitionId, string Architecture, int[] InputShape, int T, string PartitionSpec,
    string InputMode, float[] KernelTaus, float[] KernelTds, int WeightCount, int BiasCount, string Sha256,
    bool RecordSpikes, int BatchSize, string FaultPlanJson) : IControlMessage;

/// <summary>Partition -> coordinator: all chunks arrived and the checksum matched.</summary>
public sealed record DeployComplete(string RunId, int PartitionId) : IControlMessage;

/// <summary>When a run samples its worker nodes' memory (wire format: never change a value).</summary>
public enum MemoryMoment : byte
{
    /// <summary>Every partition deployed and wired, before the first batch.</summary>
    Deployed = 1,

    /// <summary>Every batch completed, before the partitions stop.</summary>
    End = 2,
}

/// <summary>Coordinator -> node agent: answer with this node's process memory now (<see cref="NodeMemory"/>); only the run's coordinator is answered.</summary>
public sealed record NodeMemoryQuery(string RunId, MemoryMoment Moment) : IControlMessage;

/// <summary>
/// Node agent -> coordinator: the memory of the process that hosts the node, at <paramref name="Moment"/>. The coordinator
/// knows which node answered from the sender; embedded nodes of one process report the same process (same <paramref name="ProcessId"/>).
/// </summary>
/// <param name="ProcessId">The operating system's process id of the node's process.</param>
/// <param name="PeakWorkingSetBytes">The most RAM the process has held since it started (VmHWM).</param>
/// <param name="WorkingSetBytes">The RAM it holds now (VmRSS).</param>
/// <param name="ManagedHeapBytes">Bytes in use on its managed heap now (GC.GetTotalMemory without a collection).</param>
public sealed record NodeMemory(string RunId, MemoryMoment Moment, int ProcessId, long PeakWorkingSetBytes, long WorkingSetBytes, long ManagedHeapBytes)
    : IControlMessage
{
    /// <summary>This process, now.</summary>
    public static NodeMemory OfThisProcess(string runId, MemoryMoment moment)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new NodeMemory(runId, moment, self.Id, self.PeakWorkingSet64, self.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
    }
}

/// <summary>Partition -> coordinator: wired and ready to take batches.</summary>
public sealed record PartitionReady(string RunId, int PartitionId) : IControlMessage;

/// <summary>Partition or agent -> coordinator: a partition cannot go on; <paramref name="Reason"/> says why, for the user.</summary>
public sealed record PartitionFailed(string RunId, int PartitionId, string Reason) : IControlMessage;

/// <summary>
/// Coordinator -> partition: its routing table (TargetRefs[i] is partition TargetIds[i]) and the result
/// collector that receives its <see cref="PartitionBatchReport"/>s.
/// Sent again with new refs when a target is re-homed after a crash.
/// </summary>
public sealed record WirePartition(string RunId, int PartitionId, int[] TargetIds, IActorRef[] TargetRefs, IActorRef Collector) : IControlMessage;

/// <summary>Coordinator -> partition or agent: stop the partition (end of run, or before re-homing).</summary>
public sealed record StopPartition(string RunId, int PartitionId) : IControlMessage;

/// <summary>Coordinator -> partition: a runtime fault of the run's plan: throw and die (the coordinator then re-homes the partition).</summary>
/// <param name="FaultIndex">The fault's index in the plan's runtime list (for the log).</param>
public sealed record CrashPartition(string RunId, int PartitionId, int FaultIndex) : IControlMessage;

/// <summary>
/// Coordinator -> node agent: a runtime fault of the run's plan: cut this node off from every other member
/// (both directions, the throttler's blackhole) and terminate its actor system, as a killed process would
/// vanish: no leave, the others find out through the failure detector.
/// </summary>
public sealed record KillNode(string RunId, int FaultIndex) : IControlMessage;

/// <summary>Coordinator -> node agent: a runtime fault of the run's plan: drop all traffic to and from <paramref name="Remote"/> for <paramref name="Milliseconds"/>, then heal the link.</summary>
/// <param name="Remote">The other end's Akka address.</param>
public sealed record CutLink(string RunId, int FaultIndex, string Remote, int Milliseconds) : IControlMessage;

/// <summary>Node agent -> coordinator: a runtime fault could not be applied on this node; <paramref name="Reason"/> says why, for the user.</summary>
public sealed record RuntimeFaultRefused(string RunId, int FaultIndex, string Reason) : IControlMessage;

/// <summary>Node agent -> coordinator: a node and its roles are available (Address is the Akka address as a string).</summary>
public sealed record RegisterNode(string Address, string[] Roles) : IControlMessage;

/// <summary>Coordinator -> node agent: registration acknowledged. Empty, so a singleton.</summary>
public sealed record NodeRegistered : IControlMessage
{
    private NodeRegistered()
    {
    }

    public static NodeRegistered Instance { get; } = new();
}
