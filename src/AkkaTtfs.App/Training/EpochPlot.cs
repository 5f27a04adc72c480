using System.Globalization;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.App.Training;

/// <summary>
/// PNG of a training run's validation accuracy against validation spikes per sample, one point per epoch in
/// epoch order, the kept epoch marked: shows what the keep rule traded. Self-contained (ScottPlot only).
/// </summary>
public static class EpochPlot
{
    /// <summary>model.safetensors -> model.epochs.png.</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, ".epochs.png");

    /// <summary>Writes the plot; false (with one line on stderr) when there is nothing to plot or PNG rendering is unavailable here.</summary>
    public static bool Write(TrainingReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.History.All(h => h.ValidationAccuracy is null || h.ValidationSpikesPerSample is null))
        {
            Console.Error.WriteLine("no epoch plot: the run had no validation split");
            return false;
        }

        try
        {
            Render(report, path);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            Console.Error.WriteLine($"no epoch plot: PNG rendering is unavailable ({ex.GetType().Name}: {ex.Message})");
            return false;
        }
    }

    private static void Render(TrainingReport report, string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var plot = new ScottPlot.Plot();
        var first = report.FirstSelectableEpoch;
        var measured = report.History.Where(h => h.ValidationAccuracy is not null && h.ValidationSpikesPerSample is not null).ToArray();
        var early = measured.Where(h => h.Epoch <= first).ToArray();           // up to and including the first selectable: joins the two lines
        var selectable = measured.Where(h => h.Epoch >= first).ToArray();
        if (early.Length > 1)
        {
            var before = plot.Add.Scatter(early.Select(h => h.ValidationSpikesPerSample!.Value).ToArray(), early.Select(h => h.ValidationAccuracy!.Value * 100).ToArray(),
                ScottPlot.Colors.Gray);
            before.LegendText = FormattableString.Invariant($"validation, epochs 1-{first - 1} (method not yet in force)");
            before.MarkerSize = 5;
        }

        var line = plot.Add.Scatter(selectable.Select(h => h.ValidationSpikesPerSample!.Value).ToArray(), selectable.Select(h => h.ValidationAccuracy!.Value * 100).ToArray(),
            ScottPlot.Colors.C0);
        line.LegendText = FormattableString.Invariant($"validation, epochs {first}-{report.History.Count} (selectable)");
        line.MarkerSize = 7;
        line.LineWidth = 2;

        var traced = report.History.Where(h => h.TestAccuracy is not null && h.TestSpikesPerSample is not null && h.Epoch >= first).ToArray();
        if (traced.Length > 0)
        {
            var test = plot.Add.Scatter(traced.Select(h => h.TestSpikesPerSample!.Value).ToArray(), traced.Select(h => h.TestAccuracy!.Value * 100).ToArray(),
                ScottPlot.Colors.C1);
            test.LegendText = "test (--trace-test diagnostic, not used for selection)";
            test.MarkerSize = 5;
            test.LinePattern = ScottPlot.LinePattern.Dashed;
        }

        // Epoch numbers next to the first, last and every fifth selectable point.
        foreach (var h in selectable.Where(h => h.Epoch == first || h.Epoch == report.History.Count || h.Epoch % 5 == 0))
        {
            var label = plot.Add.Text(h.Epoch.ToString(inv), h.ValidationSpikesPerSample!.Value, h.ValidationAccuracy!.Value * 100);
            label.LabelFontSize = 11;
            label.LabelFontColor = ScottPlot.Colors.DarkBlue;
            label.LabelOffsetX = 6;
            label.LabelOffsetY = -16;
        }

        var kept = report.History[report.KeptEpoch - 1];
        if (kept.ValidationAccuracy is { } keptAccuracy && kept.ValidationSpikesPerSample is { } keptSpikes)
        {
            var marker = plot.Add.Marker(keptSpikes, keptAccuracy * 100, ScottPlot.MarkerShape.OpenCircle, 18, ScottPlot.Colors.Red);
            marker.MarkerLineWidth = 3;
            marker.LegendText = string.Create(inv, $"kept: epoch {report.KeptEpoch} ({keptAccuracy:P2}, {keptSpikes:F0} spikes)");
        }

        if (report.BestValidationAccuracy is { } best)
        {
            var bestLine = plot.Add.HorizontalLine(best * 100, 1, ScottPlot.Colors.Gray, ScottPlot.LinePattern.Dotted);
            bestLine.LegendText = string.Create(inv, $"best validation accuracy ({best:P2})");
        }

        // Focus on the selectable epochs: the early ones (tens of points lower while SR ramps up) would squash them into a line.
        var focus = selectable.Select(h => h.ValidationAccuracy!.Value).Concat(traced.Select(h => h.TestAccuracy!.Value)).Select(a => a * 100).ToArray();
        plot.Axes.SetLimitsY(Math.Floor(focus.Min() - 1), Math.Min(100, Math.Ceiling(focus.Max() + 0.5)));
        plot.Axes.SetLimitsX(0, measured.Max(h => h.ValidationSpikesPerSample!.Value) * 1.05);

        var o = report.Options;
        plot.Title(string.Create(inv, $"{report.Architecture} {o.Preset.Name()} on {report.Dataset}, lambda_TB {o.LambdaTb:G3}, seed {o.Seed}: keep {o.ResolvedKeep}"));
        plot.XLabel(string.Create(inv, $"hidden spikes per sample (validation: {report.ValidationSamples} samples)"));
        plot.YLabel("accuracy (%)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 1000, 620);
    }
}
