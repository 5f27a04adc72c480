using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>A sweep point's numbers: verification against the reference, traffic against the prediction, rates, latencies and the time split.</summary>
internal static class SweepMeasures
{
    /// <summary>A point whose run failed: the prediction and the error, no measurements.</summary>
    public static SweepPointReport Failed(SweepPoint point, PartitionPlan plan, PlacementChoice choice, TrafficPrediction prediction, string error, double seconds) =>
        new(point.Index, point.Partitions, plan.Partitions.Count, point.Nodes, point.Batch, choice.Name, SweepStatus.Failed, error, null, null, null, null,
            prediction.TotalSpikes, null, prediction.TotalMessages, null, prediction.TotalBytes, null, null, null, null, null, null, null, null, seconds, null)
        {
            LinkLatencyMs = point.Link.LatencyMs, LinkBandwidthBytesPerSecond = point.Link.BytesPerSecond,
        };

    /// <summary>
    /// A point whose run finished. Its results are compared with the Core reference (spike times apart: the cluster did not
    /// record them) and its links with the prediction; either difference makes it a mismatch, named in its error.
    /// </summary>
    public static SweepPointReport Measure(SweepPoint point, PartitionPlan plan, PlacementChoice choice, TrafficPrediction prediction, SimulationResult reference,
        RunOutcome run, double seconds)
    {
        var samples = Math.Max(run.Result.SampleCount, 1);
        var verification = reference.Compare(run.Result, ResultFields.All & ~ResultFields.SpikeTimes);
        var traffic = TrafficComparison.FirstDifference(prediction, run.Links);
        var error = !verification.IsIdentical ? $"results differ from the Core reference: {verification}" : traffic is null ? null : $"traffic differs from the prediction: {traffic}";
        var measuredCross = PlacementReports.MeasuredCrossNodeBytes(run);
        var payload = run.Links.Sum(l => l.PayloadBytes);
        double? p50 = null, p99 = null, compute = null, wait = null, transfer = null, crossLatency = null;
        if (run.Trace is { } trace)
        {
            var crossing = trace.Links.Where(r => r.CrossProcess).Select(r => r.LatencyMs).ToArray();
            if (crossing.Length > 0) crossLatency = Statistics.Percentile(crossing, 50);
            var batches = TraceAggregation.BatchLatencies(trace.Links, trace.Partitions);
            if (batches.Count > 0) (p50, p99) = (Statistics.Percentile(batches, 50), Statistics.Percentile(batches, 99));
            compute = trace.Partitions.Sum(r => r.BusyMs);
            wait = trace.Partitions.Sum(r => r.WaitMs);
            transfer = trace.Links.Sum(r => r.LatencyMs);
        }

        return new SweepPointReport(point.Index, point.Partitions, plan.Partitions.Count, point.Nodes, point.Batch, choice.Name,
            error is null ? SweepStatus.Ok : SweepStatus.Mismatch, error, verification.IsIdentical,
            run.Result.SampleCount / Math.Max(run.RunTime.TotalSeconds, 1e-9), (double)payload / samples, (double)measuredCross / samples,
            prediction.TotalSpikes, run.Links.Sum(l => l.Spikes), prediction.TotalMessages, run.Links.Sum(l => l.Messages), prediction.TotalBytes, payload,
            prediction.CrossNodeBytes(run.NodeOfPartition, run.CoordinatorNode), measuredCross, p50, p99, compute, wait, transfer, seconds, run.NodeOfPartition)
        {
            LinkLatencyMs = point.Link.LatencyMs,
            LinkBandwidthBytesPerSecond = point.Link.BytesPerSecond,
            CrossNodeLatencyP50Ms = crossLatency,
            Links = [.. run.Links.OrderBy(l => l.SourceId).ThenBy(l => l.TargetId).Select(l => new SweepLinkReport(l.SourceId, l.TargetId,
                l.SourceId == PartitionPlan.InputSource ? run.CoordinatorNode : run.NodeOfPartition[l.SourceId], run.NodeOfPartition[l.TargetId], l.Messages, l.Spikes, l.PayloadBytes))],
        };
    }
}

/// <summary>The statuses of a sweep point.</summary>
public static class SweepStatus
{
    public const string Ok = "ok";

    /// <summary>The run finished and differs from the Core reference or from the traffic prediction (an exactness bug).</summary>
    public const string Mismatch = "mismatch";

    /// <summary>The run did not finish (its error says why); the sweep went on.</summary>
    public const string Failed = "failed";
}
