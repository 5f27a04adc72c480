using System.Globalization;

namespace AkkaTtfs.App.Reporting;

/// <summary>A number of the summary with where it came from; <see cref="Value"/> null: not recorded in this run.</summary>
public sealed record Measure(double? Value, string Source)
{
    public static Measure Missing { get; } = new(null, RunFolder.NotRecorded);

    public static Measure Of(double? value, string source) => value is { } v && double.IsFinite(v) ? new Measure(v, source) : Missing;

    public string Format(string format, string unit = "") =>
        Value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) + unit : RunFolder.NotRecorded;
}

/// <summary>
/// The numbers the terminal summary, index.html and compare.html show for one run: from report.json where it
/// records them, else computed from the CSVs (and said so), else missing.
/// </summary>
public sealed record RunSummary(
    string Name,
    int Samples,
    double Accuracy,
    double SamplesPerSecond,
    string Partitions,
    int NodeCount,
    Measure PayloadBytesPerSample,
    Measure CrossNodeBytes,
    Measure CrossNodeShare,
    Measure LatencyP50,
    Measure LatencyP99,
    Measure BatchLatencyP50,
    Measure BatchLatencyP99,
    IReadOnlyList<double> SpikesPerSamplePerLayer)
{
    public static RunSummary Of(RunFolder run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var r = run.Report;
        var x = run.Extras;
        var samples = Math.Max(r.Samples, 0);
        var links = run.Links;

        var perSample = Measure.Of(x.PayloadBytesPerSample, "report.json");
        if (perSample.Value is null && links is not null && links.Has("payload_bytes") && samples > 0)
            perSample = Measure.Of(links.Numbers("payload_bytes").Sum() / samples, "links.csv (payload bytes of every link / samples)");

        var crossBytes = Measure.Of(x.CrossNodePayloadBytes, "report.json");
        var crossShare = Measure.Of(x.CrossNodeShare, "report.json");
        if (crossBytes.Value is null && links is not null && CrossNode(links) is { } cross)
        {
            crossBytes = Measure.Of(cross.Bytes, cross.Source);
            crossShare = Measure.Of(cross.Total > 0 ? cross.Bytes / cross.Total : 0, cross.Source);
        }

        return new RunSummary(run.Name, samples, r.Accuracy, r.SamplesPerSecond, r.Partitions ?? "", r.Nodes?.Count ?? 0,
            perSample, crossBytes, crossShare,
            Measure.Of(x.LatencyP50, "report.json"), Measure.Of(x.LatencyP99, "report.json"),
            Measure.Of(x.BatchLatencyP50, "report.json"), Measure.Of(x.BatchLatencyP99, "report.json"),
            r.SpikesPerSamplePerLayer ?? []);
    }

    /// <summary>
    /// Payload bytes on links that cross a process: the contract's cross_process column, or else (older runs,
    /// whose links.csv names nodes) partition-to-partition links between different nodes, the injector left out
    /// because its node is not recorded.
    /// </summary>
    private static (double Bytes, double Total, string Source)? CrossNode(CsvTable links)
    {
        if (!links.Has("payload_bytes")) return null;
        double bytes = 0, total = 0;
        if (links.Has("cross_process"))
        {
            foreach (var row in links.Rows)
            {
                var b = links.Number(row, "payload_bytes");
                if (!double.IsFinite(b)) continue;
                total += b;
                var flag = links.Text(row, "cross_process");
                if (flag is "true" or "True" or "1") bytes += b;
            }

            return (bytes, total, "links.csv (cross_process)");
        }

        if (!links.Has("source_node") || !links.Has("target_node") || !links.Has("source")) return null;
        foreach (var row in links.Rows)
        {
            var b = links.Number(row, "payload_bytes");
            if (!double.IsFinite(b) || links.Number(row, "source") < 0) continue;
            total += b;
            if (!string.Equals(links.Text(row, "source_node"), links.Text(row, "target_node"), StringComparison.Ordinal)) bytes += b;
        }

        return (bytes, total, "links.csv (partition links between different nodes; the injector's node is not recorded)");
    }
}
