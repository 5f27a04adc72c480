using System.Globalization;
using System.Text;

namespace AkkaTtfs.App.Files;

/// <summary>Plots accuracy vs a swept fault parameter: PNG with ScottPlot, or a plain SVG where its native renderer cannot load.</summary>
public static class FaultPlot
{
    /// <summary>Writes <paramref name="name"/>.png (or .svg) into <paramref name="folder"/>; returns the file's path.</summary>
    public static string Write(string folder, string name, string title, string xLabel, double reference, IReadOnlyList<(string Label, (double X, double Y)[] Points)> series)
    {
        var png = Path.Combine(folder, name + ".png");
        try
        {
            WritePng(png, title, xLabel, reference, series);
            return png;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            var svg = Path.Combine(folder, name + ".svg");
            OutputFiles.WriteText(svg, Svg(title, xLabel, reference, series));
            return svg;
        }
    }

    private static void WritePng(string path, string title, string xLabel, double reference, IReadOnlyList<(string Label, (double X, double Y)[] Points)> series)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var (label, points) = series[i];
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), palette.GetColor(i));
            scatter.LegendText = label;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
        }

        var line = plot.Add.HorizontalLine(reference, 1.5f, ScottPlot.Colors.Gray, ScottPlot.LinePattern.Dashed);
        line.LegendText = string.Create(CultureInfo.InvariantCulture, $"fault-free ({reference:F2}%)");
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("accuracy (%)");
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        OutputFiles.WriteBytes(path, plot.GetImageBytes(900, 560, ScottPlot.ImageFormat.Png));     // through OutputFile: never half a PNG
    }

    /// <summary>A self-contained SVG line chart (no fonts or native code needed to write it).</summary>
    internal static string Svg(string title, string xLabel, double reference, IReadOnlyList<(string Label, (double X, double Y)[] Points)> series)
    {
        const double width = 900, height = 560, left = 70, right = 30, top = 50, bottom = 60;
        var inv = CultureInfo.InvariantCulture;
        var all = series.SelectMany(s => s.Points).ToArray();
        var xMin = all.Length == 0 ? 0 : all.Min(p => p.X);
        var xMax = all.Length == 0 ? 1 : all.Max(p => p.X);
        if (xMax <= xMin) xMax = xMin + 1;
        var yMin = Math.Floor(Math.Min(reference, all.Length == 0 ? reference : all.Min(p => p.Y)) - 1);
        var yMax = Math.Ceiling(Math.Max(reference, all.Length == 0 ? reference : all.Max(p => p.Y)) + 1);
        double Sx(double x) => left + ((x - xMin) / (xMax - xMin) * (width - left - right));
        double Sy(double y) => height - bottom - ((y - yMin) / (yMax - yMin) * (height - top - bottom));
        string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        string[] colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">\n");
        sb.Append(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"{width / 2}\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">{Esc(title)}</text>\n");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        for (var i = 0; i <= 5; i++)
        {
            var x = xMin + ((xMax - xMin) * i / 5);
            var y = yMin + ((yMax - yMin) * i / 5);
            sb.Append(inv, $"<text x=\"{Sx(x):F1}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{x:G4}</text>\n");
            sb.Append(inv, $"<text x=\"{left - 8}\" y=\"{Sy(y) + 4:F1}\" text-anchor=\"end\">{y:G4}</text>\n");
        }

        sb.Append(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 15}\" text-anchor=\"middle\">{Esc(xLabel)}</text>\n");
        sb.Append(inv, $"<text x=\"18\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {(top + height - bottom) / 2})\">accuracy (%)</text>\n");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{Sy(reference):F1}\" x2=\"{width - right}\" y2=\"{Sy(reference):F1}\" stroke=\"gray\" stroke-dasharray=\"6 4\"/>\n");
        sb.Append(inv, $"<text x=\"{width - right - 4}\" y=\"{Sy(reference) - 6:F1}\" text-anchor=\"end\" fill=\"gray\">fault-free ({reference:F2}%)</text>\n");
        for (var i = 0; i < series.Count; i++)
        {
            var colour = colours[i % colours.Length];
            var points = string.Join(" ", series[i].Points.Select(p => string.Create(inv, $"{Sx(p.X):F1},{Sy(p.Y):F1}")));
            sb.Append(inv, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>\n");
            foreach (var p in series[i].Points) sb.Append(inv, $"<circle cx=\"{Sx(p.X):F1}\" cy=\"{Sy(p.Y):F1}\" r=\"4\" fill=\"{colour}\"/>\n");
            sb.Append(inv, $"<text x=\"{left + 12}\" y=\"{height - bottom - 12 - (18 * i)}\" fill=\"{colour}\">{Esc(series[i].Label)}</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
