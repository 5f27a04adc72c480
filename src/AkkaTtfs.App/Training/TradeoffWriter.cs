using System.Globalization;
using System.Text;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.App.Training;

/// <summary>
/// Writes what <c>akkattfs tradeoff</c> measured: tradeoff.json (the typed report), tradeoff.csv (one row
/// per run), tradeoff-points.csv (mean and spread per point) and tradeoff.png (test accuracy vs spikes per
/// sample: the SR+TR+TB curve over lambda_TB with SM and the ReLU baseline as reference points).
/// Self-contained: files only, no console.
/// </summary>
public static class TradeoffWriter
{
    public const string JsonName = "tradeoff.json";
    public const string RunsCsvName = "tradeoff.csv";
    public const string PointsCsvName = "tradeoff-points.csv";
    public const string PlotName = "tradeoff.png";

    /// <summary>Writes the JSON and both CSVs into <paramref name="folder"/>.</summary>
    public static void WriteData(TradeoffReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        AkkaTtfs.App.Files.OutputFiles.WriteText(Path.Combine(folder, JsonName), report.ToJson());
        AkkaTtfs.App.Files.OutputFiles.WriteText(Path.Combine(folder, RunsCsvName), RunsCsv(report.Runs));
        AkkaTtfs.App.Files.OutputFiles.WriteText(Path.Combine(folder, PointsCsvName), PointsCsv(report.Points));
    }

    /// <summary>One row per trained model.</summary>
    public static string RunsCsv(IReadOnlyList<TradeoffRun> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var layers = runs.Count == 0 ? 0 : runs.Max(r => r.SpikesPerSamplePerLayer.Count);
        var sb = new StringBuilder("preset,lambda_tb,seed,kept_epoch,kept_validation_accuracy,kept_validation_spikes_per_sample,surrogate_test_accuracy," +
                                   "surrogate_test_spikes_per_sample,dnn_accuracy,snn_accuracy,agreement,spikes_per_sample");
        for (var l = 0; l < layers; l++) sb.Append(inv, $",spikes_per_sample_layer{l}");
        sb.Append(",synops_per_sample,dnn_macs_per_sample,energy_snn_pj,energy_dnn_pj,energy_ratio,training_seconds\n");
        foreach (var r in runs)
        {
            sb.Append(inv, $"{r.Preset},{r.LambdaTb:R},{r.Seed},{r.KeptEpoch},{Optional(r.KeptValidationAccuracy)},{Optional(r.KeptValidationSpikesPerSample)},");
            sb.Append(inv, $"{r.SurrogateTestAccuracy:R},{r.SurrogateTestSpikesPerSample:R},{r.DnnAccuracy:R},{r.SnnAccuracy:R},{r.Agreement:R},{r.SpikesPerSample:R}");
            for (var l = 0; l < layers; l++) sb.Append(',').Append(l < r.SpikesPerSamplePerLayer.Count ? r.SpikesPerSamplePerLayer[l].ToString("R", inv) : "");
            var ratio = r.EnergyDnnPicojoules == 0 ? 0 : r.EnergySnnPicojoules / r.EnergyDnnPicojoules;
            sb.Append(inv, $",{r.SynOpsPerSample:R},{r.DnnMacsPerSample},{r.EnergySnnPicojoules:R},{r.EnergyDnnPicojoules:R},{ratio:R},{r.TrainingSeconds:F1}\n");
        }

        return sb.ToString();
    }

