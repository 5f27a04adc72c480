using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;

namespace AkkaTtfs.App.Services;

/// <summary>sweep.json, sweep.csv and sweep-links.csv, each written whole through a temporary file and a rename (a reader never sees half a file).</summary>
public static class SweepFiles
{
    /// <summary>sweep.csv's columns, one row per point.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "index", "partitions", "partition_count", "nodes", "batch", "placement", "status", "error", "bit_identical", "samples_per_s",
        "payload_bytes_per_sample", "cross_node_bytes_per_sample", "predicted_spikes", "measured_spikes", "predicted_messages", "measured_messages",
        "predicted_payload_bytes", "measured_payload_bytes", "predicted_cross_node_bytes", "measured_cross_node_bytes",
        "batch_latency_p50_ms", "batch_latency_p99_ms", "compute_ms", "wait_ms", "transfer_ms", "seconds",
        "link_latency_ms", "link_bandwidth_bytes_per_s", "cross_node_latency_p50_ms",
    ];

    /// <summary>sweep-links.csv's columns, one row per point and partition link (node -1: the coordinator, when it is no worker).</summary>
    public static readonly IReadOnlyList<string> LinkColumns =
    [
        "index", "partitions", "nodes", "batch", "placement", "link_latency_ms", "link_bandwidth_bytes_per_s",
        "source", "target", "source_node", "target_node", "messages", "spikes", "payload_bytes",
    ];

    public static void Write(string folder, SweepReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        OutputFiles.WriteText(Path.Combine(folder, SweepService.JsonFile), SweepSerializer.Serialize(report));
        CsvWriter.Write(Path.Combine(folder, SweepService.CsvFile), Columns, csv =>
        {
            foreach (var p in report.Points)
            {
                csv.Field(p.Index).Field(p.Partitions).Field(p.PartitionCount).Field(p.Nodes).Field(p.Batch).Field(p.Placement).Field(p.Status).Field(p.Error);
                Optional(csv, p.BitIdentical);
                Optional(csv, p.SamplesPerSecond);
                Optional(csv, p.PayloadBytesPerSample);
                Optional(csv, p.CrossNodeBytesPerSample);
                csv.Field(p.PredictedSpikes);
                Optional(csv, p.MeasuredSpikes);
                csv.Field(p.PredictedMessages);
                Optional(csv, p.MeasuredMessages);
                csv.Field(p.PredictedPayloadBytes);
                Optional(csv, p.MeasuredPayloadBytes);
                Optional(csv, p.PredictedCrossNodeBytes);
                Optional(csv, p.MeasuredCrossNodeBytes);
                Ms(csv, p.BatchLatencyP50Ms);
                Ms(csv, p.BatchLatencyP99Ms);
                Ms(csv, p.ComputeMs);
                Ms(csv, p.WaitMs);
                Ms(csv, p.TransferMs);
                csv.Ms(p.Seconds);
                csv.Field(p.LinkLatencyMs).Field(p.LinkBandwidthBytesPerSecond);
                Ms(csv, p.CrossNodeLatencyP50Ms);
                csv.EndRow();
            }
        });
        CsvWriter.Write(Path.Combine(folder, SweepService.LinksCsvFile), LinkColumns, csv =>
        {
            foreach (var p in report.Points)
            {
                foreach (var l in p.Links ?? [])
                {
                    csv.Field(p.Index).Field(p.Partitions).Field(p.Nodes).Field(p.Batch).Field(p.Placement).Field(p.LinkLatencyMs).Field(p.LinkBandwidthBytesPerSecond)
                        .Field(l.Source).Field(l.Target).Field(l.SourceNode).Field(l.TargetNode).Field(l.Messages).Field(l.Spikes).Field(l.PayloadBytes);
                    csv.EndRow();
                }
            }
        });
    }

    private static void Optional(CsvWriter csv, bool? value)
    {
        if (value is { } v) csv.Field(v);
        else csv.Field((string?)null);
    }

    private static void Optional(CsvWriter csv, long? value)
    {
        if (value is { } v) csv.Field(v);
        else csv.Field((string?)null);
    }

    private static void Optional(CsvWriter csv, double? value)
    {
        if (value is { } v) csv.Field(v);
        else csv.Field((string?)null);
    }

    private static void Ms(CsvWriter csv, double? value)
    {
        if (value is { } v) csv.Ms(v);
        else csv.Field((string?)null);
    }
}
