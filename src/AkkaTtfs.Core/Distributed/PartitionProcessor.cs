using System.Diagnostics;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Distributed;

/// <summary>A batch of a run as it travels: its id and the attempt (a replay after a crash raises the attempt).</summary>
public readonly record struct BatchKey(int BatchId, int Attempt)
{
    public override string ToString() => $"batch {BatchId} (attempt {Attempt})";
}

/// <summary>
/// One outgoing link message: the spikes a downstream partition needs, encoded for the wire, or, for a target in the
/// same process (<see cref="PartitionProcessor.SendInProcess"/>), the spikes themselves (<see cref="InProcess"/>).
/// </summary>
/// <param name="TargetId">The receiving partition.</param>
/// <param name="SpikeCount">Spike deliveries in the payload: a spike a duplicate fault copied counts once per copy (<see cref="SpikeBatch.DeliveryCount"/>).</param>
/// <param name="Payload">The encoded spikes (<see cref="SpikeCodec.Encode"/>); empty for an in-process send.</param>
public sealed record LinkSend(int TargetId, int SpikeCount, byte[] Payload)
{
    /// <summary>The payload's length: of <see cref="Payload"/>, or for an in-process send what encoding would have produced.</summary>
    public int PayloadBytes { get; private init; } = Payload.Length;

    /// <summary>An in-process send: the spikes, never encoded (the receiver takes them through <see cref="PartitionProcessor.AcceptSpikes(BatchKey, int, int, SpikeBatch, int, int?, MessageStamp?)"/>); null: <see cref="Payload"/> is the message.</summary>
    public SpikeBatch? Spikes { get; private init; }

    /// <summary>A send that carries <paramref name="spikes"/> themselves, counted as the bytes their payload would have.</summary>
    public static LinkSend InProcess(int targetId, SpikeBatch spikes)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        return new LinkSend(targetId, checked((int)spikes.DeliveryCount), []) { Spikes = spikes, PayloadBytes = SpikeCodec.EncodedLength(spikes) };
    }
}

/// <summary>What a partition emits when a batch's integration window closes.</summary>
/// <param name="Key">The batch.</param>
/// <param name="SampleCount">Samples in the batch.</param>
/// <param name="Sends">One message per outgoing route, also when it carries no spike (it closes the target's window).</param>
/// <param name="Potentials">Output stage only: [sample][local neuron] potentials; see <see cref="PartitionProcessor.OutputNeurons"/>.</param>
/// <param name="Spikes">Spikes of this partition's own neurons.</param>
/// <param name="SynOps">Synaptic events driven by spikes.</param>
/// <param name="AnalogEvents">Synaptic events driven by analog input.</param>
/// <param name="LocalTimes">When recording: every local neuron's spike time [sample][local neuron]; see <see cref="StageKernel.LocalToGlobal"/>.</param>
/// <param name="Faults">How often each injected spike and neuron fault acted in this partition for this batch (zero without faults).</param>
/// <param name="SpikesDelivered">Pooled spikes this partition sent on (after spike faults), each counted once whatever its number of targets, and once per copy when a duplicate fault copied it.</param>
/// <param name="Timing">Where the batch's time went and what arrived (the traffic instrument); null from hand-made outputs.</param>
/// <param name="StepSpikes">A hidden stage: its own spikes per time step of the window (they sum to <paramref name="Spikes"/>); null for the output stage.</param>
public sealed record PartitionOutput(BatchKey Key, int SampleCount, IReadOnlyList<LinkSend> Sends, float[]? Potentials,
    long Spikes, long SynOps, long AnalogEvents, int[]? LocalTimes, FaultCounters Faults = default, long SpikesDelivered = 0,
    BatchTiming? Timing = null, long[]? StepSpikes = null);

/// <summary>
/// How an input message reached a partition, stamped by its host (an actor): milliseconds on the host's clock, except
/// <paramref name="SentMs"/>, which is on the sender's.
/// </summary>
/// <param name="SentMs">When the sender sent it (its clock).</param>
/// <param name="ArrivedMs">When it arrived at the host's process (deserialized; a local send: when it was sent).</param>
/// <param name="HandledMs">When the partition took it from its mailbox.</param>
/// <param name="WireBytes">What the serializer produced for it (0: a local send).</param>
public readonly record struct MessageStamp(double SentMs, double ArrivedMs, double HandledMs, long WireBytes);

/// <summary>One input message of a batch as the partition took it: its source, what it carried, its stamp.</summary>
public sealed record InputRecord(int SourceId, long Spikes, long PayloadBytes, MessageStamp Stamp);

