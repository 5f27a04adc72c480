namespace AkkaTtfs.Core.Distributed;

// The rows a run's trace is made of. Times are milliseconds since the run's first injected batch on the
// coordinator's clock (converted from each node's clock with its ClockOffset). Node -1 = the coordinator when
// it is not a worker; partition -1 = the input injector. One row per (batch, link) or (batch, partition) and
// attempt, never per spike, so a trace grows with batches, not with spikes.

/// <summary>One link's message for one batch attempt, as its target received it.</summary>
/// <param name="SourceNode">The node the source ran on when it sent (node of the injector: the coordinator's).</param>
/// <param name="TargetNode">The node the target ran on when it received.</param>
/// <param name="CrossProcess">The message crossed a process (actor system) boundary; false: a local send.</param>
/// <param name="Spikes">Spike deliveries (analog values on an analog input link).</param>
/// <param name="PayloadBytes">The encoded spike payload.</param>
/// <param name="WireBytes">What the serializer produced for the whole message; 0 for a local link.</param>
/// <param name="SentMs">When the source sent it.</param>
/// <param name="ReceivedMs">When the target partition took it from its mailbox.</param>
public sealed record LinkBatchRow(int Batch, int Attempt, int Source, int Target, int SourceNode, int TargetNode, bool CrossProcess,
    long Spikes, long PayloadBytes, long WireBytes, double SentMs, double ReceivedMs)
{
    public double LatencyMs => ReceivedMs - SentMs;

    /// <summary>Traffic of a replay (attempt &gt; 0).</summary>
    public bool IsReplay => Attempt > 0;
}

/// <summary>One partition's work on one batch attempt.</summary>
/// <param name="Node">The node it ran on at the time.</param>
/// <param name="FirstInputMs">When it took the batch's first input message.</param>
/// <param name="LastInputMs">When it took the last one (the batch then ran).</param>
/// <param name="DecodeMs">Decoding and merging its inputs.</param>
/// <param name="IntegrateMs">Integrating them into the membranes.</param>
/// <param name="FireEncodeMs">Firing, pooling and encoding the outgoing messages.</param>
/// <param name="MailboxDelayMs">Summed over its input messages: from arrival at its node to being taken.</param>
/// <param name="DoneMs">When its report left.</param>
public sealed record PartitionBatchRow(int Partition, int Stage, int Batch, int Attempt, int Node, double FirstInputMs, double LastInputMs,
    double DecodeMs, double IntegrateMs, double FireEncodeMs, double MailboxDelayMs, double DoneMs)
{
    /// <summary>Waiting on upstream: from the first to the last input.</summary>
    public double WaitMs => LastInputMs - FirstInputMs;

    /// <summary>Compute: decode + integrate + fire and encode.</summary>
    public double BusyMs => DecodeMs + IntegrateMs + FireEncodeMs;

    public bool IsReplay => Attempt > 0;
}

/// <summary>The coordinator's state after a change: batches in flight, samples completed, whether it waits for a credit.</summary>
/// <param name="CreditBlocked">Batches remain to be sent but every credit is taken.</param>
public readonly record struct InFlightSample(double Ms, int BatchesInFlight, int CompletedSamples, bool CreditBlocked);

/// <summary>Whole-run traffic of one link, first attempts apart from replays.</summary>
/// <param name="SourceNode">Node of the source for its last row (a re-homed partition's link ends on its new node).</param>
public sealed record LinkTotal(int Source, int Target, int SourceNode, int TargetNode, bool CrossProcess,
    long Messages, long Spikes, long PayloadBytes, long WireBytes, long ReplayMessages, long ReplaySpikes, long ReplayPayloadBytes);

/// <summary>Traffic between two partitions (or two nodes) summed over the rows booked to them.</summary>
public sealed record TrafficCell(int Source, int Target, long Messages, long Spikes, long PayloadBytes, long WireBytes);

/// <summary>Whole-run work of one partition.</summary>
/// <param name="Node">The node of its last row.</param>
/// <param name="Batches">Batch attempts it ran.</param>
public sealed record PartitionTotal(int Partition, int Stage, int Node, int Batches, double BusyMs, double WaitMs,
    double DecodeMs, double IntegrateMs, double FireEncodeMs, double MailboxDelayMs);
