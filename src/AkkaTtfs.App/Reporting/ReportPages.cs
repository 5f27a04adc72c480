using System.Globalization;

namespace AkkaTtfs.App.Reporting;

/// <summary>index.html of one run and compare.html of several: what each section shows.</summary>
internal static partial class ReportPages
{
    /// <summary>The files of the traffic contract, to say which a run has.</summary>
    private static readonly string[] ContractFiles =
        ["links.csv", "timeline.csv", "partition-batches.csv", "partitions.csv", "inflight.csv", "spike-times.csv", "matrix-partitions.csv", "matrix-nodes.csv", "predictions.csv"];

    public static string RunPage(RunFolder run, RunSummary s, IReadOnlyList<PlotFile> plots)
    {
        var r = run.Report;
        var html = new Html($"Run {run.Name}");
        html.Paragraph(run.Path, "note");

        html.Section("summary", "Summary").KeyValues(SummaryRows(s).Concat(
        [
            ("spikes_per_sample", "spikes per sample", Html.Num(r.SpikesPerSample, "0.##")),
            ("synops_per_sample", "synaptic operations per sample", Html.Num(r.SynopsPerSample, "N0")),
            ("bit_identical", "bit-identical to the Core reference", r.BitIdenticalToReference switch { true => "yes", false => "NO: " + string.Join("; ", r.ReferenceDifferences ?? []), null => "not verified" }),
            ("run_seconds", "run time", Html.Num(r.RunSeconds, "0.###") + " s (deploy " + Html.Num(r.DeploySeconds, "0.###") + " s)"),
        ])).EndSection();

        html.Section("layer-spikes", "Spikes per layer").Table(["layer", "spikes per sample"],
            s.SpikesPerSamplePerLayer.Select((v, i) => (IReadOnlyList<string>)[i.ToString(CultureInfo.InvariantCulture), Html.Num(v, "0.###")]), "layer-spikes-table").EndSection();

        Config(html, run);
        Placement(html, run);
        LinkEmulation(html, run);
        TimeAndMemory(html, run);
        Machine(html, run);
        Model(html, run);
        Traffic(html, run);
        Figures(html, "heatmaps", "Traffic matrices", plots.Where(p => p.Key.StartsWith("partitions-", StringComparison.Ordinal) || p.Key.StartsWith("nodes-", StringComparison.Ordinal)));
        Figures(html, "spike-times", "Spike times per layer", plots.Where(p => p.Key.StartsWith("spike-times", StringComparison.Ordinal)));
        Figures(html, "timeline", "Partition timeline", plots.Where(p => p.Key == "timeline"));
        PartitionsTable(html, run);
        Figures(html, "latency", "Latency and message sizes", plots.Where(p => p.Key is "link-latency" or "message-sizes"));
        Figures(html, "inflight", "Throughput and batches in flight", plots.Where(p => p.Key == "inflight"));
        Recovery(html, run);

        html.Section("files", "Files of this run").Table(["file", "status"],
            ContractFiles.Select(f => (IReadOnlyList<string>)[f, File.Exists(Path.Combine(run.Path, f)) ? run.Why(f) == RunFolder.NotRecorded ? "present" : run.Why(f) : RunFolder.NotRecorded]));
        html.Details("report.json as written", run.ReportJson).EndSection();
        return html.ToString();
    }

    public static string ComparePage(IReadOnlyList<RunSummary> runs, IReadOnlyList<string> paths)
    {
        var html = new Html("Comparison of runs");
        html.Section("runs", "Runs").Table(["run", "folder"], runs.Select((s, i) => (IReadOnlyList<string>)[s.Name, paths[i]])).EndSection();
        var header = new List<string> { "" };
        header.AddRange(runs.Select(s => s.Name));
        html.Section("comparison", "Side by side").Table(header, CompareRows(runs).Select(row => (IReadOnlyList<string>)[row.Name, .. row.Values]), "comparison-table")
            .Paragraph("Latencies and cross-node bytes come from report.json when the run recorded them; a value computed from a CSV is labelled on the run's own page.", "note")
            .EndSection();
        return html.ToString();
    }

