using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Distributed;

/// <summary>What one partition reports to the collector for one batch.</summary>
/// <param name="PartitionId">The reporting partition.</param>
/// <param name="Key">The batch and attempt.</param>
/// <param name="SampleCount">Samples in the batch.</param>
/// <param name="Spikes">Spikes of its own neurons.</param>
/// <param name="SynOps">Spike-driven synaptic events.</param>
/// <param name="AnalogEvents">Analog-input-driven synaptic events.</param>
/// <param name="Potentials">Output partitions: [sample][local neuron] potentials.</param>
/// <param name="LocalTimes">When recording: [sample][local neuron] spike times.</param>
/// <param name="Links">Traffic of its outgoing links for this batch.</param>
/// <param name="Faults">How often each injected fault acted in it for this batch (see <see cref="PartitionOutput.Faults"/>).</param>
/// <param name="SpikesDelivered">Pooled spikes it sent on, each once whatever its number of targets, a duplicated spike once per copy (see <see cref="PartitionOutput.SpikesDelivered"/>).</param>
/// <param name="StepSpikes">A hidden partition: its spikes per time step of the window (see <see cref="PartitionOutput.StepSpikes"/>).</param>
/// <param name="Trace">The batch's timing and stamped inputs, on the reporting host's clock (null: not traced).</param>
public sealed record PartitionReport(int PartitionId, BatchKey Key, int SampleCount, long Spikes, long SynOps, long AnalogEvents,
    float[]? Potentials, int[]? LocalTimes, IReadOnlyList<LinkTraffic> Links, FaultCounters Faults = default, long SpikesDelivered = 0,
    long[]? StepSpikes = null, PartitionBatchTrace? Trace = null)
{
    /// <param name="doneMs">When given (the host's <see cref="TraceClock"/>, as the report leaves), the report carries the batch's trace.</param>
    public static PartitionReport From(int partitionId, PartitionOutput output, double? doneMs = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new PartitionReport(partitionId, output.Key, output.SampleCount, output.Spikes, output.SynOps, output.AnalogEvents,
            output.Potentials, output.LocalTimes, output.Sends.Select(s => new LinkTraffic(partitionId, s.TargetId, 1, s.SpikeCount, s.PayloadBytes)).ToArray(),
            output.Faults, output.SpikesDelivered, output.StepSpikes,
            doneMs is { } done && output.Timing is { } t
                ? new PartitionBatchTrace(t.Inputs, TraceClock.Ms(t.DecodeTicks), TraceClock.Ms(t.IntegrateTicks), TraceClock.Ms(t.FireEncodeTicks), done)
                : null);
    }
}

/// <summary>A partition's trace of one batch, milliseconds on its host's clock (<see cref="TraceClock"/>).</summary>
/// <param name="Inputs">Its input messages with their stamps.</param>
/// <param name="DoneMs">When its report left.</param>
public sealed record PartitionBatchTrace(IReadOnlyList<InputRecord> Inputs, double DecodeMs, double IntegrateMs, double FireEncodeMs, double DoneMs);

/// <summary>Traffic on one link (source partition -> target partition; source -1 = the input injector).</summary>
public sealed record LinkTraffic(int SourceId, int TargetId, long Messages, long Spikes, long PayloadBytes);

/// <summary>
/// The collector's book: a batch is complete when every partition has reported the batch's current
/// attempt (the ledger's); then its outputs, counts, traffic and (when recording) spike times go into
/// the run result and the ledger marks it done. Reports of another attempt, or of a batch already
/// done (a replay racing the original), are dropped and counted.
/// </summary>
public sealed class RunCollector
{
    private readonly PartitionPlan _plan;
    private readonly int[][] _localToGlobal;      // per partition: where its local neurons sit in the stage
    private readonly SimulationResultBuilder _result;
    private readonly Dictionary<int, (int Attempt, Dictionary<int, PartitionReport> Reports)> _open = [];
    private readonly RunLedger _ledger;
    private readonly Dictionary<(int, int), LinkTraffic> _traffic = [];
    private readonly int _batchSize;
    private readonly int _classes;

    /// <param name="trace">Where completed batches' per-step spike counts go (null: nowhere).</param>
    public RunCollector(SnnModel model, PartitionPlan plan, RunLedger ledger, bool recordSpikes, RunTrace? trace = null)
    {
        Trace = trace;
        ArgumentNullException.ThrowIfNull(model);
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _batchSize = ledger.BatchSize;
        var sampleCount = ledger.SampleCount;
        _classes = model.Network.ClassCount;
        _localToGlobal = plan.Partitions.Select(p => StageKernel.LocalToGlobalOf(model.Network.Stages[p.Stage], p.Block)).ToArray();
        _result = new SimulationResultBuilder(model.Network, model.T, sampleCount, recordSpikes, model.InputMode == InputMode.Analog);
        RecordSpikes = recordSpikes;
    }

    public bool RecordSpikes { get; }

    public RunTrace? Trace { get; }

    public long DuplicateReports { get; private set; }

