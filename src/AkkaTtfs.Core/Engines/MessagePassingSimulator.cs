using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Engines;

/// <summary>A message-passing drill: how the simulated network misbehaves (the run's result must not change).</summary>
/// <param name="ShuffleSeed">If set, messages are delivered in a seeded random order (reordering across batches, links and layers).</param>
/// <param name="CrashAtDeliveries">Crash drill: after each of these delivery counts every partition loses its state and the in-flight batches are replayed.</param>
public sealed record MessagePassingDrill(int? ShuffleSeed = null, IReadOnlyList<int>? CrashAtDeliveries = null)
{
    public static MessagePassingDrill None { get; } = new();
}

/// <summary>
/// The actor runtime's protocol in one thread, without Akka: an injector, one <see cref="PartitionProcessor"/>
/// per partition (<see cref="SimulationOptions.Partitions"/>, required), a collector and a ledger with
/// <see cref="SimulationOptions.MaxInFlight"/> credits, exchanging the encoded messages through a queue that may
/// deliver them in any order and may lose every partition's state (then the ledger replays the batches in
/// flight): see <see cref="MessagePassingDrill"/>. Whatever the order and the crashes, the result must be
/// bit-identical to <see cref="EventDrivenSimulator"/>; this is the contract the actors implement. It does not
/// report <see cref="SimulationOptions.Progress"/> (batches complete out of order).
/// </summary>
/// <param name="drill">Delivery order and crashes; null: in order, no crash.</param>
public sealed class MessagePassingSimulator(MessagePassingDrill? drill = null) : ISimulationEngine
{
    public MessagePassingDrill Drill { get; } = drill ?? MessagePassingDrill.None;

    /// <summary>Messages delivered in the last run.</summary>
    public long Deliveries { get; private set; }

    /// <summary>Crashes replayed in the last run.</summary>
    public long Replays { get; private set; }

    /// <summary>Traffic per link of the last run.</summary>
    public IReadOnlyList<LinkTraffic> Traffic { get; private set; } = [];

    private sealed record Message(int TargetId, BatchKey Key, int SourceId, int SampleCount, bool Analog, byte[] Payload);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">No partition plan, a plan for another network, inputs or faults that do not fit the model.</exception>
    public SimulationResult Run(SnnModel model, SimulationInputs inputs, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        var plan = options.RequirePartitions(model, "message-passing simulator");
        inputs.CheckFits(model);
        // As a coordinator does: weight faults once, on a copy; partitions are deployed from the copy.
        var deployed = model;
        FaultCounters weightFaults = default;
        if (options.Faults is { } faults) (deployed, weightFaults) = faults.ApplyWeightFaults(model);
        Deliveries = 0;
        Replays = 0;
        var count = inputs.Count;
        var inputSize = model.Network.Input.Size;
        var ledger = new RunLedger(count, options.BatchSize, options.MaxInFlight);
        var collector = new RunCollector(model, plan, ledger, options.RecordSpikes);
        collector.AddWeightFaults(weightFaults);
        var injector = new BatchInjector(model, plan);
        PartitionProcessor[] NewProcessors() => NewProcessorsOf(deployed, plan, options);
        var processors = NewProcessors();
        var queue = new List<Message>();
        var rng = Drill.ShuffleSeed is { } seed ? new Random(seed) : null;
        var crashes = new HashSet<long>((Drill.CrashAtDeliveries ?? []).Select(c => (long)c));

        void Send(BatchKey key)
        {
            var (first, n) = ledger.Samples(key.BatchId);
            var sends = injector.Prepare(inputs.Samples(first, n, inputSize), n);
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
                processors = NewProcessors();
                foreach (var key in ledger.ReplayInFlight()) Send(key);
                Replays++;
            }
        }

        Traffic = collector.Traffic;
        return collector.BuildResult();
    }

    /// <summary>Processors built the way a deployed partition builds its own: from a <see cref="PartitionSetup"/> and its parameters.</summary>
    private static PartitionProcessor[] NewProcessorsOf(SnnModel deployed, PartitionPlan plan, SimulationOptions options) =>
        plan.Partitions.Select(p => PartitionSetup.For(deployed, plan, p.Id).Build(PartitionSetup.Parameters(deployed, plan, p.Id), options.RecordSpikes, options.Faults)).ToArray();
}
