using System.Globalization;
using System.Text.Json;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.App.Services;

namespace AkkaTtfs.App.Reporting;

/// <summary>The report of a sweep folder: its plots (SWEEP/plots/*.png) and one page (SWEEP/index.html).</summary>
public sealed record SweepPageResult(SweepReport Sweep, IReadOnlyList<PlotFile> Plots, string Page);

/// <summary><c>report</c> on a sweep folder, and the plots <c>sweep</c> draws when it ends.</summary>
public static class SweepPage
{
    /// <summary>True when <paramref name="folder"/> holds a sweep (sweep.json) rather than a run.</summary>
    public static bool IsSweep(string folder) => File.Exists(Path.Combine(Path.GetFullPath(folder), SweepService.JsonFile));

    /// <summary>Reads sweep.json; a file that is not one is a usage error naming it.</summary>
    public static SweepReport Load(string folder)
    {
        var path = Path.Combine(Path.GetFullPath(folder), SweepService.JsonFile);
        try
        {
            var sweep = SweepSerializer.Deserialize(File.ReadAllText(path));
            if (sweep.SchemaVersion is < SweepSerializer.OldestReadable or > SweepSerializer.SchemaVersion)
                throw new UsageException($"{path}: schema_version {sweep.SchemaVersion}, and this akkattfs reads {SweepSerializer.OldestReadable} to {SweepSerializer.SchemaVersion}");
            return sweep;
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{path} is not a sweep report: {ExpectedFailures.OneLine(ex.Message)}");
        }
        catch (IOException ex)
        {
            throw new UsageException($"{path}: {ex.Message}");
        }
    }

    /// <summary>The plots, in SWEEP/plots; where the native renderer cannot load, one entry says why.</summary>
    public static IReadOnlyList<PlotFile> WritePlots(SweepReport sweep, string folder)
    {
        var plots = Path.Combine(Path.GetFullPath(folder), ReportService.PlotsFolder);
        Directory.CreateDirectory(plots);
        try
        {
            return SweepPlots.Write(sweep, plots);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            return [PlotFiles.Missing("sweep", "Sweep plots", $"the plots could not be drawn: {ExpectedFailures.OneLine(ex.Message)}")];
        }
    }

    /// <summary>Redraws the plots and writes SWEEP/index.html.</summary>
    public static SweepPageResult Report(string folder)
    {
        var sweep = Load(folder);
        var plots = WritePlots(sweep, folder);
        var page = Path.Combine(Path.GetFullPath(folder), ReportService.IndexFile);
        OutputFiles.WriteText(page, Page(sweep, plots));
        return new SweepPageResult(sweep, plots, page);
    }

    private static string Page(SweepReport sweep, IReadOnlyList<PlotFile> plots)
    {
        var ok = sweep.Points.Count(p => p.Status == SweepStatus.Ok);
        var html = new Html($"Sweep of {sweep.Architecture}");
        html.Section("summary", "Summary").KeyValues(
        [
            ("model", "model", sweep.Model),
            ("samples", "samples per point", sweep.Samples.ToString(CultureInfo.InvariantCulture) + " of " + sweep.Data),
            ("grid", "grid", $"partitions {string.Join(" | ", sweep.Grid.Partitions)}; nodes {string.Join(", ", sweep.Grid.Nodes)}; " +
                             $"batch {string.Join(", ", sweep.Grid.Batch)}; placement {string.Join(", ", sweep.Grid.Placement)}; " +
                             $"link latency {string.Join(", ", sweep.Grid.LinkLatency)}; link bandwidth {string.Join(", ", sweep.Grid.LinkBandwidth)}"),
            ("points", "points", $"{sweep.Points.Count} of {sweep.PointsPlanned} ran{(sweep.Complete ? "" : " (interrupted)")}; {ok} ok"),
            ("elapsed", "elapsed", Html.Num(sweep.ElapsedSeconds, "0.0") + " s (reference " + Html.Num(sweep.ReferenceSeconds, "0.0") + " s)"),
            ("started", "started", sweep.Started.ToString("u", CultureInfo.InvariantCulture)),
        ]).EndSection();
        html.Section("points", "Points").Table(
            ["point", "status", "samples/s", "payload B/sample", "cross-node B/sample", "cross-node B predicted", "cross-node B measured", "p50 ms", "p99 ms",
                "cross-node message p50 ms", "error"],
            sweep.Points.Select(p => (IReadOnlyList<string>)
            [
                SweepPlots.Label(p), p.Status, Opt(p.SamplesPerSecond, "0"), Opt(p.PayloadBytesPerSample, "0"), Opt(p.CrossNodeBytesPerSample, "0"),
                p.PredictedCrossNodeBytes?.ToString("N0", CultureInfo.InvariantCulture) ?? RunFolder.NotRecorded,
                p.MeasuredCrossNodeBytes?.ToString("N0", CultureInfo.InvariantCulture) ?? RunFolder.NotRecorded,
                Opt(p.BatchLatencyP50Ms, "0.0"), Opt(p.BatchLatencyP99Ms, "0.0"), p.MeasuredCrossNodeBytes == 0 && p.CrossNodeLatencyP50Ms is null ? "none (no cross-node messages)" : Opt(p.CrossNodeLatencyP50Ms, "0.00"),
                p.Error ?? "",
            ]), "points").EndSection();
        html.Section("plots", "Plots");
        foreach (var plot in plots) html.Figure(plot);
        return html.EndSection().ToString();
    }

    private static string Opt(double? v, string format) => v is { } x ? Html.Num(x, format) : RunFolder.NotRecorded;
}
