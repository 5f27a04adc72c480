namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// What a cluster run recorded over time: one row per link x batch x attempt and per partition x batch x attempt,
/// the coordinator's in-flight samples, each node's clock offset, and the per-layer spike histogram over the
/// window's time steps. The collector fills it; the aggregations below are pure.
/// </summary>
public sealed class RunTrace
{
    private readonly List<LinkBatchRow> _links = [];
    private readonly List<PartitionBatchRow> _partitions = [];
    private readonly List<InFlightSample> _inFlight = [];
    private readonly long[][] _stepSpikes;
    private double _lastMs;

    /// <param name="hiddenStages">Spiking (hidden) stages of the network.</param>
    /// <param name="window">Time steps of a firing window (T).</param>
    public RunTrace(int hiddenStages, int window)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hiddenStages);
        ArgumentOutOfRangeException.ThrowIfNegative(window);
        _stepSpikes = [.. Enumerable.Range(0, hiddenStages).Select(_ => new long[window])];
    }

    public IReadOnlyList<LinkBatchRow> Links => _links;

    public IReadOnlyList<PartitionBatchRow> Partitions => _partitions;

    public IReadOnlyList<InFlightSample> InFlight => _inFlight;

    /// <summary>Per hidden stage and time step of its window: spikes of its own neurons (before pooling), over the completed batches.</summary>
    public IReadOnlyList<IReadOnlyList<long>> StepSpikes => _stepSpikes;

    /// <summary>Each node's clock against the coordinator's, as estimated at the start.</summary>
    public IReadOnlyList<ClockOffset> ClockOffsets { get; set; } = [];

    /// <summary>Total time the coordinator had batches to send and no credit.</summary>
    public double CreditBlockedMs { get; private set; }

    public void Add(LinkBatchRow row) => _links.Add(row ?? throw new ArgumentNullException(nameof(row)));

    public void Add(PartitionBatchRow row) => _partitions.Add(row ?? throw new ArgumentNullException(nameof(row)));

    /// <summary>Records the coordinator's state when it changed; time blocked on credit accumulates between samples.</summary>
    public void Add(InFlightSample sample)
    {
        if (_inFlight.Count > 0)
        {
            var last = _inFlight[^1];
            if (sample.Ms < _lastMs) throw new ArgumentException($"in-flight sample at {sample.Ms} ms is before the previous one at {_lastMs} ms", nameof(sample));
            if (last.CreditBlocked) CreditBlockedMs += sample.Ms - _lastMs;
            _lastMs = sample.Ms;
            if (last with { Ms = sample.Ms } == sample) return;     // no change: one row per change
        }

        _lastMs = sample.Ms;
        _inFlight.Add(sample);
    }

    /// <summary>
    /// Books a traced report (every attempt, also one that came too late to count): one row per input message and one for
    /// the partition. <paramref name="node"/> is where the partition ran when it reported; a source's node is where it runs
    /// now (<paramref name="nodeOfSource"/>; the injector's: the coordinator's). A link crosses processes when its ends are
    /// on different nodes; a local link's wire bytes are 0. Times go onto the coordinator's clock through each node's
    /// offset (<paramref name="clockOf"/>) and count from <paramref name="originMs"/>. Returns false (nothing booked) for an untraced report.
    /// </summary>
    public bool Record(PartitionReport report, int stage, int node, Func<int, int> nodeOfSource, Func<int, ClockOffset> clockOf, double originMs)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(nodeOfSource);
        ArgumentNullException.ThrowIfNull(clockOf);
        if (report.Trace is not { } trace) return false;
        var here = clockOf(node);
        double first = double.PositiveInfinity, last = double.NegativeInfinity, mailbox = 0;
        foreach (var input in trace.Inputs)
        {
            var from = nodeOfSource(input.SourceId);
            var cross = from != node;
            var s = input.Stamp;
            var received = here.ToLocal(s.HandledMs) - originMs;
            first = Math.Min(first, received);
            last = Math.Max(last, received);
            mailbox += Math.Max(0, s.HandledMs - s.ArrivedMs);
            _links.Add(new LinkBatchRow(report.Key.BatchId, report.Key.Attempt, input.SourceId, report.PartitionId, from, node, cross,
                input.Spikes, input.PayloadBytes, cross ? s.WireBytes : 0, clockOf(from).ToLocal(s.SentMs) - originMs, received));
        }

        var done = here.ToLocal(trace.DoneMs) - originMs;
        if (trace.Inputs.Count == 0) first = last = done;
        _partitions.Add(new PartitionBatchRow(report.PartitionId, stage, report.Key.BatchId, report.Key.Attempt, node, first, last,
            trace.DecodeMs, trace.IntegrateMs, trace.FireEncodeMs, mailbox, done));
        return true;
    }

    /// <summary>Adds one completed batch's per-step spike counts of a partition of hidden stage <paramref name="stage"/>.</summary>
    public void AddStepSpikes(int stage, IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if ((uint)stage >= (uint)_stepSpikes.Length) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"the network has {_stepSpikes.Length} hidden stages");
        var into = _stepSpikes[stage];
        if (counts.Count != into.Length) throw new ArgumentException($"{counts.Count} step counts for a window of {into.Length}", nameof(counts));
        for (var t = 0; t < into.Length; t++) into[t] += counts[t];
    }
}
