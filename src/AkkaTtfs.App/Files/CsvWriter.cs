using System.Globalization;

namespace AkkaTtfs.App.Files;

/// <summary>
/// The one CSV writer of the application: a header row, then rows; comma-separated, RFC 4180 quoting (a field with a
/// comma, quote, CR or LF is quoted, quotes doubled), invariant culture, CRLF-free ("\n") lines, doubles in round-trip
/// form. Write files with <see cref="Write"/>, which goes through <see cref="OutputFiles"/> (temporary file and rename).
/// </summary>
public sealed class CsvWriter
{
    private readonly TextWriter _writer;
    private readonly int _columns;
    private int _field;

    private CsvWriter(TextWriter writer, IReadOnlyList<string> header)
    {
        _writer = writer;
        _columns = header.Count;
        foreach (var h in header) Field(h);
        EndRow();
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="header"/> and the rows <paramref name="rows"/> adds.</summary>
    public static void Write(string path, IReadOnlyList<string> header, Action<CsvWriter> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        OutputFiles.WriteText(path, w => rows(new CsvWriter(w, header)));
    }

    /// <summary>The text of a CSV with <paramref name="header"/> and the rows <paramref name="rows"/> adds (tests, small files).</summary>
    public static string ToText(IReadOnlyList<string> header, Action<CsvWriter> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        rows(new CsvWriter(w, header));
        return w.ToString();
    }

    /// <summary>A text field, quoted when it must be.</summary>
    public CsvWriter Field(string? value)
    {
        if (_field++ > 0) _writer.Write(',');
        value ??= "";
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _writer.Write(value);
            return this;
        }

        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        _writer.Write('"');
        return this;
    }

    public CsvWriter Field(long value) => Field(value.ToString(CultureInfo.InvariantCulture));

    public CsvWriter Field(bool value) => Field(value ? "true" : "false");

    /// <summary>A double in round-trip form ("R"), so a reader gets the same value back.</summary>
    public CsvWriter Field(double value) => Field(value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>A time or duration in milliseconds, to 3 decimals (microseconds).</summary>
    public CsvWriter Ms(double value) => Field(value.ToString("F3", CultureInfo.InvariantCulture));

    /// <summary>Ends a row; it must have as many fields as the header.</summary>
    public void EndRow()
    {
        if (_field != _columns) throw new InvalidOperationException($"a CSV row has {_field} fields, the header {_columns}");
        _writer.Write('\n');
        _field = 0;
    }
}