/// <summary>A batch's time in a partition (Stopwatch ticks of the host) and the input messages that made it (stamped ones only).</summary>
/// <param name="DecodeTicks">Decoding, checking and merging the inputs.</param>
/// <param name="IntegrateTicks">Integrating them.</param>
/// <param name="FireEncodeTicks">Firing and pooling (or reading the potentials) and encoding the outgoing messages.</param>
public sealed record BatchTiming(IReadOnlyList<InputRecord> Inputs, long DecodeTicks, long IntegrateTicks, long FireEncodeTicks);

/// <summary>
/// The whole behaviour of a partition, without actors: it collects one message per incoming route for
/// a batch (in any arrival order), then merges them in canonical order, integrates, fires and returns
/// what to send. A partition actor only moves these messages. Replays: a message of an older attempt
/// than the one in progress (or completed) is stale and dropped; a newer attempt restarts the batch.
/// A message is checked whole before it changes anything: it must decode, and every neuron in it must be on
/// its source's route (a corrupt or forged message fails with <see cref="PayloadException"/>, and the batch
/// can still complete from the right messages). With the routes into a partition disjoint (checked when it is
/// built), the merge of a complete batch then cannot fail.
/// With a fault plan, the processor injects its stage's spike and neuron faults when it fires; their draws
/// are keyed by global sample index, so a batch's messages must say where the batch starts (firstSample).
/// Weight faults are not applied here: deploy the parameters of <see cref="IFaultInjection.ApplyWeightFaults"/>'s copy.
/// </summary>
public sealed class PartitionProcessor
{
    private readonly PartitionPlan _plan;
    private readonly Dictionary<int, int> _sourceSlot;            // source id -> index in Inputs
    private readonly NeuronSet[] _inputSets;                      // by slot: the neurons that source may send
    private readonly (Route Route, NeuronSet Neurons)[] _outputs;
    private readonly Dictionary<int, PendingBatch> _pending = [];
    private readonly Dictionary<int, int> _completedAttempt = [];
    private readonly int _sourceNeuronLimit;
    private readonly IStageFaultHook? _faults;
    private bool[] _inProcess;                                     // by output: the target takes the spikes themselves

    /// <exception cref="FaultPlanException">The fault plan does not fit the plan's network (the message names the entry).</exception>
    /// <exception cref="ArgumentException">Routes into the partition overlap or leave the source space (a hand-made plan).</exception>
    public PartitionProcessor(PartitionPlan plan, int partitionId, StageKernel kernel, InputMode inputMode, bool recordSpikes = false, IFaultInjection? faults = null)
    {
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        Kernel = kernel ?? throw new ArgumentNullException(nameof(kernel));
        if (partitionId < 0 || partitionId >= plan.Partitions.Count)
            throw new ArgumentOutOfRangeException(nameof(partitionId), partitionId, $"the plan has {plan.Partitions.Count} partitions");
        Partition = plan.Partitions[partitionId];
        if (Partition.Stage != kernel.Stage.Index || Partition.Block != kernel.Block)
            throw new ArgumentException($"the kernel is for stage {kernel.Stage.Index} {kernel.Block}, not for {Partition}");
        InputMode = inputMode;
        RecordSpikes = recordSpikes;
        Inputs = plan.RoutesTo(partitionId);
        _sourceSlot = Inputs.Select((r, i) => (r.SourceId, i)).ToDictionary(x => x.SourceId, x => x.i);
        _sourceNeuronLimit = kernel.Stage.InputShape.Size;
        CheckInputsDisjoint();
        _inputSets = Inputs.Select(r => new NeuronSet(r.Neurons)).ToArray();
        _outputs = plan.RoutesFrom(partitionId).Select(r => (r, new NeuronSet(r.Neurons))).ToArray();
        _inProcess = new bool[_outputs.Length];
        OutputNeurons = kernel.Stage.IsOutput ? kernel.LocalToGlobal : [];
        Faults = faults;
        faults?.Validate(plan.Network);
        _faults = faults?.ForKernel(kernel);
    }

    /// <summary>The injected faults; null: none.</summary>
    public IFaultInjection? Faults { get; }

    /// <summary>True when this partition's firing injects faults, so every batch needs its first sample index.</summary>
    public bool NeedsFirstSample => _faults is not null;

    public Partition Partition { get; }

    /// <summary>The plan the partition belongs to (a warm-up copy is built from it).</summary>
    internal PartitionPlan Plan => _plan;

    public StageKernel Kernel { get; }

    public InputMode InputMode { get; }

    public bool RecordSpikes { get; }

    /// <summary>Incoming routes, by source id; one message per route and batch is expected.</summary>
    public IReadOnlyList<Route> Inputs { get; }

