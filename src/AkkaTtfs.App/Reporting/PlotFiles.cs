using System.Globalization;
using AkkaTtfs.App.Files;
using ScottPlot;

namespace AkkaTtfs.App.Reporting;

/// <summary>One plot of the report: its file (null when the run did not record what it shows) and why not.</summary>
public sealed record PlotFile(string Key, string Title, string? Path, string Note)
{
    /// <summary>The PNG as drawn, for the page: while the report's outputs are staged, <see cref="Path"/> is not there yet.</summary>
    public byte[]? Png { get; init; }
}

/// <summary>Shared plumbing of the report's plots: size, saving through <see cref="OutputFiles"/>, labels, binning.</summary>
internal static class PlotFiles
{
    public const int Width = 800;
    public const int Height = 500;

    public static PlotFile Save(Plot plot, string folder, string key, string title, string note = "")
    {
        var path = System.IO.Path.Combine(folder, key + ".png");
        var png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        OutputFiles.WriteBytes(path, png);
        return new PlotFile(key, title, path, note) { Png = png };
    }

    public static PlotFile Missing(string key, string title, string why) => new(key, title, null, why);

    public static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        return plot;
    }

    /// <summary>Partition label: -1 is the input injector.</summary>
    public static string PartitionLabel(int p) => p < 0 ? "input" : p.ToString(CultureInfo.InvariantCulture);

    /// <summary>Equal-width bins over [min, max]: (left edges, counts, width).</summary>
    public static (double[] Left, double[] Count, double Width) Bins(IReadOnlyList<double> values, int maxBins)
    {
        var min = values.Min();
        var max = values.Max();
        var bins = Math.Clamp((int)Math.Ceiling(Math.Sqrt(values.Count)), 1, maxBins);
        var width = max > min ? (max - min) / bins : 1;
        var counts = new double[bins];
        foreach (var v in values) counts[Math.Min((int)((v - min) / width), bins - 1)]++;
        return (Enumerable.Range(0, bins).Select(i => min + (i * width)).ToArray(), counts, width);
    }

    /// <summary>Vertical bars from left edges (a histogram).</summary>
    public static void Histogram(Plot plot, double[] left, double[] counts, double width, Color color)
    {
        var bars = left.Select((x, i) => new Bar { Position = x + (width / 2), Value = counts[i], Size = width * 0.95, FillColor = color, LineWidth = 0 }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);     // counts start at zero, not below it
    }

    public static string Count(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
