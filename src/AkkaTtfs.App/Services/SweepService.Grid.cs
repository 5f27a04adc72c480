using System.Globalization;

namespace AkkaTtfs.App.Services;

/// <summary>One point of a sweep's grid.</summary>
public sealed record SweepPoint(int Index, string Partitions, int Nodes, int Batch, string Placement)
{
    /// <summary>"c3, 2 nodes, batch 64, traffic" for progress lines.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"partitions {Partitions}, {Nodes} node(s), batch {Batch}, {Placement}");
}

/// <summary>
/// The axes of a sweep and their points: every combination, partitions outermost, then batch, nodes and placement
/// (so the points of one plan and batch, which share a traffic prediction, follow each other). Another axis (a link
/// latency or bandwidth) is one more list here, one more field of <see cref="SweepPoint"/> and one more loop level.
/// </summary>
public sealed record SweepGrid(IReadOnlyList<string> Partitions, IReadOnlyList<int> Nodes, IReadOnlyList<int> Batch, IReadOnlyList<string> Placement)
{
    public int Count => Partitions.Count * Nodes.Count * Batch.Count * Placement.Count;

    public IEnumerable<SweepPoint> Points()
    {
        var i = 0;
        foreach (var spec in Partitions)
        {
            foreach (var batch in Batch)
            {
                foreach (var nodes in Nodes)
                {
                    foreach (var placement in Placement) yield return new SweepPoint(i++, spec, nodes, batch, placement);
                }
            }
        }
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