    /// <summary>Outgoing target partition ids (empty for the output stage, which reports to the collector).</summary>
    public IEnumerable<int> Targets => _outputs.Select(o => o.Route.TargetId);

    /// <summary>Output stage: the global class index of each column of <see cref="PartitionOutput.Potentials"/>.</summary>
    public int[] OutputNeurons { get; }

    /// <summary>True when this partition receives the analog input (stage 0 with analog input mode).</summary>
    public bool TakesAnalogInput => Partition.Stage == 0 && InputMode == InputMode.Analog;

    /// <summary>Batches started but not complete.</summary>
    public int PendingBatches => _pending.Count;

    /// <summary>Messages dropped as stale or duplicate (replays).</summary>
    public long DroppedMessages { get; private set; }

    /// <summary>Offer an encoded spike message from one source; returns the output when it completed the batch.</summary>
    /// <param name="key">The batch and attempt.</param>
    /// <param name="sourceId">The sending partition (or the input injector).</param>
    /// <param name="sampleCount">Samples in the batch.</param>
    /// <param name="payload">The encoded spikes.</param>
    /// <param name="firstSample">Global index of the batch's first sample (batch id times the run's batch size); required when <see cref="NeedsFirstSample"/>.</param>
    /// <exception cref="PayloadException">The payload does not decode, or carries a neuron that is not on the source's route; nothing changed.</exception>
    /// <param name="stamp">How the message reached the host, for the batch's trace (null: not traced).</param>
    public PartitionOutput? AcceptSpikes(BatchKey key, int sourceId, int sampleCount, ReadOnlySpan<byte> payload, int? firstSample = null, MessageStamp? stamp = null)
    {
        if (TakesAnalogInput) throw new InvalidOperationException($"{Partition} takes analog input, not spikes");
        if (!_sourceSlot.TryGetValue(sourceId, out var slot))
            throw new InvalidOperationException($"{Partition} has no route from source {sourceId}");
        var started = Stopwatch.GetTimestamp();
        var spikes = SpikeCodec.Decode(payload, sampleCount, _sourceNeuronLimit, Window);
        CheckOnRoute(slot, spikes.Neurons, spikes.SampleOffsets);
        var input = new Arrival(stamp is { } st ? new InputRecord(sourceId, spikes.DeliveryCount, payload.Length, st) : null, Stopwatch.GetTimestamp() - started);
        return Accept(key, sourceId, slot, sampleCount, spikes, null, firstSample, input);
    }