    /// <summary>Takes a report; returns true when it completed its batch (the ledger then has a free credit).</summary>
    public bool Accept(PartitionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var batch = report.Key.BatchId;
        if (batch < 0 || batch >= _ledger.BatchCount)
            throw new ArgumentOutOfRangeException(nameof(report), batch, $"the run has {_ledger.BatchCount} batches");
        if (_ledger.IsDone(batch) || report.Key.Attempt != _ledger.CurrentAttempt(batch)) { DuplicateReports++; return false; }
        CheckShape(report);
        if (!_open.TryGetValue(batch, out var open) || open.Attempt != report.Key.Attempt)
        {
            open = (report.Key.Attempt, new Dictionary<int, PartitionReport>());
            _open[batch] = open;
        }

        if (!open.Reports.TryAdd(report.PartitionId, report)) { DuplicateReports++; return false; }
        if (open.Reports.Count < _plan.Partitions.Count) return false;

        _open.Remove(batch);
        Complete(batch, open.Reports.Values);
        return _ledger.Complete(report.Key);
    }

    /// <summary>A report whose sizes do not fit its partition and batch (a bug or a forged message) is refused before it counts.</summary>
    private void CheckShape(PartitionReport report)
    {
        if (report.PartitionId < 0 || report.PartitionId >= _plan.Partitions.Count)
            throw new ArgumentException($"a report names partition {report.PartitionId}; the plan has 0..{_plan.Partitions.Count - 1}", nameof(report));
        var n = _ledger.Samples(report.Key.BatchId).Count;
        var local = _localToGlobal[report.PartitionId].Length;
        var isOutput = _plan.Partitions[report.PartitionId].Stage == _plan.Network.Stages.Count - 1;
        string? wrong = null;
        if (report.SampleCount != n) wrong = $"{report.SampleCount} samples, batch {report.Key.BatchId} has {n}";
        else if (isOutput != report.Potentials is not null) wrong = isOutput ? "no output potentials from an output partition" : "output potentials from a hidden partition";
        else if (report.Potentials is { } p && p.Length != n * local) wrong = $"{p.Length} potentials, expected {n} x {local}";
        else if (report.LocalTimes is { } t && t.Length != n * local) wrong = $"{t.Length} spike times, expected {n} x {local}";
        if (wrong is not null)
            throw new ArgumentException($"report of partition {report.PartitionId} for batch {report.Key.BatchId}: {wrong}", nameof(report));
    }

    private void Complete(int batch, IEnumerable<PartitionReport> reports)
    {
        var first = batch * _batchSize;
        int? n = null;
        float[]? potentials = null;
        foreach (var report in reports.OrderBy(r => r.PartitionId))
        {
            n ??= report.SampleCount;
            potentials ??= new float[n.Value * _classes];
            var partition = _plan.Partitions[report.PartitionId];
            var map = _localToGlobal[report.PartitionId];
            if (partition.Stage < _result.SpikingStages) _result.AddSpikes(partition.Stage, report.Spikes);
            if (report.StepSpikes is { } steps) Trace?.AddStepSpikes(partition.Stage, steps);
            _result.AddSynOps(report.SynOps);
            _result.AddAnalogInputEvents(report.AnalogEvents);
            _result.AddSpikesDelivered(report.SpikesDelivered);
            _result.AddFaults(report.Faults);
            if (report.Potentials is not null)
            {
                for (var s = 0; s < n.Value; s++)
                {
                    for (var p = 0; p < map.Length; p++) potentials[(s * _classes) + map[p]] = report.Potentials[(s * map.Length) + p];
                }
            }

            if (report.LocalTimes is not null && _result.SpikeTrace(partition.Stage) is { } trace)
                StageKernel.WriteTrace(map, _plan.Network.Stages[partition.Stage].ConvShape.Size, report.LocalTimes, n.Value, trace, first);

            foreach (var link in report.Links)
            {
                var key = (link.SourceId, link.TargetId);
                _traffic[key] = _traffic.TryGetValue(key, out var t)
                    ? t with { Messages = t.Messages + link.Messages, Spikes = t.Spikes + link.Spikes, PayloadBytes = t.PayloadBytes + link.PayloadBytes }
                    : link;
            }
        }

        _result.AddOutputs(first, n!.Value, potentials);
    }

    /// <summary>Adds the injector's traffic (it is not a partition and sends no report).</summary>
    public void AddInputTraffic(IEnumerable<LinkTraffic> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        foreach (var link in links)
        {
            var key = (link.SourceId, link.TargetId);
            _traffic[key] = _traffic.TryGetValue(key, out var t)
                ? t with { Messages = t.Messages + link.Messages, Spikes = t.Spikes + link.Spikes, PayloadBytes = t.PayloadBytes + link.PayloadBytes }
                : link;
        }
    }

    /// <summary>Traffic per link over the completed batches, ordered by source then target.</summary>
    public IReadOnlyList<LinkTraffic> Traffic => _traffic.Values.OrderBy(t => t.SourceId).ThenBy(t => t.TargetId).ToArray();

    /// <summary>Adds the weight faults' counters (<see cref="FaultedModel.Counters"/>): they act once per run, not per batch, so no partition reports them.</summary>
    public void AddWeightFaults(FaultCounters counters) => _result.AddFaults(counters);

    public SimulationResult BuildResult() => _result.Build();
}
