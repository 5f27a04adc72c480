using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Engines;

/// <summary>Options of a message-passing run.</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="MaxInFlight">Credits: batches in flight at most.</param>
/// <param name="RecordSpikes">Collect every spike time.</param>
/// <param name="ShuffleSeed">If set, messages are delivered in a seeded random order (reordering across batches, links and layers).</param>
/// <param name="CrashAtDeliveries">Crash drill: after each of these delivery counts every partition loses its state and the in-flight batches are replayed.</param>
public sealed record MessagePassingOptions(int BatchSize = 16, int MaxInFlight = 4, bool RecordSpikes = false, int? ShuffleSeed = null, IReadOnlyList<int>? CrashAtDeliveries = null);

/// <summary>
/// The actor runtime's protocol in one thread, without Akka: an injector, one <see cref="PartitionProcessor"/>
/// per partition, a collector and a ledger with credits, exchanging the encoded messages through a
/// queue that may deliver them in any order and may lose every partition's state (then the ledger
/// replays the batches in flight). Whatever the order and the crashes, the result must be bit-identical
/// to <see cref="EventDrivenSimulator"/>; this is the contract the actors implement.
/// </summary>
public sealed class MessagePassingSimulator
{
    private readonly SnnModel _model;
    private readonly PartitionPlan _plan;
    private readonly FaultPlan? _faults;
    private readonly SnnModel _deployed;          // the model whose parameters partitions receive (weight faults applied)
    private readonly FaultCounters _weightFaults;

    /// <summary>The protocol for <paramref name="model"/> cut by <paramref name="plan"/>, with the faults of <paramref name="faults"/> injected if given.</summary>
    /// <exception cref="FaultPlanException">The fault plan does not fit the model (the message names the entry).</exception>
    public MessagePassingSimulator(SnnModel model, PartitionPlan plan, FaultPlan? faults = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        _faults = faults;
        _deployed = model;
        if (faults is not null)
        {
            // As a coordinator does: weight faults once, on a copy; partitions are deployed from the copy.
            var faulted = faults.ApplyWeightFaults(model);
            _deployed = faulted.Model;
            _weightFaults = faulted.Counters;
        }
    }

    public long Deliveries { get; private set; }

    public long Replays { get; private set; }

    public IReadOnlyList<LinkTraffic> Traffic { get; private set; } = [];

    private sealed record Message(int TargetId, BatchKey Key, int SourceId, int SampleCount, bool Analog, byte[] Payload);

    public SimulationResult Run(float[] inputs, int count, MessagePassingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new MessagePassingOptions();
        var inputSize = _model.Network.Input.Size;
        var ledger = new RunLedger(count, options.BatchSize, options.MaxInFlight);
        var collector = new RunCollector(_model, _plan, ledger, options.RecordSpikes);
        collector.AddWeightFaults(_weightFaults);
        var injector = new BatchInjector(_model, _plan);
        var processors = NewProcessors(options.RecordSpikes);
        var queue = new List<Message>();
        var rng = options.ShuffleSeed is { } seed ? new Random(seed) : null;
        var crashes = new HashSet<long>((options.CrashAtDeliveries ?? []).Select(c => (long)c));

        void Send(BatchKey key)
        {
            var (first, n) = ledger.Samples(key.BatchId);
            var sends = injector.Prepare(inputs.AsSpan(first * inputSize, n * inputSize), n);
            foreach (var s in sends) queue.Add(new Message(s.TargetId, key, PartitionPlan.InputSource, n, s.IsAnalog, s.Payload));
            if (key.Attempt == 0)
                collector.AddInputTraffic(sends.Select(s => new LinkTraffic(PartitionPlan.InputSource, s.TargetId, 1, s.EventCount, s.Payload.Length)));
        }

        foreach (var key in ledger.TakeSendable()) Send(key);
        while (!ledger.IsComplete)
        {
            if (queue.Count == 0) throw new InvalidOperationException($"the run stalled with {ledger.InFlight} batches in flight");
            var index = rng is null ? 0 : rng.Next(queue.Count);
            var message = queue[index];
            queue.RemoveAt(index);
            Deliveries++;

            var processor = processors[message.TargetId];
            // What an actor passes: the batch's first global sample, batch id x batch size (the ledger's split).
            var firstSample = ledger.Samples(message.Key.BatchId).First;
            var output = message.Analog
                ? processor.AcceptAnalog(message.Key, message.SampleCount, message.Payload, firstSample)
                : processor.AcceptSpikes(message.Key, message.SourceId, message.SampleCount, message.Payload, firstSample);
            if (output is not null)
            {
                foreach (var send in output.Sends)
                    queue.Add(new Message(send.TargetId, output.Key, message.TargetId, output.SampleCount, false, send.Payload));
                if (collector.Accept(PartitionReport.From(message.TargetId, output)))
                {
                    foreach (var key in ledger.TakeSendable()) Send(key);
                }
            }

            if (crashes.Contains(Deliveries))
            {
                // Every partition loses its state; messages already queued stay queued (they are now stale).
                processors = NewProcessors(options.RecordSpikes);
                foreach (var key in ledger.ReplayInFlight()) Send(key);
                Replays++;
            }
        }

        Traffic = collector.Traffic;
        return collector.BuildResult();
    }

    /// <summary>Processors built the way a deployed partition builds its own: from a <see cref="PartitionSetup"/> and its parameters.</summary>
    private PartitionProcessor[] NewProcessors(bool record) =>
        _plan.Partitions.Select(p => PartitionSetup.For(_deployed, _plan, p.Id).Build(PartitionSetup.Parameters(_deployed, _plan, p.Id), record, _faults)).ToArray();
}
