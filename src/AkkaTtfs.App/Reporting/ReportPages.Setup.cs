using System.Globalization;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.App.Reporting;

/// <summary>index.html's sections on how the run was set up: placement, link emulation, time and memory, machine.</summary>
internal static partial class ReportPages
{
    private static void Placement(Html html, RunFolder run)
    {
        html.Section("placement", "Placement and cross-node bytes");
        if (run.Report.Placement is not { } p)
        {
            html.Missing(RunFolder.NotRecorded).EndSection();
            return;
        }

        // The prediction needs a fault-free run verified against a reference that recorded its spike times (capped in
        // memory: RunReports.MaxReferenceSpikeTimes); the traffic section's note says which of these held.
        const string noPrediction = "not predicted (it needs a fault-free, verified run whose reference recorded its spike times; see the note under Traffic)";
        html.KeyValues(
        [
            ("placement_strategy", "strategy", p.Strategy),
            ("cross_node_measured", "cross-node payload bytes, measured", Bytes(p.MeasuredCrossNodePayloadBytes)),
            ("cross_node_predicted", "cross-node payload bytes, predicted (Core traffic model, this placement)",
                p.PredictedCrossNodePayloadBytes is { } predicted ? Bytes(predicted) : noPrediction),
            ("cross_node_error", "measured against predicted",
                p.PredictedCrossNodePayloadBytes is { } q ? Deviation(p.MeasuredCrossNodePayloadBytes, q) : noPrediction),
            ("cross_node_balanced", "predicted for the MAC-balanced placement on the same nodes",
                p.PredictedBalancedCrossNodePayloadBytes is { } b ? Bytes(b) + Against(p.PredictedCrossNodePayloadBytes, b) : noPrediction),
        ]);
        html.Paragraph("Payload bytes of the spike and input messages between different processes. Measured: the trace's cross-process messages " +
            "(replays included) when recorded, else the links under the final placement. Predicted: Core's traffic model over the reference run.", "note");
        html.EndSection();
    }

    private static void LinkEmulation(Html html, RunFolder run)
    {
        html.Section("link-emulation", "Link emulation");
        if (run.Report.LinkEmulation is not { } l)
        {
            html.Missing("none: messages between nodes went over the real network (or loopback) as they are").EndSection();
            return;
        }

        html.KeyValues(
        [
            ("link_latency", "latency (one way, per message)", l.LatencyMs > 0 ? LinkUnits.FormatDuration(l.LatencyMs) : "none"),
            ("link_bandwidth", "bandwidth per node pair", l.BandwidthBytesPerSecond > 0
                ? $"{LinkUnits.FormatRate(l.BandwidthBytesPerSecond)} ({l.BandwidthBytesPerSecond.ToString("N0", CultureInfo.InvariantCulture)} B/s)"
                : "unlimited"),
            ("link_scope", "links emulated", l.Scope),
            ("link_mechanism", "how", l.Mechanism),
        ]);
        html.EndSection();
    }

    private static void TimeAndMemory(Html html, RunFolder run)
    {
        var r = run.Report;
        var rows = new List<(string, string, string)>
        {
            ("deploy_seconds", "deploy (partitions spawned and linked on the nodes)", Seconds(r.DeploySeconds)),
            ("run_time", "run (first input to last result)", Seconds(r.RunSeconds)),
            ("reference_seconds", "Core reference (for the verification)", r.ReferenceSeconds > 0 ? Seconds(r.ReferenceSeconds) : "not run"),
        };
        if (r.Memory is { } m)
        {
            rows.Add(("memory_process", "memory of", m.Process));
            rows.Add(("memory_peak", "peak working set (RAM, VmHWM)", Megabytes(m.PeakWorkingSetMegabytes)));
            rows.Add(("memory_heap", "managed heap after the run", Megabytes(m.ManagedHeapMegabytes)));
        }
        else
        {
            rows.Add(("memory_peak", "memory", RunFolder.NotRecorded));
        }

        rows.AddRange(run.Extras.Memory.Select(p => ("", Words(p.Name), p.Value)));
        var nodeMemory = r.NodeMemory ?? [];   // null in report.json files written before workers reported memory
        foreach (var node in nodeMemory)
            rows.Add(("", $"node {node.Node} (pid {node.ProcessId})",
                $"{NodeSample(node.Deployed)} / {NodeSample(node.End)}"));
        html.Section("resources", "Time and memory").KeyValues(rows);
        if (r.Memory is not null)
            html.Paragraph(nodeMemory.Count > 0
                ? "The memory rows above the node rows are the process that wrote this report; a node row is the peak working set that worker node reported after deploy / at the end (embedded nodes share the process)."
                : "Memory of the process that wrote this report only; this run's report holds no worker-node memory.", "note");
        html.EndSection();
    }

    private static string NodeSample(Reports.MemorySampleReport? m) => m is null ? "not reported" : Megabytes(m.PeakWorkingSetMegabytes);

    private static void Machine(Html html, RunFolder run)
    {
        html.Section("machine", "Machine and load");
        if (run.Report.Machine is { } m)
        {
            html.KeyValues(
            [
                ("machine_cores", "cores", m.Cores.ToString(CultureInfo.InvariantCulture)),
                ("machine_load", "load average (1, 5, 15 min) when the report was written", m.LoadAverage),
                ("machine_os", "operating system", m.Os),
                ("machine_dotnet", ".NET", m.Dotnet),
                ("machine_simd", "SIMD width", $"{m.SimdWidthFloats} floats"),
                ("machine_gc", "garbage collector", m.Gc),
            ]);
            if (double.TryParse(m.LoadAverage.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) && load > m.Cores)
                html.Paragraph($"The machine was loaded past its {m.Cores} cores (load {Html.Num(load, "0.##")}): times and throughput are lower than on a quiet machine.", "note");
        }
        else if (run.Extras.Machine.Count > 0)
        {
            html.KeyValues(run.Extras.Machine.Select(p => ("", Words(p.Name), p.Value)));
        }
        else
        {
            html.Missing(RunFolder.NotRecorded);
        }

        html.EndSection();
    }

    private static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " B";

    private static string Seconds(double s) => Html.Num(s, "0.###") + " s";

    private static string Megabytes(double mb) => Html.Num(mb, "N0") + " MB";

    /// <summary>"equal", or how far the measurement is off the prediction, in percent of the prediction.</summary>
    private static string Deviation(long measured, long predicted)
    {
        if (measured == predicted) return "equal";
        var diff = measured - predicted;
        var sign = diff > 0 ? "+" : "−";
        var abs = Math.Abs(diff).ToString("N0", CultureInfo.InvariantCulture);
        return predicted == 0 ? $"{sign}{abs} B (nothing predicted)" : $"{sign}{abs} B ({sign}{Html.Num(Math.Abs(diff) * 100.0 / predicted, "0.##")} %)";
    }

    /// <summary>What this placement saves against the balanced one (both predicted).</summary>
    private static string Against(long? predicted, long balanced) =>
        predicted is not { } p || balanced == 0 || p == balanced ? ""
            : p < balanced ? $"; this placement: {Html.Num((balanced - p) * 100.0 / balanced, "0.#")} % fewer"
            : $"; this placement: {Html.Num((p - balanced) * 100.0 / balanced, "0.#")} % more";

    /// <summary>A report.json member name for people: peak_rss_mb -> "peak rss mb".</summary>
    private static string Words(string name) => name.Replace('_', ' ');
}
