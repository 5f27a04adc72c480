using System.Globalization;
using ScottPlot;

namespace AkkaTtfs.App.Reporting;

/// <summary>
/// The plots over time and distributions: spike times per layer, the partitions' timeline (Gantt), latency
/// per link, batches in flight with throughput, and message sizes.
/// </summary>
internal static class TimePlots
{
    private static readonly Color Busy = Color.FromHex("#1f77b4");
    private static readonly Color Waiting = Color.FromHex("#ff9f40");

    public static List<PlotFile> Write(RunFolder run, string folder)
    {
        var plots = SpikeTimes(run, folder);
        plots.Add(Timeline(run, folder));
        plots.Add(LinkLatency(run, folder));
        plots.Add(InFlight(run, folder));
        plots.Add(MessageSizes(run, folder));
        return plots;
    }

    /// <summary>One histogram per hidden layer: spikes per sample at each time step of its window.</summary>
    private static List<PlotFile> SpikeTimes(RunFolder run, string folder)
    {
        const string title = "Spike times per layer";
        var t = run.SpikeTimes;
        if (t is null || !t.Has("layer") || !t.Has("step") || !t.Has("spikes") || t.Rows.Count == 0)
            return [PlotFiles.Missing("spike-times", title, run.Why("spike-times.csv"))];
        var samples = Math.Max(run.Report.Samples, 1);
        var plots = new List<PlotFile>();
        foreach (var layer in t.Rows.GroupBy(r => (int)t.Number(r, "layer")).OrderBy(g => g.Key))
        {
            var steps = layer.Select(r => t.Number(r, "step")).ToArray();
            var perSample = layer.Select(r => t.Number(r, "spikes") / samples).ToArray();
            var plot = PlotFiles.New($"Spike times of layer {layer.Key} ({run.Name})", "time step within the layer's window", "spikes per sample");
            PlotFiles.Histogram(plot, steps.Select(s => s - 0.5).ToArray(), perSample, 1, Busy);
            var total = perSample.Sum().ToString("N1", CultureInfo.InvariantCulture);
            plots.Add(PlotFiles.Save(plot, folder, $"spike-times-layer-{layer.Key}", $"Spike times of layer {layer.Key}",
                $"spikes of the layer's neurons at each step, before pooling, per sample ({total} in all)"));
        }

        return plots;
    }

