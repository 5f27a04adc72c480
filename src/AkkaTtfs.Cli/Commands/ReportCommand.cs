using System.CommandLine;
using System.Globalization;
using AkkaTtfs.App.Reporting;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs report RUN [RUN_B ...]</c>: one run's summary with RUN/plots/*.png and RUN/index.html, or several
/// runs side by side in compare.html. The work is <see cref="ReportService"/>'s.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs")
        {
            Description = "Run folders written by run (report.json, links.csv, ...); one: its report, several: a comparison; or one sweep folder (sweep.json): its page",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<FileInfo?>("--out", "-o")
        {
            Description = "Where a comparison of several runs writes its page (default: compare.html in the current folder); one run's page is always RUN/index.html",
        };
        var command = new Command("report",
            "Summarise a run folder in the terminal and write RUN/index.html (one self-contained page: plots, tables, config, model, machine) " +
            "with the plots in RUN/plots/; with several folders, compare them side by side and write compare.html")
        {
            runs, output,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            var folders = parse.GetValue(runs)!;
            var outFile = parse.GetValue(output)?.FullName;
            if (folders.Length == 1 && SweepPage.IsSweep(folders[0]))
            {
                if (outFile is not null) throw new CliUsageException("--out names the page of a comparison; a sweep's page is SWEEP/index.html");
                var sweep = SweepPage.Report(folders[0]);
                Console.WriteLine($"sweep of {sweep.Sweep.Architecture}: {sweep.Sweep.Points.Count} of {sweep.Sweep.PointsPlanned} points, {sweep.Plots.Count(p => p.Path is not null)} plots");
                Console.WriteLine($"page               {sweep.Page}");
                return 0;
            }

            if (folders.Length == 1)
            {
                if (outFile is not null) throw new CliUsageException("--out names the page of a comparison; one run's page is RUN/index.html");
                PrintRun(ReportService.Report(folders[0]));
                return 0;
            }

            PrintComparison(ReportService.Compare(folders, outFile));
            return 0;
        }));
        return command;
    }

    private static void PrintRun(RunPageResult result)
    {
        var s = result.Summary;
        Console.WriteLine($"run {s.Name}: {s.Samples} samples, partitions {s.Partitions} on {s.NodeCount} node(s)");
        foreach (var (name, value) in ReportService.SummaryRows(s)) Console.WriteLine($"  {name,-36} {value}");
        for (var l = 0; l < s.SpikesPerSamplePerLayer.Count; l++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"layer " + l + " spikes per sample",-36} {s.SpikesPerSamplePerLayer[l]:0.##}"));
        var drawn = result.Plots.Count(p => p.Path is not null);
        Console.WriteLine($"plots              {drawn} written, {result.Plots.Count - drawn} not recorded in this run");
        Console.WriteLine($"page               {result.Page}");
    }

    private static void PrintComparison(ComparisonResult result)
    {
        var width = Math.Max(30, result.Rows.Max(r => r.Name.Length) + 2);
        var columns = result.Runs.Select((r, i) => Math.Max(r.Name.Length, result.Rows.Max(row => row.Values[i].Length)) + 2).ToArray();
        Console.WriteLine("".PadRight(width) + string.Concat(result.Runs.Select((r, i) => r.Name.PadLeft(columns[i]))));
        foreach (var (name, values) in result.Rows)
            Console.WriteLine(name.PadRight(width) + string.Concat(values.Select((v, i) => v.PadLeft(columns[i]))));
        Console.WriteLine($"page               {result.Page}");
    }
}
