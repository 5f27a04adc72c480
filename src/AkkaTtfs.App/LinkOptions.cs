using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.App;

/// <summary>
/// --link-latency and --link-bandwidth of run, simulate --nodes and node: the emulated interconnect of the
/// nodes a process starts (Cluster.Hosting.LinkEmulation: a delay stage in the sender of every cross-node link).
/// </summary>
public static class LinkOptions
{
    public const string Latency = "--link-latency";
    public const string Bandwidth = "--link-bandwidth";

    public const string LatencyHelp =
        "Emulated one-way latency of every cross-node link, e.g. 0, 500us, 1ms, 10ms (a delay stage in the sender; see cluster-config/README.md)";

    public const string BandwidthHelp =
        "Emulated bandwidth of each node's link to each other node, e.g. 0 (unlimited), 100Mbit, 1Gbit, 10MB/s (decimal units; charged the serialized message size)";

    /// <summary>The profile of the two option values (null or empty: 0); a bad value is a <see cref="UsageException"/> naming the option.</summary>
    public static LinkProfile Parse(string? latency, string? bandwidth)
    {
        var ms = Read(Latency, latency, LinkUnits.ParseDurationMs, OptionRanges.LinkLatencyMs);
        var rate = Read(Bandwidth, bandwidth, LinkUnits.ParseRateBytesPerSecond, OptionRanges.LinkBandwidthBytesPerSecond);
        return new LinkProfile(ms, rate);
    }

    private static double Read(string option, string? text, Func<string, double> parse, QuantityRange range)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        double value;
        try
        {
            value = parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }

        if (range.Problem(option, text, value) is { } problem) throw new UsageException(problem);
        return value;
    }
}
