using System.Globalization;
using AkkaTtfs.App.Reports;
using AkkaTtfs.App.Services;
using AkkaTtfs.Core.Distributed;
using ScottPlot;

namespace AkkaTtfs.App.Reporting;

/// <summary>
/// The plots of a sweep (from sweep.json's points that finished): payload and cross-node bytes per sample by partition
/// spec, throughput by node count, batch latency and the time split per point. Failed points are left out.
/// </summary>
public static class SweepPlots
{
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];

    public static IReadOnlyList<PlotFile> Write(SweepReport sweep, string folder)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var done = sweep.Points.Where(p => p.SamplesPerSecond is not null).ToArray();
        if (done.Length == 0) return [PlotFiles.Missing("sweep", "Sweep plots", "no point of the sweep finished")];
        return
        [
            BytesPerSample(sweep, done, folder),
            CrossNodeBytes(sweep, done, folder),
            Throughput(sweep, done, folder),
            Latency(done, folder),
            TimeSplit(done, folder),
        ];
    }

    /// <summary>"c3 · 2n · b64 · traffic", with " · 1 ms, 100 Mbit/s" when the point's links were emulated: a point's short label.</summary>
    public static string Label(SweepPointReport p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Partitions} · {p.Nodes}n · b{p.Batch} · {ShortPlacement(p.Placement)}{LinkLabel(p, " · ")}");

    /// <summary>"1 ms, 100 Mbit/s" (after <paramref name="separator"/>) for a point with emulated links, "" without.</summary>
    private static string LinkLabel(SweepPointReport p, string separator)
    {
        if (p.LinkLatencyMs <= 0 && p.LinkBandwidthBytesPerSecond <= 0) return "";
        var parts = new List<string>();
        if (p.LinkLatencyMs > 0) parts.Add(LinkUnits.FormatDuration(p.LinkLatencyMs));
        if (p.LinkBandwidthBytesPerSecond > 0) parts.Add(LinkUnits.FormatRate(p.LinkBandwidthBytesPerSecond));
        return separator + string.Join(", ", parts);
    }

    private static string ShortPlacement(string placement) => placement.StartsWith("file:", StringComparison.Ordinal) ? placement.Split(' ')[0] : placement;

    /// <summary>Payload bytes per sample on every link by partition spec, one line per batch size (placement and nodes do not change them).</summary>
    private static PlotFile BytesPerSample(SweepReport sweep, SweepPointReport[] done, string folder)
    {
        var plot = PlotFiles.New("Payload bytes per sample by partitioning", "partition spec", "payload bytes per sample (all links)");
        var specs = sweep.Grid.Partitions;
        var k = 0;
        foreach (var batch in sweep.Grid.Batch)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < specs.Count; i++)
            {
                var values = done.Where(p => p.Partitions == specs[i] && p.Batch == batch).Select(p => p.PayloadBytesPerSample!.Value).ToArray();
                if (values.Length == 0) continue;
                xs.Add(i);
                ys.Add(values.Average());
            }

            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), Palette[k++ % Palette.Length]);
            line.LineWidth = 2;
            line.MarkerSize = 8;
            line.LegendText = $"batch {batch}";
        }

        SpecTicks(plot, specs);
        plot.Axes.SetLimitsY(0, Math.Max(done.Max(p => p.PayloadBytesPerSample!.Value), 1) * 1.25);
        plot.ShowLegend(Alignment.UpperLeft);
        return PlotFiles.Save(plot, folder, "bytes-per-sample", "Payload bytes per sample",
            "every link's encoded spikes (and the input links' values) per sample; the same for every node count and placement");
    }

    /// <summary>Cross-node payload bytes per sample by partition spec: grouped bars, one per node count (above 1) and placement, at the largest batch.</summary>
    private static PlotFile CrossNodeBytes(SweepReport sweep, SweepPointReport[] done, string folder)
    {
        var batch = sweep.Grid.Batch.Max();
        var groups = sweep.Grid.Nodes.Where(n => n > 1).SelectMany(n => sweep.Grid.Placement.Select(pl => (Nodes: n, Placement: pl))).ToArray();
        var title = string.Create(CultureInfo.InvariantCulture, $"Cross-node bytes per sample (batch {batch})");
        if (groups.Length == 0) return PlotFiles.Missing("cross-node-bytes", title, "every point ran on one node: nothing crosses a node boundary");
        var plot = PlotFiles.New(title, "partition spec", "cross-node payload bytes per sample");
        var specs = sweep.Grid.Partitions;
        var width = 0.8 / groups.Length;
        var max = 0.0;
        for (var g = 0; g < groups.Length; g++)
        {
            var color = Palette[g % Palette.Length];
            var bars = new List<Bar>();
            for (var i = 0; i < specs.Count; i++)
            {
                var point = done.FirstOrDefault(p => p.Partitions == specs[i] && p.Batch == batch && p.Nodes == groups[g].Nodes && SamePlacement(p, groups[g].Placement));
                if (point is null) continue;
                var value = point.CrossNodeBytesPerSample!.Value;
                max = Math.Max(max, value);
                bars.Add(new Bar { Position = i - 0.4 + (width * (g + 0.5)), Value = value, Size = width * 0.9, FillColor = color, LineWidth = 0 });
            }

            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{groups[g].Nodes} nodes, {ShortPlacement(groups[g].Placement)}", FillColor = color });
        }

        SpecTicks(plot, specs);
        plot.Axes.SetLimitsY(0, Math.Max(max, 1) * 1.35);
        plot.Axes.SetLimitsX(-0.6, specs.Count - 0.4);
        plot.ShowLegend(Alignment.UpperLeft);
        return PlotFiles.Save(plot, folder, "cross-node-bytes", title, "measured payload bytes between different nodes per sample (the input links count when they cross)");
    }

    /// <summary>Samples per second by node count, one line per partition spec and placement, at the largest batch.</summary>
    private static PlotFile Throughput(SweepReport sweep, SweepPointReport[] done, string folder)
    {
        var batch = sweep.Grid.Batch.Max();
        var title = string.Create(CultureInfo.InvariantCulture, $"Throughput by node count (batch {batch})");
        var plot = PlotFiles.New(title, "worker nodes", "samples per second");
        var k = 0;
        var patterns = new[] { LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed };
        var shapes = new[] { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond };
        var linkProfiles = sweep.Grid.LinkLatency.Count * sweep.Grid.LinkBandwidth.Count;     // more than one: a colour per line
        for (var s = 0; s < sweep.Grid.Partitions.Count; s++)
        {
            var spec = sweep.Grid.Partitions[s];
            for (var pl = 0; pl < sweep.Grid.Placement.Count; pl++)
            {
                // One line per link profile too (points of different links share spec, placement and node count).
                var ofPlacement = done.Where(p => p.Partitions == spec && p.Batch == batch && SamePlacement(p, sweep.Grid.Placement[pl]));
                foreach (var points in ofPlacement.GroupBy(p => (p.LinkLatencyMs, p.LinkBandwidthBytesPerSecond)).Select(g => g.OrderBy(p => p.Nodes).ToArray()))
                {
                    var line = plot.Add.Scatter(points.Select(p => (double)p.Nodes).ToArray(), points.Select(p => p.SamplesPerSecond!.Value).ToArray(), Palette[(linkProfiles > 1 ? k : s) % Palette.Length]);
                    line.LineWidth = 2;
                    line.MarkerSize = 8;
                    line.LinePattern = patterns[pl % patterns.Length];
                    line.MarkerShape = shapes[pl % shapes.Length];     // the legend's short line hides the pattern; the marker shows the placement
                    line.LegendText = $"{spec}, {ShortPlacement(sweep.Grid.Placement[pl])}{LinkLabel(points[0], ", ")}";
                    k++;
                }
            }
        }

        var nodes = sweep.Grid.Nodes.Order().ToArray();
        plot.Axes.Bottom.SetTicks(nodes.Select(n => (double)n).ToArray(), nodes.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(nodes[0] - 0.3, nodes[^1] + 0.3);
        plot.Axes.SetLimitsY(0, Math.Max(done.Max(p => p.SamplesPerSecond!.Value), 1) * (1.15 + (0.07 * k)));
        plot.ShowLegend(Alignment.UpperLeft);
        return PlotFiles.Save(plot, folder, "throughput", title, "samples per second over the run (first injected batch to last result); colour = partition spec (with link axes: one per line), line pattern and marker = placement");
    }

    /// <summary>p50 and p99 batch latency of every point.</summary>
    private static PlotFile Latency(SweepPointReport[] done, string folder)
    {
        const string key = "latency", title = "Batch latency per point";
        var points = done.Where(p => p.BatchLatencyP50Ms is not null).ToArray();
        if (points.Length == 0) return PlotFiles.Missing(key, title, "no point recorded batch latencies");
        var plot = PlotFiles.New(title, "", "batch latency (ms)");
        var xs = Enumerable.Range(0, points.Length).Select(i => (double)i).ToArray();
        var p50 = plot.Add.Scatter(xs, points.Select(p => p.BatchLatencyP50Ms!.Value).ToArray(), Palette[0]);
        p50.LineWidth = 0;
        p50.MarkerSize = 9;
        p50.LegendText = "p50";
        var p99 = plot.Add.Scatter(xs, points.Select(p => p.BatchLatencyP99Ms!.Value).ToArray(), Palette[3]);
        p99.LineWidth = 0;
        p99.MarkerSize = 9;
        p99.MarkerShape = MarkerShape.FilledTriangleUp;
        p99.LegendText = "p99";
        PointTicks(plot, points);
        plot.Axes.SetLimitsY(0, Math.Max(points.Max(p => p.BatchLatencyP99Ms!.Value), 1) * 1.2);
        plot.ShowLegend(Alignment.UpperLeft);
        return PlotFiles.Save(plot, folder, key, title, "a batch's first injection to its last report; point label: partition spec · nodes · batch · placement");
    }

    /// <summary>Compute, wait and transfer shares of every point (stacked to 100 %).</summary>
    private static PlotFile TimeSplit(SweepPointReport[] done, string folder)
    {
        const string key = "time-split", title = "Time split per point";
        var points = done.Where(p => p.ComputeMs is not null).ToArray();
        if (points.Length == 0) return PlotFiles.Missing(key, title, "no point recorded a trace");
        var plot = PlotFiles.New(title, "", "share of the summed time (%)");
        (string Name, Func<SweepPointReport, double> Value, Color Color)[] parts =
        [
            ("compute: decode + integrate + fire/encode", p => p.ComputeMs!.Value, Palette[0]),
            ("wait: first to last input of a batch", p => p.WaitMs!.Value, Palette[1]),
            ("transfer: send to receive of each message", p => p.TransferMs!.Value, Palette[2]),
        ];
        var bars = new List<Bar>();
        for (var i = 0; i < points.Length; i++)
        {
            var total = Math.Max(parts.Sum(x => x.Value(points[i])), 1e-9);
            var bottom = 0.0;
            foreach (var part in parts)
            {
                var share = part.Value(points[i]) / total * 100;
                bars.Add(new Bar { Position = i, ValueBase = bottom, Value = bottom + share, Size = 0.7, FillColor = part.Color, LineWidth = 0 });
                bottom += share;
            }
        }

        plot.Add.Bars(bars);
        foreach (var part in parts) plot.Legend.ManualItems.Add(new LegendItem { LabelText = part.Name, FillColor = part.Color });
        PointTicks(plot, points);
        plot.Axes.SetLimitsY(0, 135);
        plot.Axes.Left.SetTicks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"]);
        plot.ShowLegend(Alignment.UpperLeft);
        return PlotFiles.Save(plot, folder, key, title, "sums over partitions and batches (compute, wait) and over messages (transfer), from the run's trace");
    }

    private static bool SamePlacement(SweepPointReport p, string given) =>
        p.Placement == given || (p.Placement.StartsWith("file:", StringComparison.Ordinal) && given.EndsWith(p.Placement.Split(' ')[0]["file:".Length..], StringComparison.Ordinal));

    private static void SpecTicks(Plot plot, IReadOnlyList<string> specs)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, specs.Count).Select(i => (double)i).ToArray(), [.. specs]);
        plot.Axes.SetLimitsX(-0.5, specs.Count - 0.5);
    }

    private static void PointTicks(Plot plot, SweepPointReport[] points)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, points.Length).Select(i => (double)i).ToArray(), [.. points.Select(Label)]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -60;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        // Rotated labels need room the automatic layout does not reserve: about 6 px per character.
        plot.Axes.Bottom.MinimumSize = 20 + (6f * points.Max(p => Label(p).Length));
        plot.Axes.SetLimitsX(-0.7, points.Length - 0.3);
    }
}