    /// <summary>The rows of the comparison (terminal and compare.html): a name and one value per run.</summary>
    public static List<(string Name, string[] Values)> CompareRows(IReadOnlyList<RunSummary> runs)
    {
        var rows = new List<(string, string[])>
        {
            ("accuracy", runs.Select(s => Html.Num(s.Accuracy * 100, "0.00") + " %").ToArray()),
            ("samples", runs.Select(s => s.Samples.ToString(CultureInfo.InvariantCulture)).ToArray()),
            ("partitions / nodes", runs.Select(s => $"{s.Partitions} / {s.NodeCount}").ToArray()),
            ("throughput (samples/s)", runs.Select(s => Html.Num(s.SamplesPerSecond, "0.0")).ToArray()),
            ("payload bytes per sample", runs.Select(s => s.PayloadBytesPerSample.Format("0.0")).ToArray()),
            ("cross-node payload bytes", runs.Select(s => s.CrossNodeBytes.Format("N0")).ToArray()),
            ("cross-node share", runs.Select(s => s.CrossNodeShare.Value is { } v ? Html.Num(v * 100, "0.0") + " %" : RunFolder.NotRecorded).ToArray()),
            ("batch latency p50 (ms)", runs.Select(s => s.BatchLatencyP50.Format("0.###")).ToArray()),
            ("batch latency p99 (ms)", runs.Select(s => s.BatchLatencyP99.Format("0.###")).ToArray()),
        };
        var layers = runs.Max(s => s.SpikesPerSamplePerLayer.Count);
        for (var l = 0; l < layers; l++)
        {
            var layer = l;
            rows.Add(($"layer {layer} spikes per sample", runs.Select(s => layer < s.SpikesPerSamplePerLayer.Count ? Html.Num(s.SpikesPerSamplePerLayer[layer], "0.##") : "-").ToArray()));
        }

        return rows;
    }

    /// <summary>The summary's rows (key for tests, name, value) shared by the terminal and index.html.</summary>
    public static IEnumerable<(string Key, string Name, string Value)> SummaryRows(RunSummary s) =>
    [
        ("accuracy", "accuracy", Html.Num(s.Accuracy * 100, "0.00") + " %"),
        ("samples", "samples", s.Samples.ToString(CultureInfo.InvariantCulture)),
        ("throughput", "throughput", Html.Num(s.SamplesPerSecond, "0.0") + " samples/s"),
        ("bytes_per_sample", "payload bytes per sample", s.PayloadBytesPerSample.Format("0.0", " B")),
        ("cross_node_bytes", "cross-node payload bytes", s.CrossNodeBytes.Format("N0", " B")),
        ("cross_node_share", "cross-node share of payload bytes", s.CrossNodeShare.Value is { } v ? Html.Num(v * 100, "0.0") + " %" : RunFolder.NotRecorded),
        ("latency_p50", "message latency p50", s.LatencyP50.Format("0.###", " ms")),
        ("latency_p99", "message latency p99", s.LatencyP99.Format("0.###", " ms")),
        ("batch_latency_p50", "batch latency p50", s.BatchLatencyP50.Format("0.###", " ms")),
        ("batch_latency_p99", "batch latency p99", s.BatchLatencyP99.Format("0.###", " ms")),
    ];

    private static void Figures(Html html, string id, string heading, IEnumerable<PlotFile> plots)
    {
        html.Section(id, heading);
        foreach (var p in plots) html.Figure(p);
        html.EndSection();
    }

    private static void Config(Html html, RunFolder run)
    {
        var r = run.Report;
        var rows = new List<(string, string, string)>
        {
            ("architecture", "architecture", r.Architecture ?? RunFolder.NotRecorded),
            ("partitions", "partition spec", $"{r.Partitions} ({r.PartitionCount} partitions)"),
            ("nodes", "nodes", (r.Nodes?.Count ?? 0).ToString(CultureInfo.InvariantCulture)),
        };
        rows.AddRange(run.Extras.Config.Select(p => ("", p.Name, p.Value)));
        html.Section("config", "Configuration").KeyValues(rows);
        var nodes = r.Nodes ?? [];
        var placement = r.PartitionNodes ?? [];
        html.Table(["node", "address", "partitions"], nodes.Select((n, i) => (IReadOnlyList<string>)[$"n{i}", n,
            string.Join(", ", placement.Select((node, p) => (node, p)).Where(x => x.node == i).Select(x => x.p.ToString(CultureInfo.InvariantCulture)))]), "nodes-table",
            alignNumbers: false);
        html.EndSection();
    }