    /// <summary>
    /// Offer the spikes of one source that reached this partition in process, never encoded (<see cref="LinkSend.InProcess"/>):
    /// checked as <see cref="AcceptSpikes(BatchKey, int, int, ReadOnlySpan{byte}, int?, MessageStamp?)"/> checks a decoded
    /// payload (<see cref="SpikeCodec.Check"/>, then the route), then taken exactly as a decoded one. The batch must not change
    /// afterwards (the sender made it for this message and keeps no reference).
    /// </summary>
    /// <param name="payloadBytes">What the payload would have been (<see cref="LinkSend.PayloadBytes"/>), for the trace.</param>
    /// <exception cref="PayloadException">The spikes break a check the decoder makes, or carry a neuron that is not on the source's route; nothing changed.</exception>
    public PartitionOutput? AcceptSpikes(BatchKey key, int sourceId, int sampleCount, SpikeBatch spikes, int payloadBytes, int? firstSample = null, MessageStamp? stamp = null)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        if (TakesAnalogInput) throw new InvalidOperationException($"{Partition} takes analog input, not spikes");
        if (!_sourceSlot.TryGetValue(sourceId, out var slot))
            throw new InvalidOperationException($"{Partition} has no route from source {sourceId}");
        var started = Stopwatch.GetTimestamp();
        SpikeCodec.Check(spikes, sampleCount, _sourceNeuronLimit, Window);
        CheckOnRoute(slot, spikes.Neurons, spikes.SampleOffsets);
        var input = new Arrival(stamp is { } st ? new InputRecord(sourceId, spikes.DeliveryCount, payloadBytes, st) : null, Stopwatch.GetTimestamp() - started);
        return Accept(key, sourceId, slot, sampleCount, spikes, null, firstSample, input);
    }

    private int Window => (Kernel.PresynapticKernel ?? throw new InvalidOperationException("no presynaptic kernel")).T;

    /// <summary>
    /// The targets whose messages carry the spikes themselves from now on (<see cref="LinkSend.InProcess"/>): those its host
    /// knows to be in the same process, where a message is never serialized. Any other target gets an encoded payload.
    /// </summary>
    /// <exception cref="ArgumentException">An id that is not one of <see cref="Targets"/>.</exception>
    public void SendInProcess(IEnumerable<int> targetIds)
    {
        ArgumentNullException.ThrowIfNull(targetIds);
        var chosen = targetIds.ToHashSet();
        var unknown = chosen.Except(Targets).ToArray();
        if (unknown.Length > 0) throw new ArgumentException($"{Partition} has no route to partition(s) {string.Join(", ", unknown)}");
        _inProcess = [.. _outputs.Select(o => chosen.Contains(o.Route.TargetId))];
    }

    /// <summary>Offer the encoded analog input of a batch (stage 0, analog mode); <paramref name="firstSample"/> as in <see cref="AcceptSpikes"/>.</summary>
    /// <exception cref="PayloadException">The payload does not decode, or carries an input outside the partition's route from the input; nothing changed.</exception>
    public PartitionOutput? AcceptAnalog(BatchKey key, int sampleCount, ReadOnlySpan<byte> payload, int? firstSample = null, MessageStamp? stamp = null)
    {
        if (!TakesAnalogInput) throw new InvalidOperationException($"{Partition} does not take analog input");
        if (!_sourceSlot.TryGetValue(PartitionPlan.InputSource, out var slot))
            throw new InvalidOperationException($"{Partition} has no route from the input");
        var started = Stopwatch.GetTimestamp();
        var events = SpikeCodec.DecodeAnalog(payload, sampleCount, _sourceNeuronLimit);
        CheckOnRoute(slot, events.Neurons, events.SampleOffsets);
        var input = new Arrival(stamp is { } st ? new InputRecord(PartitionPlan.InputSource, events.EventCount, payload.Length, st) : null, Stopwatch.GetTimestamp() - started);
        return Accept(key, PartitionPlan.InputSource, slot, sampleCount, null, events, firstSample, input);
    }

    /// <summary>Every decoded neuron must be one the route from that source carries: the decoder only knows the source space.</summary>
    private void CheckOnRoute(int slot, int[] neurons, int[] sampleOffsets)
    {
        var k = _inputSets[slot].IndexOfFirstNonMember(neurons, sampleOffsets);
        if (k < 0) return;
        var sample = 0;
        while (sampleOffsets[sample + 1] <= k) sample++;
        throw new PayloadException(
            $"{Partition}: {SourceName(Inputs[slot].SourceId)} sent neuron {neurons[k]} (sample {sample}), which is not on its route " +
            $"to this partition ({Inputs[slot].Neurons.Length} neurons); the message is rejected");
    }

    private static string SourceName(int sourceId) => sourceId == PartitionPlan.InputSource ? "the input" : $"source p{sourceId}";

    /// <summary>What a message's decoding cost and, when stamped, its record for the trace.</summary>
    private readonly record struct Arrival(InputRecord? Record, long DecodeTicks);

    private PartitionOutput? Accept(BatchKey key, int sourceId, int slot, int sampleCount, SpikeBatch? spikes, InputEvents? analog, int? firstSample, Arrival arrival)
    {
        if (firstSample < 0) throw new ArgumentOutOfRangeException(nameof(firstSample), firstSample, "a sample index is >= 0");
        if (_completedAttempt.TryGetValue(key.BatchId, out var done) && key.Attempt <= done)
        {
            DroppedMessages++;
            return null;
        }

        // Every check comes before the first change, so a refused message leaves the batch as it was.
        // current: the batch of this attempt in progress; null when this message starts it (first message or a newer attempt).
        _pending.TryGetValue(key.BatchId, out var pending);
        if (pending is not null && key.Attempt < pending.Attempt)
        {
            DroppedMessages++;
            return null;
        }

        var current = pending is not null && pending.Attempt == key.Attempt ? pending : null;
        if (current is not null)
        {
            if (current.SampleCount != sampleCount)
                throw new InvalidOperationException($"{Partition} {key}: source {sourceId} sent {sampleCount} samples, others {current.SampleCount}");
            if (current.Received[slot])
            {
                DroppedMessages++;
                return null;
            }

            if (firstSample is { } first && current.FirstSample is { } known && known != first)
                throw new InvalidOperationException($"{Partition} {key}: source {sourceId} says the batch starts at sample {first}, another source said {known}");
        }

        var completes = (current?.Count ?? 0) + 1 == Inputs.Count;
        if (completes && _faults is not null && (firstSample ?? current?.FirstSample) is null)
            throw new InvalidOperationException($"{Partition} {key}: the fault plan needs the batch's first sample index (pass firstSample = batch id x batch size)");
        if (RecordSpikes && !Kernel.Stage.IsOutput) SpikeTraceSize.Elements(sampleCount, Kernel.LocalNeuronCount, Partition.Stage);

        if (current is null)
        {
            current = new PendingBatch(key.Attempt, sampleCount, Inputs.Count);
            _pending[key.BatchId] = current;
        }

        pending = current;
        pending.FirstSample ??= firstSample;
        pending.Received[slot] = true;
        pending.Spikes[slot] = spikes;
        pending.Analog = analog ?? pending.Analog;
        pending.Count++;
        pending.DecodeTicks += arrival.DecodeTicks;
        if (arrival.Record is { } record) pending.Arrivals.Add(record);
        if (pending.Count < Inputs.Count) return null;

        _pending.Remove(key.BatchId);
        _completedAttempt[key.BatchId] = key.Attempt;
        return Process(key, pending);
    }

    /// <summary>
    /// Refuses incoming routes that share a neuron or leave the source space. The planner never makes such routes;
    /// a hand-made plan could, and then a neuron both sources send would pass both route checks and fail the merge
    /// only after the batch was committed. The mask is temporary: one bool per neuron of the source space.
    /// </summary>
    private void CheckInputsDisjoint()
    {
        var taken = new bool[_sourceNeuronLimit];
        foreach (var route in Inputs)
        {
            foreach (var n in route.Neurons)
            {
                if ((uint)n >= (uint)taken.Length)
                    throw new ArgumentException($"{Partition}: the route from {SourceName(route.SourceId)} carries neuron {n}, outside the source's {taken.Length} neurons");
                if (taken[n])
                {
                    var other = Inputs.First(r => !ReferenceEquals(r, route) && Array.BinarySearch(r.Neurons, n) >= 0);
                    throw new ArgumentException($"{Partition}: the routes from {SourceName(other.SourceId)} and {SourceName(route.SourceId)} both carry neuron {n}; a neuron has one owner");
                }

                taken[n] = true;
            }
        }
    }

    /// <summary>Forget a batch (the run ended or gave up on it).</summary>
    public void Discard(int batchId) => _pending.Remove(batchId);

    private PartitionOutput Process(BatchKey key, PendingBatch pending)
    {
        var n = pending.SampleCount;
        var started = Stopwatch.GetTimestamp();
        InputEvents events;
        if (pending.Analog is not null)
        {
            events = pending.Analog;
        }
        else
        {
            // Sources are merged into ascending presynaptic order: the sum is the same whatever the arrival order.
            var merged = SpikeBatch.Merge(pending.Spikes.Select(s => s!).ToArray());
            events = InputEvents.FromSpikes(merged, Kernel.PresynapticKernel!);
        }

        var decoded = Stopwatch.GetTimestamp();
        // With RecordSpikes the step allocates the local times; their size was checked in Accept, before the batch was committed.
        var step = Kernel.Step(events, TakesAnalogInput, pending.FirstSample ?? 0, _faults, RecordSpikes);
        BatchTiming Timing() => new(pending.Arrivals, pending.DecodeTicks + (decoded - started), step.IntegrateTicks,
            Stopwatch.GetTimestamp() - decoded - step.IntegrateTicks);
        if (step.Fired is not { } fired)
        {
            return new PartitionOutput(key, n, [], step.Potentials, 0, step.SynOps, step.AnalogEvents, null, Timing: Timing());
        }

        var sends = new LinkSend[_outputs.Length];
        for (var i = 0; i < _outputs.Length; i++)
        {
            var filtered = fired.Spikes.Where(_outputs[i].Neurons);
            var target = _outputs[i].Route.TargetId;
            sends[i] = _inProcess[i] ? LinkSend.InProcess(target, filtered) : new LinkSend(target, checked((int)filtered.DeliveryCount), SpikeCodec.Encode(filtered));
        }

        return new PartitionOutput(key, n, sends, null, fired.SpikeCount, step.SynOps, step.AnalogEvents, step.LocalTimes, fired.Faults, fired.Spikes.DeliveryCount,
            Timing(), fired.StepSpikes);
    }

    private sealed class PendingBatch(int attempt, int sampleCount, int sources)
    {
        public int Attempt { get; } = attempt;
        public int SampleCount { get; } = sampleCount;
        public bool[] Received { get; } = new bool[sources];
        public SpikeBatch?[] Spikes { get; } = new SpikeBatch?[sources];
        public InputEvents? Analog { get; set; }
        public int? FirstSample { get; set; }
        public int Count { get; set; }
        public long DecodeTicks { get; set; }
        public List<InputRecord> Arrivals { get; } = [];
    }
}