    /// <summary>Gantt chart: per partition, when it waited for inputs (first to last input) and when it computed.</summary>
    private static PlotFile Timeline(RunFolder run, string folder)
    {
        const string key = "timeline", title = "Partition timeline";
        var t = run.PartitionBatches;
        string[] needed = ["partition", "first_input_ms", "last_input_ms", "done_ms", "decode_ms", "integrate_ms", "fire_encode_ms"];
        if (t is null || t.Rows.Count == 0 || !needed.All(t.Has)) return PlotFiles.Missing(key, title, run.Why("partition-batches.csv"));
        var partitions = t.Rows.Select(r => (int)t.Number(r, "partition")).Distinct().Order().ToArray();
        var bars = new List<Bar>();
        foreach (var r in t.Rows)
        {
            var row = Array.IndexOf(partitions, (int)t.Number(r, "partition"));
            var (first, last, done) = (t.Number(r, "first_input_ms"), t.Number(r, "last_input_ms"), t.Number(r, "done_ms"));
            var compute = t.Number(r, "decode_ms") + t.Number(r, "integrate_ms") + t.Number(r, "fire_encode_ms");
            if (double.IsFinite(first) && double.IsFinite(last) && last > first)
                bars.Add(new Bar { Position = row, ValueBase = first, Value = last, Size = 0.7, FillColor = Waiting, LineWidth = 0 });
            if (double.IsFinite(done) && double.IsFinite(compute))
                bars.Add(new Bar { Position = row, ValueBase = done - Math.Max(compute, 0), Value = done, Size = 0.7, FillColor = Busy, LineWidth = 0 });
        }

        var plot = PlotFiles.New($"Partition timeline ({run.Name})", "time since the first injected batch (ms)", "partition (node)");
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        var nodes = t.Has("node") ? t.Rows.GroupBy(r => (int)t.Number(r, "partition")).ToDictionary(g => g.Key, g => g.Last()) : null;
        var labels = partitions.Select(p => nodes is null ? $"p{p}" : $"p{p} (n{t.Text(nodes[p], "node")})").ToArray();
        plot.Axes.Left.SetTicks(partitions.Select((_, i) => (double)i).ToArray(), labels);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "waiting: first to last input of a batch", FillColor = Waiting });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "busy: decode + integrate + fire/encode", FillColor = Busy });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(top: 0.22);     // room for the legend above the last partition
        return PlotFiles.Save(plot, folder, key, title, "one bar per partition, batch and attempt (from partition-batches.csv)");
    }

    /// <summary>Latency of every (link, batch) message as points per link, with the link's median as a bar.</summary>
    private static PlotFile LinkLatency(RunFolder run, string folder)
    {
        const string key = "link-latency", title = "Latency per link";
        var t = run.Timeline;
        if (t is null || t.Rows.Count == 0 || !t.Has("source") || !t.Has("target") || !t.Has("latency_ms")) return PlotFiles.Missing(key, title, run.Why("timeline.csv"));
        var links = t.Rows.GroupBy(r => ((int)t.Number(r, "source"), (int)t.Number(r, "target"))).OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2).ToArray();
        var plot = PlotFiles.New($"Message latency per link ({run.Name})", "link (source partition → target partition)", "latency, send to receive (ms)");
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < links.Length; i++)
        {
            var values = links[i].Select(r => t.Number(r, "latency_ms")).Where(double.IsFinite).ToArray();
            for (var k = 0; k < values.Length; k++)
            {
                xs.Add(i + (((k * 0.618034) % 1) - 0.5) * 0.6);     // a spread that does not depend on a random seed
                ys.Add(values[k]);
            }

            if (values.Length == 0) continue;
            var median = Statistics.Median(values);
            var line = plot.Add.Line(i - 0.35, median, i + 0.35, median);
            line.LineWidth = 3;
            line.LineColor = Colors.Black;
        }

        var points = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 6, Busy.WithAlpha(0.6));
        points.LegendText = "one message (link, batch, attempt)";
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "median of the link", LineColor = Colors.Black, LineWidth = 3 });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(top: 0.2);     // room for the legend above the points
        var names = links.Select(g => $"{PlotFiles.PartitionLabel(g.Key.Item1)}→{PlotFiles.PartitionLabel(g.Key.Item2)}").ToArray();
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, links.Length).Select(i => (double)i).ToArray(), names);
        if (links.Length > 12) plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        return PlotFiles.Save(plot, folder, key, title, "from timeline.csv; times converted to the coordinator's clock");
    }

    /// <summary>Batches in flight (step line, left axis) and completed samples per second (right axis) over the run.</summary>
    private static PlotFile InFlight(RunFolder run, string folder)
    {
        const string key = "inflight", title = "Throughput and batches in flight";
        var t = run.Inflight;
        if (t is null || t.Rows.Count == 0 || !t.Has("ms") || !t.Has("batches_in_flight") || !t.Has("completed_samples")) return PlotFiles.Missing(key, title, run.Why("inflight.csv"));
        var rows = t.Rows.Select(r => (Ms: t.Number(r, "ms"), InFlight: t.Number(r, "batches_in_flight"), Done: t.Number(r, "completed_samples")))
            .Where(r => double.IsFinite(r.Ms)).OrderBy(r => r.Ms).ToArray();
        if (rows.Length == 0) return PlotFiles.Missing(key, title, "inflight.csv has no rows with a time");
        var plot = PlotFiles.New($"Throughput and batches in flight ({run.Name})", "time since the first injected batch (ms)", "batches in flight");
        var stepX = new List<double>();
        var stepY = new List<double>();
        for (var i = 0; i < rows.Length; i++)
        {
            if (i > 0)
            {
                stepX.Add(rows[i].Ms);
                stepY.Add(rows[i - 1].InFlight);
            }

            stepX.Add(rows[i].Ms);
            stepY.Add(rows[i].InFlight);
        }

        var inFlight = plot.Add.ScatterLine(stepX.ToArray(), stepY.ToArray(), Busy);
        inFlight.LineWidth = 2;
        inFlight.LegendText = "batches in flight (left axis)";

        // Throughput: completed samples per second in up to 40 equal time bins.
        var (start, end) = (rows[0].Ms, rows[^1].Ms);
        var bins = Math.Clamp(rows.Length / 4, 1, 40);
        var width = Math.Max((end - start) / bins, 1e-3);
        var xs = new double[bins];
        var ys = new double[bins];
        for (var b = 0; b < bins; b++)
        {
            var (lo, hi) = (start + (b * width), start + ((b + 1) * width));
            var before = rows.Where(r => r.Ms <= lo).Select(r => r.Done).DefaultIfEmpty(0).Max();
            var after = rows.Where(r => r.Ms <= hi).Select(r => r.Done).DefaultIfEmpty(0).Max();
            xs[b] = (lo + hi) / 2;
            ys[b] = (after - before) / (width / 1000);
        }

        var throughput = plot.Add.Scatter(xs, ys, Waiting);
        throughput.LineWidth = 2;
        throughput.MarkerSize = 4;
        throughput.LegendText = "throughput (right axis)";
        throughput.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "completed samples per second";
        plot.Axes.Right.Label.FontSize = 13;
        plot.ShowLegend(Alignment.UpperLeft);
        // Both axes from zero, with room above for the legend (a steady throughput would otherwise get a zero-height axis).
        plot.Axes.SetLimitsY(0, Math.Max(stepY.Max(), 1) * 1.35, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(ys.Max(), 1) * 1.35, plot.Axes.Right);
        return PlotFiles.Save(plot, folder, key, title, string.Create(CultureInfo.InvariantCulture, $"from inflight.csv; throughput over bins of {width:0.#} ms"));
    }

    /// <summary>Histogram of the payload bytes of every (link, batch) message.</summary>
    private static PlotFile MessageSizes(RunFolder run, string folder)
    {
        const string key = "message-sizes", title = "Message sizes";
        var t = run.Timeline;
        if (t is null || !t.Has("payload_bytes")) return PlotFiles.Missing(key, title, run.Why("timeline.csv"));
        var sizes = t.Numbers("payload_bytes");
        if (sizes.Length == 0) return PlotFiles.Missing(key, title, "timeline.csv has no messages");
        var (left, counts, width) = PlotFiles.Bins(sizes, 40);
        var plot = PlotFiles.New($"Message sizes ({run.Name})", "payload bytes per message", "messages");
        PlotFiles.Histogram(plot, left, counts, width, Busy);
        return PlotFiles.Save(plot, folder, key, title, $"{PlotFiles.Count(sizes.Length)} messages (link x batch x attempt) from timeline.csv");
    }
}