    private static void Model(Html html, RunFolder run)
    {
        var r = run.Report;
        var rows = new List<(string, string, string)>
        {
            ("model_sha256", "model file SHA-256", run.ModelSha256 ?? RunFolder.NotRecorded),
            ("trained_model", "trained model written to", r.TrainedModel ?? "none (the run used a given model file)"),
        };
        if (r.TrainedBy is { } by)
        {
            rows.Add(("trained_by", "trained by (coordinator)", by.Coordinator));
            rows.Add(("", "training", $"{by.Architecture} on {by.Data}, preset {by.Preset}, {by.Epochs} epochs, seed {by.Seed}"));
            rows.Add(("", "trained from / to", $"{by.Started:u} / {by.Finished:u} ({Html.Num(by.Seconds, "0.#")} s)"));
        }
        else
        {
            rows.Add(("trained_by", "trained by", RunFolder.NotRecorded));
        }

        html.Section("model", "Model and provenance").KeyValues(rows);
        if (run.TrainingJson is { } training) html.Details("training.json", training);
        html.EndSection();
    }

    private static void Traffic(Html html, RunFolder run)
    {
        var t = run.Report.Traffic;
        html.Section("traffic", "Traffic");
        if (t is null)
        {
            html.Missing(RunFolder.NotRecorded).EndSection();
            return;
        }

        var x = run.Extras;
        html.KeyValues(
        [
            ("links", "links", t.Links.ToString(CultureInfo.InvariantCulture)),
            ("messages", "messages (spike messages)", $"{t.Messages:N0} ({t.SpikeMessages:N0})"),
            ("spikes_sent", "spikes sent", t.SpikesSent.ToString("N0", CultureInfo.InvariantCulture)),
            ("payload_bytes_per_spike", "payload bytes per spike", Html.Num(t.PayloadBytesPerSpike, "0.###")),
            ("wire_bytes_per_sample", "wire bytes per sample", x.WireBytesPerSample is { } w ? Html.Num(w, "0.0") : RunFolder.NotRecorded),
            ("latency_p90", "message latency p90 / max", x.LatencyP90 is { } p90 ? $"{Html.Num(p90)} / {Html.Num(x.LatencyMax ?? double.NaN)} ms" : RunFolder.NotRecorded),
            ("replays", "replayed messages (payload bytes)", x.ReplayMessages is { } rm ? $"{rm:N0} ({x.ReplayPayloadBytes ?? 0:N0})" : RunFolder.NotRecorded),
            ("instrument", "instrument", x.InstrumentNote ?? RunFolder.NotRecorded),
        ]);
        var nodes = run.Report.Nodes ?? [];
        html.Table(["from", "to", "messages", "events", "payload bytes"],
            (t.NodePairs ?? []).OrderBy(p => NodeIndex(p.From, nodes)).ThenBy(p => NodeIndex(p.To, nodes))
                .Select(p => (IReadOnlyList<string>)[NodeName(p.From, nodes), NodeName(p.To, nodes), p.Messages.ToString("N0", CultureInfo.InvariantCulture),
                p.Events.ToString("N0", CultureInfo.InvariantCulture), p.PayloadBytes.ToString("N0", CultureInfo.InvariantCulture)]),
            "node-pairs-table");
        if (x.ClockOffsets.Count > 0) html.KeyValues(x.ClockOffsets.Select(o => ("", $"clock offset of {o.Name}", o.Value)));
        html.EndSection();
    }

    /// <summary>n0, n1, ... for a node of the run, as the configuration's table (with its address) and the heatmaps name it; anything else as it is.</summary>
    private static string NodeName(string address, IReadOnlyList<string> nodes) =>
        NodeIndex(address, nodes) is var i and >= 0 ? $"n{i}" : address;

    private static int NodeIndex(string address, IReadOnlyList<string> nodes)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            if (string.Equals(nodes[i], address, StringComparison.Ordinal)) return i;
        }

        return -1;
    }

    private static void PartitionsTable(Html html, RunFolder run)
    {
        html.Section("partitions", "Partitions over the run");
        if (run.Partitions is { } t && t.Rows.Count > 0) html.Table(t.Header, t.Rows.Select(r => (IReadOnlyList<string>)r), "partitions-table");
        else html.Missing(run.Why("partitions.csv"));
        html.EndSection();
    }

    private static void Recovery(Html html, RunFolder run)
    {
        var rec = run.Report.Recovery;
        html.Section("recovery", "Recovery");
        if (rec is null)
        {
            html.Missing(RunFolder.NotRecorded).EndSection();
            return;
        }

        html.KeyValues(
        [
            ("batches_replayed", "batches replayed", rec.BatchesReplayed.ToString(CultureInfo.InvariantCulture)),
            ("timeout_replays", "replays after a timeout", rec.TimeoutReplays.ToString(CultureInfo.InvariantCulture)),
            ("restarts", "partitions re-homed", string.Join(", ", (rec.PartitionsRestarted ?? []).Select(p => $"{p.Partition} → {p.Node}")) is { Length: > 0 } s ? s : "none"),
            ("stale_reports", "stale reports dropped", rec.StaleReportsDropped.ToString(CultureInfo.InvariantCulture)),
        ]);
        html.EndSection();
    }
}
