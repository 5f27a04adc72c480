using System.Globalization;
using System.Text;

namespace AkkaTtfs.App.Reporting;

/// <summary>
/// A CSV file of the run folder read whole: a header row and data rows, RFC 4180 quoting (fields in double
/// quotes may hold commas, line breaks and doubled quotes), CRLF or LF line ends. The one CSV reader of the reports.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string name, string[] header, List<string[]> rows)
    {
        Name = name;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++) _columns.TryAdd(header[i], i);
    }

    /// <summary>The file name (for messages).</summary>
    public string Name { get; }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<string[]> Rows { get; }

    public bool Has(string column) => _columns.ContainsKey(column);

    public static CsvTable Read(string path) => Parse(Path.GetFileName(path), File.ReadAllText(path));

    /// <summary>Parses CSV text; a quote left open or a row with more fields than the header is <see cref="InvalidDataException"/>.</summary>
    public static CsvTable Parse(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var fieldStarted = false;
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0 && !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n':
                    line++;
                    EndRecord();
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted) throw new InvalidDataException($"{name}: a quoted field is not closed (line {line})");
        EndRecord();
        if (records.Count == 0) throw new InvalidDataException($"{name}: no header row");
        var header = records[0];
        for (var r = 1; r < records.Count; r++)
        {
            if (records[r].Length > header.Length)
                throw new InvalidDataException($"{name}: row {r} has {records[r].Length} fields, the header {header.Length}");
        }

        return new CsvTable(name, header, records.Skip(1).ToList());

        void EndRecord()
        {
            if (fieldStarted || field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                records.Add(fields.ToArray());
            }

            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }

    /// <summary>The text of <paramref name="column"/> in a row; empty when the row is short.</summary>
    public string Text(string[] row, string column)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!_columns.TryGetValue(column, out var i)) throw new InvalidDataException($"{Name}: no column {column}");
        return i < row.Length ? row[i] : "";
    }

    /// <summary>A number of a row; NaN when the field is empty or not a number.</summary>
    public double Number(string[] row, string column) =>
        double.TryParse(Text(row, column), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    /// <summary>Every finite value of a column.</summary>
    public double[] Numbers(string column) => Rows.Select(r => Number(r, column)).Where(double.IsFinite).ToArray();
}
