using AkkaTtfs.App.Files;

namespace AkkaTtfs.App.Reporting;

/// <summary>The report of one run: its summary, plots and the page written.</summary>
public sealed record RunPageResult(RunSummary Summary, IReadOnlyList<PlotFile> Plots, string Page);

/// <summary>A comparison of runs: their summaries, the rows shown side by side, the page written.</summary>
public sealed record ComparisonResult(IReadOnlyList<RunSummary> Runs, IReadOnlyList<(string Name, string[] Values)> Rows, string Page);

/// <summary>
/// <c>report</c>: reads run folders and writes RUN/plots/*.png with RUN/index.html (together, or none of them), or
/// compare.html for several runs. Every folder is read (and refused with one line) before anything is written.
/// </summary>
public static class ReportService
{
    public const string IndexFile = "index.html";
    public const string PlotsFolder = "plots";

    /// <summary>
    /// One run's report: its plots and page are one set of outputs, put in place together at the end, so a failure
    /// or Ctrl+C on the way leaves neither new plots nor a page (and no plots folder it made).
    /// </summary>
    public static RunPageResult Report(string folder)
    {
        var run = RunFolder.Load(folder);
        var page = Path.Combine(run.Path, IndexFile);
        OutputFiles.CheckOutputFile(page, "the report page");
        var summary = RunSummary.Of(run);
        using var outputs = OutputSet.Begin();
        var plotsFolder = OutputFolder.Create(Path.Combine(run.Path, PlotsFolder));
        outputs.AddFolder(plotsFolder);
        var plots = new List<PlotFile>();
        plots.AddRange(Plots(() => TrafficHeatmaps.Write(run, plotsFolder.Path), "heatmaps"));
        plots.AddRange(Plots(() => TimePlots.Write(run, plotsFolder.Path), "time plots"));
        OutputFiles.WriteText(page, ReportPages.RunPage(run, summary, plots));
        outputs.Commit();
        return new RunPageResult(summary, plots, page);
    }

    /// <summary>Compares runs side by side; <paramref name="outFile"/> null: compare.html in the current folder.</summary>
    public static ComparisonResult Compare(IReadOnlyList<string> folders, string? outFile)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count < 2) throw new UsageException("a comparison needs at least two run folders");
        var page = Path.GetFullPath(outFile ?? "compare.html");
        OutputFiles.CheckOutputFile(page, "--out");
        var runs = folders.Select(RunFolder.Load).ToArray();
        var summaries = runs.Select(RunSummary.Of).ToArray();
        OutputFiles.WriteText(page, ReportPages.ComparePage(summaries, runs.Select(r => r.Path).ToArray()));
        return new ComparisonResult(summaries, ReportPages.CompareRows(summaries), page);
    }

    /// <summary>The summary rows (name, value) the terminal prints for one run.</summary>
    public static IEnumerable<(string Name, string Value)> SummaryRows(RunSummary summary) =>
        ReportPages.SummaryRows(summary).Select(r => (r.Name, r.Value));

    /// <summary>
    /// Plots need ScottPlot's native renderer (SkiaSharp); where it cannot load, the page still comes out and
    /// says why each plot is missing.
    /// </summary>
    private static List<PlotFile> Plots(Func<List<PlotFile>> write, string what)
    {
        try
        {
            return write();
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            return [PlotFiles.Missing(what, what, $"the {what} could not be drawn: {ExpectedFailures.OneLine(ex.Message)}")];
        }
    }
}
