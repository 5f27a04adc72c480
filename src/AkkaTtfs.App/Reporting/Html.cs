using System.Globalization;
using System.Net;
using System.Text;

namespace AkkaTtfs.App.Reporting;

/// <summary>
/// A self-contained HTML page being written: every value goes through <see cref="Esc"/>, images are embedded as
/// base64 PNG, the style sheet is inline; nothing is fetched, so the page works offline.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _b = new();

    public Html(string title)
    {
        _b.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        _b.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        _b.Append("<title>").Append(Esc(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        _b.Append("<h1>").Append(Esc(title)).Append("</h1>\n");
    }

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
        h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 2em; }
        table { border-collapse: collapse; margin: 8px 0 16px; }
        th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #f0f0f0; }
        table.kv th { white-space: nowrap; }
        .missing { color: #777; font-style: italic; }
        .note { color: #555; font-size: 0.9em; }
        figure { margin: 12px 0 24px; } figure img { max-width: 100%; border: 1px solid #ddd; }
        figcaption { color: #555; font-size: 0.9em; }
        pre { background: #f7f7f7; padding: 8px; overflow-x: auto; font-size: 0.85em; }
        code { word-break: break-all; }

        """;

    public static string Esc(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Num(double v, string format = "0.###") => v.ToString(format, CultureInfo.InvariantCulture);

    public Html Section(string id, string heading)
    {
        _b.Append("<section id=\"").Append(Esc(id)).Append("\">\n<h2>").Append(Esc(heading)).Append("</h2>\n");
        return this;
    }

    public Html EndSection()
    {
        _b.Append("</section>\n");
        return this;
    }

    public Html Paragraph(string text, string cssClass = "")
    {
        _b.Append(cssClass.Length == 0 ? "<p>" : $"<p class=\"{Esc(cssClass)}\">").Append(Esc(text)).Append("</p>\n");
        return this;
    }

    public Html Missing(string why) => Paragraph(why, "missing");

    /// <summary>A two-column table of names and values; a value with a key gets <c>data-key</c> (tests read it back).</summary>
    public Html KeyValues(IEnumerable<(string Key, string Name, string Value)> rows)
    {
        _b.Append("<table class=\"kv\">\n");
        foreach (var (key, name, value) in rows)
        {
            _b.Append("<tr><th>").Append(Esc(name)).Append("</th><td");
            if (key.Length > 0) _b.Append(" data-key=\"").Append(Esc(key)).Append('"');
            if (value == RunFolder.NotRecorded) _b.Append(" class=\"missing\"");
            _b.Append('>').Append(Esc(value)).Append("</td></tr>\n");
        }

        _b.Append("</table>\n");
        return this;
    }

    /// <summary>A table with a header row; cells that parse as numbers are right-aligned (unless <paramref name="alignNumbers"/> is false: lists that may hold one number).</summary>
    public Html Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string id = "", bool alignNumbers = true)
    {
        _b.Append(id.Length == 0 ? "<table>\n<tr>" : $"<table id=\"{Esc(id)}\">\n<tr>");
        foreach (var h in header) _b.Append("<th>").Append(Esc(h)).Append("</th>");
        _b.Append("</tr>\n");
        foreach (var row in rows)
        {
            _b.Append("<tr>");
            foreach (var cell in row)
            {
                var numeric = alignNumbers && double.TryParse(cell.TrimEnd('%', ' ').Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                _b.Append(numeric ? "<td class=\"num\">" : cell == RunFolder.NotRecorded ? "<td class=\"missing\">" : "<td>").Append(Esc(cell)).Append("</td>");
            }

            _b.Append("</tr>\n");
        }

        _b.Append("</table>\n");
        return this;
    }

    /// <summary>A plot embedded as a base64 PNG, or why the run has none.</summary>
    public Html Figure(PlotFile plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (plot.Path is null)
        {
            _b.Append("<h3>").Append(Esc(plot.Title)).Append("</h3>\n");
            return Missing(plot.Note);
        }

        var data = Convert.ToBase64String(plot.Png ?? File.ReadAllBytes(plot.Path));
        _b.Append("<figure id=\"plot-").Append(Esc(plot.Key)).Append("\"><img alt=\"").Append(Esc(plot.Title)).Append("\" width=\"").Append(PlotFiles.Width)
            .Append("\" height=\"").Append(PlotFiles.Height).Append("\" src=\"data:image/png;base64,").Append(data).Append("\">\n<figcaption>")
            .Append(Esc(plot.Title)).Append(plot.Note.Length > 0 ? ": " : "").Append(Esc(plot.Note)).Append("</figcaption></figure>\n");
        return this;
    }

    public Html Details(string summary, string body)
    {
        _b.Append("<details><summary>").Append(Esc(summary)).Append("</summary>\n<pre>").Append(Esc(body)).Append("</pre></details>\n");
        return this;
    }

    public override string ToString() => _b + "</body>\n</html>\n";
}