    /// <summary>One row per point: mean, standard deviation, min and max over the seeds.</summary>
    public static string PointsCsv(IReadOnlyList<TradeoffPoint> points)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("label,preset,lambda_tb,seeds");
        foreach (var q in new[] { "accuracy", "spikes_per_sample", "agreement", "synops_per_sample", "energy_ratio" })
            sb.Append(inv, $",{q}_mean,{q}_std,{q}_min,{q}_max");
        sb.Append(",spikes_vs_sm\n");
        foreach (var p in points)
        {
            sb.Append(inv, $"\"{p.Label}\",{p.Preset},{p.LambdaTb:R},{p.Seeds}");
            foreach (var s in new[] { p.Accuracy, p.SpikesPerSample, p.Agreement, p.SynOpsPerSample, p.EnergyRatio })
                sb.Append(inv, $",{s.Mean:R},{s.StdDev:R},{s.Min:R},{s.Max:R}");
            sb.Append(',').Append(Optional(p.SpikesVsSm)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes tradeoff.png; false (one line on stderr) where PNG rendering is unavailable.</summary>
    public static bool WritePlot(TradeoffReport report, string folder)
    {
        try
        {
            RenderPlot(report, Path.Combine(folder, PlotName));
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            Console.Error.WriteLine($"no trade-off plot: PNG rendering is unavailable ({ex.GetType().Name}: {ex.Message})");
            return false;
        }
    }

    private static void RenderPlot(TradeoffReport report, string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var plot = new ScottPlot.Plot();
        var tb = report.Points.Where(p => p.Preset == TrainingPreset.SrTrTb.Name()).OrderBy(p => p.LambdaTb).ToArray();
        var seeds = report.Seeds.Count;

        // Individual seeds as small dots, so the spread is visible, then the means with error bars (one standard deviation).
        var tbRuns = report.Runs.Where(r => r.Preset == TrainingPreset.SrTrTb.Name()).ToArray();
        if (seeds > 1 && tbRuns.Length > 0)
        {
            var dots = plot.Add.ScatterPoints(tbRuns.Select(r => r.SpikesPerSample).ToArray(), tbRuns.Select(r => r.SnnAccuracy * 100).ToArray(), ScottPlot.Colors.C0.WithAlpha(0.45));
            dots.MarkerSize = 5;
            dots.LegendText = "SR+TR+TB, single seeds";
        }

        if (tb.Length > 0)
        {
            var xs = tb.Select(p => p.SpikesPerSample.Mean).ToArray();
            var ys = tb.Select(p => p.Accuracy.Mean * 100).ToArray();
            var curve = plot.Add.Scatter(xs, ys, ScottPlot.Colors.C0);
            curve.LineWidth = 2;
            curve.MarkerSize = 9;
            curve.LegendText = seeds > 1 ? $"SR+TR+TB over lambda_TB (mean of {seeds} seeds, bars: 1 std)" : "SR+TR+TB over lambda_TB";
            if (seeds > 1)
            {
                foreach (var p in tb)
                {
                    var (x, y, dx, dy) = (p.SpikesPerSample.Mean, p.Accuracy.Mean * 100, p.SpikesPerSample.StdDev, p.Accuracy.StdDev * 100);
                    plot.Add.Line(x - dx, y, x + dx, y).Color = ScottPlot.Colors.C0;
                    plot.Add.Line(x, y - dy, x, y + dy).Color = ScottPlot.Colors.C0;
                }
            }

            foreach (var p in tb)
            {
                var label = plot.Add.Text(string.Create(inv, $"{p.LambdaTb:G3}"), p.SpikesPerSample.Mean, p.Accuracy.Mean * 100);
                label.LabelFontSize = 12;
                label.LabelFontColor = ScottPlot.Colors.DarkBlue;
                label.LabelOffsetX = 8;
                label.LabelOffsetY = 4;
            }
        }

        Reference(plot, report.Points.FirstOrDefault(p => p.Preset == TrainingPreset.Sm.Name()), ScottPlot.MarkerShape.FilledSquare, ScottPlot.Colors.C3,
            "SM (TTFS surrogate, SNN)");
        Reference(plot, report.Points.FirstOrDefault(p => p.Preset == TrainingPreset.Relu.Name()), ScottPlot.MarkerShape.FilledDiamond, ScottPlot.Colors.C2,
            "ReLU DNN (non-zero activations)");

        plot.Title(string.Create(inv, $"{report.Architecture} on {report.Dataset}: {report.Epochs} epochs, keep {report.Keep}, {report.TestSamples} test samples"));
        plot.XLabel("hidden spikes per test sample (ReLU: non-zero activations)");
        plot.YLabel("test accuracy (%)");
        plot.Axes.SetLimitsX(0, Math.Max(1, report.Points.Max(p => p.SpikesPerSample.Max)) * 1.08);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        AkkaTtfs.App.Files.OutputFiles.WriteBytes(path, plot.GetImageBytes(1000, 640, ScottPlot.ImageFormat.Png));     // through OutputFile: never half a PNG
    }

    private static void Reference(ScottPlot.Plot plot, TradeoffPoint? point, ScottPlot.MarkerShape shape, ScottPlot.Color color, string text)
    {
        if (point is null) return;
        var marker = plot.Add.Marker(point.SpikesPerSample.Mean, point.Accuracy.Mean * 100, shape, 13, color);
        marker.LegendText = string.Create(CultureInfo.InvariantCulture,
            $"{text}: {point.Accuracy.Mean:P2}, {point.SpikesPerSample.Mean:F0}{(point.Seeds > 1 ? $" (mean of {point.Seeds})" : "")}");
    }

    private static string Optional(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
