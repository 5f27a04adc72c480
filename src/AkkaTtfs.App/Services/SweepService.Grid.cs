using System.Globalization;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.App.Services;

/// <summary>One value of a sweep's link axes: as given (e.g. "1ms", "100Mbit") and its value.</summary>
public sealed record SweepLinkValue(string Text, double Value);

/// <summary>One point of a sweep's grid.</summary>
/// <param name="Link">The emulated cross-node links of the point's cluster (<see cref="LinkProfile.None"/>: none).</param>
public sealed record SweepPoint(int Index, string Partitions, int Nodes, int Batch, string Placement, LinkProfile Link)
{
    /// <summary>"c3, 2 node(s), batch 64, traffic[, links latency 1 ms, bandwidth unlimited]" for progress lines.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"partitions {Partitions}, {Nodes} node(s), batch {Batch}, {Placement}{(Link.IsActive ? $", links {Link.Describe()}" : "")}");
}

/// <summary>
/// The axes of a sweep and their points: every combination, the link axes outermost (one embedded cluster per link
/// profile serves a block of points), then partitions, batch, nodes and placement (so the points of one plan and batch,
/// which share a traffic prediction, follow each other).
/// </summary>
/// <param name="LinkLatency">One-way latencies of the cross-node links, ms (0: none).</param>
/// <param name="LinkBandwidth">Bandwidths of the cross-node links, bytes/s (0: unlimited).</param>
public sealed record SweepGrid(IReadOnlyList<string> Partitions, IReadOnlyList<int> Nodes, IReadOnlyList<int> Batch, IReadOnlyList<string> Placement,
    IReadOnlyList<SweepLinkValue> LinkLatency, IReadOnlyList<SweepLinkValue> LinkBandwidth)
{
    public int Count => Partitions.Count * Nodes.Count * Batch.Count * Placement.Count * LinkLatency.Count * LinkBandwidth.Count;

    /// <summary>The link profiles of the grid, in point order (each serves a contiguous block of points).</summary>
    public IEnumerable<LinkProfile> Links()
    {
        foreach (var latency in LinkLatency)
        {
            foreach (var bandwidth in LinkBandwidth) yield return new LinkProfile(latency.Value, bandwidth.Value);
        }
    }

    public IEnumerable<SweepPoint> Points()
    {
        var i = 0;
        foreach (var link in Links())
        {
            foreach (var spec in Partitions)
            {
                foreach (var batch in Batch)
                {
                    foreach (var nodes in Nodes)
                    {
                        foreach (var placement in Placement) yield return new SweepPoint(i++, spec, nodes, batch, placement, link);
                    }
                }
            }
        }
    }

    /// <summary>The values of a link option list (e.g. "0,1ms"), each parsed and range-checked as the single-valued option is (<see cref="LinkOptions"/>).</summary>
    public static IReadOnlyList<SweepLinkValue> LinkList(string text, string option)
    {
        var values = new List<SweepLinkValue>();
        foreach (var item in SplitList(text, option))
        {
            var profile = option == LinkOptions.Latency ? LinkOptions.Parse(item, null) : LinkOptions.Parse(null, item);
            var value = option == LinkOptions.Latency ? profile.LatencyMs : profile.BytesPerSecond;
            if (values.Any(v => v.Value == value)) throw new UsageException($"{option} '{text}' names the value of '{item}' twice");
            values.Add(new SweepLinkValue(item, value));
        }

        return values;
    }

    /// <summary>
    /// A list option's values: comma-separated, except that partition specs, which use commas between layers
    /// themselves, may be separated by ';' instead ("1,c3,1;c3"). Empty entries and duplicates are refused.
    /// </summary>
    public static IReadOnlyList<string> SplitList(string text, string option, bool semicolons = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = semicolons && text.Contains(';', StringComparison.Ordinal) ? ';' : ',';
        var items = text.Split(separator, StringSplitOptions.TrimEntries);
        if (items.Any(string.IsNullOrEmpty)) throw new UsageException($"{option} '{text}' has an empty entry");
        if (items.Distinct(StringComparer.OrdinalIgnoreCase).Count() != items.Length) throw new UsageException($"{option} '{text}' names an entry twice");
        return items;
    }

    /// <summary>Whole numbers of a list option, each within <paramref name="range"/>.</summary>
    public static IReadOnlyList<int> IntList(string text, string option, IntRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var values = new List<int>();
        foreach (var item in SplitList(text, option))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                throw new UsageException($"{option} '{text}': '{item}' is not a whole number");
            range.Check(option, v);
            values.Add(v);
        }

        return values;
    }
}
