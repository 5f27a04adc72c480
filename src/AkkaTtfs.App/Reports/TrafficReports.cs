using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.App.Reports;

/// <summary>Link latency percentiles (sent to taken by the target), milliseconds, over every recorded message.</summary>
public sealed record LatencyReport(double P50, double P90, double P99, double Max);

/// <summary>Batch latency percentiles, milliseconds: from a batch's first injection to its last report.</summary>
public sealed record BatchLatencyReport(double P50, double P99);

/// <summary>A node's clock against the coordinator's (node -1: the coordinator when it is not a worker).</summary>
public sealed record ClockOffsetReport(int Node, double OffsetMs, double UncertaintyMs)
{
    public static ClockOffsetReport Of(ClockOffset o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new ClockOffsetReport(o.Node, o.OffsetMs, o.UncertaintyMs);
    }
}

/// <summary>Traffic of replays (attempt &gt; 0), apart from first attempts.</summary>
public sealed record ReplayTrafficReport(long Messages, long PayloadBytes);

/// <summary>The instrument itself: rows recorded, and what it could not record.</summary>
public sealed record InstrumentReport(long Rows, string Note);
