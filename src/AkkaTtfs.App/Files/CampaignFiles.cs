using AkkaTtfs.Core.Engines;
using System.Globalization;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Faults;

namespace AkkaTtfs.App.Files;

/// <summary>The files of a campaign folder: the plot, campaign.json and campaign.csv.</summary>
public static class CampaignFiles
{
    private static readonly string[] Columns = ["layer", "x", "rate", "steps", "factor", "accuracy", "accuracy_change", "spikes_per_sample", "spikes_delivered_per_sample",
        "delivered_vs_fault_free", "synops_per_sample", "predictions_changed", "identical_to_fault_free", "seconds", "samples_per_second", "cpu_seconds", "samples_per_cpu_second",
        "cpu_time_vs_fault_free"];

    /// <summary>
    /// Checks before the campaign runs that its folder can be made (no file in the way, a writable folder
    /// above it) and that every file it will hold can be written (<see cref="OutputFiles.CheckOutputFile"/>).
    /// </summary>
    public static void Check(string folder, string sweep)
    {
        var full = Path.GetFullPath(folder);
        var existing = full;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing) || new FileInfo(existing).LinkTarget is not null)
                throw new UsageException($"--out {full}: {existing} is a file; give a folder for the campaign");
            existing = Path.GetDirectoryName(existing) ?? throw new UsageException($"--out {full}: no folder above it exists");
        }

        if (existing != full)
        {
            try
            {
                // A name in the folder that will hold the new ones: the same question (may a file be made here?).
                AkkaTtfs.Core.IO.OutputFile.CheckWritable(Path.Combine(existing, Path.GetFileName(full)));
            }
            catch (AkkaTtfs.Core.IO.OutputFileException ex)
            {
                throw new UsageException($"--out {full}: the folder cannot be made in {existing}: {ex.Problem}");
            }

            return;
        }

        foreach (var name in FileNames(sweep)) OutputFiles.CheckOutputFile(Path.Combine(full, name), "--out");
    }

    /// <summary>
    /// Writes the folder's files as one <see cref="OutputSet"/>; returns the report with the plot's file name. When a
    /// file fails (or Ctrl+C comes), none of them appears and the folders this call made go again.
    /// </summary>
    public static CampaignReport Write(string folder, CampaignReport report, FaultKind kind, (double Rate, int Steps, double Factor) first)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var outputs = OutputSet.Begin();
        outputs.AddFolder(OutputFolder.Create(folder));
        var xLabel = AxisLabel(kind, report.Sweep, first.Rate, first.Steps, first.Factor);
        var title = $"{report.Architecture}: accuracy vs {xLabel}";
        var series = report.Layers.Select(l => ($"layer {l}", report.Points.Where(p => p.Layer == l).Select(p => (p.X, p.Accuracy * 100)).ToArray())).ToArray();
        var plotFile = FaultPlot.Write(folder, PlotName(report.Sweep), title, xLabel, report.FaultFree.Accuracy * 100, series);
        report = report with { Plot = Path.GetFileName(plotFile) };
        OutputFiles.WriteText(Path.Combine(folder, "campaign.json"), ReportSerializer.Serialize(report));
        WriteCsv(Path.Combine(folder, "campaign.csv"), report.Points);
        outputs.Commit();
        return report;
    }

    private static string PlotName(string sweep) => $"accuracy-vs-{sweep}";

    private static string[] FileNames(string sweep) => [PlotName(sweep) + ".png", "campaign.json", "campaign.csv"];

    private static void WriteCsv(string path, IReadOnlyList<CampaignPoint> points)
    {
        var inv = CultureInfo.InvariantCulture;
        OutputFiles.WriteText(path, writer =>
        {
            writer.WriteLine(string.Join(",", Columns.Concat(FaultCounters.Names)));
            foreach (var p in points)
            {
                object[] cells = [p.Layer, p.X, p.Rate, p.Steps, p.Factor, p.Accuracy, p.AccuracyChange, p.SpikesPerSample, p.SpikesDeliveredPerSample, p.DeliveredVsFaultFree,
                    p.SynopsPerSample, p.PredictionsChanged, p.IdenticalToFaultFree, p.Seconds, p.SamplesPerSecond, p.CpuSeconds, p.SamplesPerCpuSecond, p.CpuTimeVsFaultFree];
                writer.WriteLine(string.Join(",", cells.Select(Cell).Concat(FaultCounters.Names.Select(c => p.Counters[c].ToString(inv)))));
            }
        });
    }

    private static string Cell(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The x axis label of a campaign plot.</summary>
    private static string AxisLabel(FaultKind kind, string sweep, double rate, int steps, double factor)
    {
        var inv = CultureInfo.InvariantCulture;
        var r = rate.ToString("G4", inv);
        return (kind, sweep) switch
        {
            (FaultKind.Delay, "steps") => $"extra delay in steps (p = {r})",
            (FaultKind.Jitter, "steps") => $"jitter half-width in steps (p = {r})",
            (FaultKind.Drift, "factor") => $"threshold factor (fraction {r})",
            (FaultKind.Drop, _) => "spike-drop probability",
            (FaultKind.Delay, _) => $"delay probability (d = {steps} steps)",
            (FaultKind.Jitter, _) => $"jitter probability (j = {steps} steps)",
            (FaultKind.Dead, _) => "fraction of dead neurons",
            (FaultKind.Stuck, _) => "fraction of neurons stuck at t = 0",
            (FaultKind.Drift, _) => $"fraction of neurons with drifted threshold (factor {factor.ToString("G4", inv)})",
            (FaultKind.BitFlip, _) => "bit-flip rate per weight",
            (FaultKind.ZeroWeight, _) => "zeroed-weight rate",
            (FaultKind.Duplicate, _) => "spike-duplicate probability",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no axis label for this fault kind"),
        };
    }
}
