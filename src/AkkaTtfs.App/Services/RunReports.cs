using AkkaTtfs.Core.Engines;
using System.Globalization;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>Builds the typed report of a cluster run from its outcome, and writes links.csv.</summary>
public static class RunReports
{
    /// <param name="traceNote">What the traffic instrument could not record in this run (report.json's traffic.instrument.note).</param>
    public static RunReport Build(SnnModel model, PartitionPlan plan, RunOutcome outcome, byte[] labels, ResultComparison? verification, double referenceSeconds,
        string traceNote = "")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(outcome);
        var result = outcome.Result;
        var n = result.SampleCount;
        return new RunReport(
            model.Network.Architecture, n, result.Accuracy(labels), result.SpikesPerSample, ResultMetrics.SpikesPerLayer(result), result.SynOpsPerSample,
            EnergyReport.Of(EnergyModel.Default, model.Network, result),
            verification?.IsIdentical,
            plan.Spec, plan.Partitions.Count, outcome.Nodes, outcome.NodeOfPartition,
            outcome.DeployTime.TotalSeconds, outcome.RunTime.TotalSeconds, n / Math.Max(outcome.RunTime.TotalSeconds, 1e-9), referenceSeconds,
            TraceFields(Traffic(outcome), outcome, traceNote), Recovery(outcome))
        {
            ReferenceDifferences = verification is { IsIdentical: false } ? verification.Differences.Select(d => d.ToString()).ToArray() : null,
            NodeMemory = NodeMemoryReport.Of(outcome),
        };
    }

    public static RecoveryReport Recovery(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new RecoveryReport(
            outcome.Restarts.Select(r => new RestartReport(r.Partition, r.Node)).ToArray(),
            outcome.ReplayedBatches,
            outcome.TimeoutReplays,
            outcome.Recoveries.Select(r => new RecoveryWindowReport(r.Noticed.TotalSeconds, r.Recovered.TotalSeconds)).ToArray(),
            outcome.DuplicateReports,
            outcome.RuntimeFaults.Select(f => new RuntimeFaultReport(f.Index, f.What, f.At.TotalSeconds, f.Skipped)).ToArray());
    }

    /// <summary>Spike payload bytes per spike over the partition-to-partition links (the injector's analog input excluded).</summary>
    public static double PayloadBytesPerSpike(IReadOnlyList<LinkTraffic> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var spikeLinks = links.Where(l => l.SourceId >= 0).ToArray();
        var spikes = spikeLinks.Sum(l => l.Spikes);
        return spikes == 0 ? 0 : (double)spikeLinks.Sum(l => l.PayloadBytes) / spikes;
    }

    /// <summary>
    /// The run folder's traffic files (TrafficFiles): links.csv always, the rest when the run recorded a trace.
    /// <paramref name="perStep"/>: Core's traffic model over the run, for spike-times.csv's per-step alternative (null: not computed).
    /// </summary>
    public static void WriteTrafficFiles(string folder, RunOutcome outcome, PartitionPlan plan, TrafficPrediction? perStep)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Trace is { } trace) TrafficFiles.Write(folder, outcome, plan, trace, perStep);
        else TrafficFiles.WriteLinks(Path.Combine(folder, TrafficFiles.Links), outcome, plan, null);
    }

    /// <summary>
    /// Reference spike times cost 4 bytes per hidden neuron and sample; above this many the per-step alternative and the
    /// traffic-placement prediction are skipped. 32 M (128 MB) covers the main job (2,000 samples x 11,008 hidden neurons
    /// of mnist-cnn = 22 M) and still bounds bigger models and sample counts.
    /// </summary>
    public const long MaxReferenceSpikeTimes = 32_000_000;

    /// <summary>True when a reference run of <paramref name="samples"/> may record spike times for the per-step alternative (memory stays modest).</summary>
    public static bool CanRecordReferenceSpikes(SnnModel model, int samples)
    {
        ArgumentNullException.ThrowIfNull(model);
        return (long)samples * model.Network.Stages.Take(model.Network.Stages.Count - 1).Sum(s => (long)s.ConvShape.Size) <= MaxReferenceSpikeTimes;
    }

    /// <summary>The traffic fields only the trace gives (cross-node bytes, latencies, clock offsets, replays); unchanged without a trace.</summary>
    public static TrafficReport TraceFields(TrafficReport traffic, RunOutcome outcome, string note)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Trace is not { } trace) return traffic;
        var rows = trace.Links;
        var samples = Math.Max(outcome.Result.SampleCount, 1);
        var payload = rows.Sum(r => r.PayloadBytes);
        var cross = rows.Where(r => r.CrossProcess).Sum(r => r.PayloadBytes);
        var latencies = rows.Select(r => r.LatencyMs).ToArray();
        var batches = TraceAggregation.BatchLatencies(rows, trace.Partitions);
        var (replayMessages, replayBytes) = TraceAggregation.Replays(rows);
        return traffic with
        {
            CrossNodePayloadBytes = cross,
            CrossNodeShare = payload == 0 ? 0 : (double)cross / payload,
            PayloadBytesPerSample = (double)payload / samples,
            WireBytesPerSample = (double)rows.Sum(r => r.WireBytes) / samples,
            LatencyMs = latencies.Length == 0 ? null : new LatencyReport(Statistics.Percentile(latencies, 50), Statistics.Percentile(latencies, 90),
                Statistics.Percentile(latencies, 99), latencies.Max()),
            BatchLatencyMs = batches.Count == 0 ? null : new BatchLatencyReport(Statistics.Percentile(batches, 50), Statistics.Percentile(batches, 99)),
            ClockOffsets = [.. trace.ClockOffsets.Select(ClockOffsetReport.Of)],
            Replays = new ReplayTrafficReport(replayMessages, replayBytes),
            Instrument = new InstrumentReport(rows.Count + trace.Partitions.Count + trace.InFlight.Count,
                "payload_bytes_per_sample, wire bytes, latencies and the matrices count every recorded message, replays included; a message whose batch " +
                "attempt never completed at its target (stale after a replay) is not recorded; a link's source node is where its source ran when the " +
                "report arrived" + (note.Length == 0 ? "" : "; " + note)),
        };
    }

    private static string NodeOf(RunOutcome outcome, int partition) => partition < 0 ? "coordinator" : outcome.Nodes[outcome.NodeOfPartition[partition]];

    private static TrafficReport Traffic(RunOutcome outcome)
    {
        var spikeLinks = outcome.Links.Where(l => l.SourceId >= 0).ToArray();
        var spikesSent = spikeLinks.Sum(l => l.Spikes);
        var pairs = outcome.Links
            .GroupBy(l => (From: NodeOf(outcome, l.SourceId), To: NodeOf(outcome, l.TargetId)))
            .OrderBy(g => g.Key.From, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal)
            .Select(g => new NodePairTraffic(g.Key.From, g.Key.To, g.Sum(l => l.Messages), g.Sum(l => l.Spikes), g.Sum(l => l.PayloadBytes)))
            .ToArray();
        return new TrafficReport(outcome.Links.Count, outcome.Links.Sum(l => l.Messages), spikeLinks.Sum(l => l.Messages), spikesSent,
            spikeLinks.Sum(l => l.PayloadBytes), PayloadBytesPerSpike(outcome.Links), outcome.Links.Where(l => l.SourceId < 0).Sum(l => l.PayloadBytes), pairs);
    }
}
