using System.Globalization;
using ScottPlot;

namespace AkkaTtfs.App.Reporting;

/// <summary>
/// Partition x partition and node x node heatmaps of spikes and payload bytes (rows: source, columns: target),
/// from matrix-partitions.csv / matrix-nodes.csv, or from links.csv when a run has no matrices.
/// </summary>
internal static class TrafficHeatmaps
{
    public static List<PlotFile> Write(RunFolder run, string folder)
    {
        var partitions = PartitionPairs(run, out var partitionSource);
        var nodes = NodePairs(run, out var nodeSource);
        return
        [
            Heatmap(folder, "partitions-spikes", "Spikes sent, partition to partition", "partition", partitions, p => p.Spikes, "spikes", partitionSource, run),
            Heatmap(folder, "partitions-bytes", "Payload bytes sent, partition to partition", "partition", partitions, p => p.Bytes, "payload bytes", partitionSource, run),
            Heatmap(folder, "nodes-spikes", "Spikes sent, node to node", "node", nodes, p => p.Spikes, "spikes", nodeSource, run),
            Heatmap(folder, "nodes-bytes", "Payload bytes sent, node to node", "node", nodes, p => p.Bytes, "payload bytes", nodeSource, run),
        ];
    }

    private sealed record Pair(string Source, string Target, double Spikes, double Bytes);

    private static List<Pair>? PartitionPairs(RunFolder run, out string source)
    {
        if (run.MatrixPartitions is { } m && m.Has("source") && m.Has("target"))
        {
            source = "matrix-partitions.csv";
            return m.Rows.Select(r => new Pair(Partition(m.Text(r, "source")), Partition(m.Text(r, "target")), m.Number(r, "spikes"), m.Number(r, "payload_bytes"))).ToList();
        }

        if (run.Links is { } l && l.Has("source") && l.Has("target"))
        {
            source = "links.csv";
            return Aggregate(l.Rows.Select(r => new Pair(Partition(l.Text(r, "source")), Partition(l.Text(r, "target")), l.Number(r, "events"), l.Number(r, "payload_bytes"))));
        }

        source = run.Why("matrix-partitions.csv");
        return null;
    }

    private static List<Pair>? NodePairs(RunFolder run, out string source)
    {
        var names = run.Report.Nodes ?? [];
        if (run.MatrixNodes is { } m && m.Has("source_node") && m.Has("target_node"))
        {
            source = "matrix-nodes.csv";
            return Aggregate(m.Rows.Select(r => new Pair(Node(m.Text(r, "source_node"), names), Node(m.Text(r, "target_node"), names), m.Number(r, "spikes"), m.Number(r, "payload_bytes"))));
        }

        if (run.Links is { } l && l.Has("source_node") && l.Has("target_node"))
        {
            source = "links.csv";
            return Aggregate(l.Rows.Select(r => new Pair(Node(l.Text(r, "source_node"), names), Node(l.Text(r, "target_node"), names), l.Number(r, "events"), l.Number(r, "payload_bytes"))));
        }

        source = run.Why("matrix-nodes.csv");
        return null;
    }

    private static List<Pair> Aggregate(IEnumerable<Pair> pairs) =>
        pairs.GroupBy(p => (p.Source, p.Target))
            .Select(g => new Pair(g.Key.Source, g.Key.Target, g.Sum(p => double.IsFinite(p.Spikes) ? p.Spikes : 0), g.Sum(p => double.IsFinite(p.Bytes) ? p.Bytes : 0)))
            .ToList();

    private static string Partition(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? PlotFiles.PartitionLabel(p) : text;

    /// <summary>n0, n1, ... for node indices (the contract) or node names (older links.csv); the coordinator as "coord".</summary>
    private static string Node(string text, IReadOnlyList<string> names)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i < 0 ? "coord" : $"n{i}";
        if (text == "coordinator") return "coord";
        for (var k = 0; k < names.Count; k++)
        {
            if (names[k] == text) return $"n{k}";
        }

        return text;
    }

    /// <summary>Labels in order: the injector / coordinator first, then numerically.</summary>
    private static string[] Order(IEnumerable<string> labels) =>
        labels.Distinct(StringComparer.Ordinal)
            .OrderBy(s => s is "input" or "coord" ? -1 : int.TryParse(s.TrimStart('n'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : int.MaxValue)
            .ThenBy(s => s, StringComparer.Ordinal)
            .ToArray();

    private static PlotFile Heatmap(string folder, string key, string title, string axis, List<Pair>? pairs, Func<Pair, double> value, string unit, string source, RunFolder run)
    {
        if (pairs is null || pairs.Count == 0) return PlotFiles.Missing(key, title, source);
        var rows = Order(pairs.Select(p => p.Source));
        var cols = Order(pairs.Select(p => p.Target));
        var grid = new double[rows.Length, cols.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < cols.Length; c++) grid[r, c] = double.NaN;     // no link: grey, told apart from a link that carried nothing
        }

        foreach (var p in pairs) grid[Array.IndexOf(rows, p.Source), Array.IndexOf(cols, p.Target)] = value(p);

        var plot = PlotFiles.New($"{title} ({run.Name})", $"target {axis}", $"source {axis}");
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.NaNCellColor = Colors.LightGray;
        var max = pairs.Select(value).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        heatmap.ManualRange = new ScottPlot.Range(0, Math.Max(max, 1));     // colours from zero, so a small value does not look like none
        var bar = plot.Add.ColorBar(heatmap, Edge.Right);
        bar.Label = unit + " (whole run)";
        // Short tick labels (380k, not 380,000): the long ones ran into the bar's label.
        bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Short };

        // Row r is drawn at y = rows - 1 - r (the first row on top), column c at x = c.
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, cols.Length).Select(c => (double)c).ToArray(), cols);
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows.Length).Select(r => (double)(rows.Length - 1 - r)).ToArray(), rows);
        if (rows.Length * cols.Length <= 144)
        {
            for (var r = 0; r < rows.Length; r++)
            {
                for (var c = 0; c < cols.Length; c++)
                {
                    if (double.IsNaN(grid[r, c])) continue;
                    var text = plot.Add.Text(Short(grid[r, c]), c, rows.Length - 1 - r);
                    text.Alignment = Alignment.MiddleCenter;
                    text.LabelFontSize = 12;
                    text.LabelFontColor = grid[r, c] > max * 0.6 ? Colors.Black : Colors.White;
                }
            }
        }

        return PlotFiles.Save(plot, folder, key, title, $"from {source}; grey: no link");
    }

    /// <summary>A cell's value in a few characters (12.3k, 4.56M).</summary>
    internal static string Short(double v) => Math.Abs(v) switch
    {
        >= 1e9 => (v / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
