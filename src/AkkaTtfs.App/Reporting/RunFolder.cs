using System.Security.Cryptography;
using System.Text.Json;
using AkkaTtfs.App.Reports;

namespace AkkaTtfs.App.Reporting;

/// <summary>
/// A run folder as <c>run</c> (or <c>simulate --nodes N --out</c>) wrote it, read for the report. report.json is
/// required; every other file may be absent (older runs, runs without verification or instrument), which the
/// report shows as "not recorded in this run". A CSV that cannot be parsed is kept as a note, not an error.
/// </summary>
public sealed class RunFolder
{
    public const string NotRecorded = "not recorded in this run";

    private readonly Dictionary<string, CsvTable?> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _notes = new(StringComparer.Ordinal);

    private RunFolder(string path, RunReport report, string json, RunExtras extras)
    {
        Path = path;
        Report = report;
        ReportJson = json;
        Extras = extras;
    }

    public string Path { get; }

    /// <summary>The folder's name, as runs are told apart in comparisons.</summary>
    public string Name => System.IO.Path.GetFileName(Path.TrimEnd(System.IO.Path.DirectorySeparatorChar));

    public RunReport Report { get; }

    /// <summary>report.json as written (shown whole on the page).</summary>
    public string ReportJson { get; }

    /// <summary>The fields of the traffic contract (docs: TRAFFIC-FILES) that the typed report does not carry yet.</summary>
    public RunExtras Extras { get; }

    /// <summary>SHA-256 of model.safetensors when the run wrote one (it trained the model).</summary>
    public string? ModelSha256 { get; private set; }

    /// <summary>training.json when the run trained its model.</summary>
    public string? TrainingJson { get; private set; }

    public CsvTable? Links => Table("links.csv");

    public CsvTable? Timeline => Table("timeline.csv");

    public CsvTable? PartitionBatches => Table("partition-batches.csv");

    public CsvTable? Partitions => Table("partitions.csv");

    public CsvTable? Inflight => Table("inflight.csv");

    public CsvTable? SpikeTimes => Table("spike-times.csv");

    public CsvTable? MatrixPartitions => Table("matrix-partitions.csv");

    public CsvTable? MatrixNodes => Table("matrix-nodes.csv");

    public CsvTable? Predictions => Table("predictions.csv");

    /// <summary>Why a file is missing: "not recorded in this run", or why it could not be read.</summary>
    public string Why(string file) => _notes.TryGetValue(file, out var note) ? note : NotRecorded;

    /// <summary>
    /// Reads the folder: a missing folder, a missing report.json or one that is not a run report is a
    /// <see cref="UsageException"/> (one line); nothing is written.
    /// </summary>
    public static RunFolder Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var path = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(path)) throw new UsageException($"{path}: no such run folder");
        var reportPath = System.IO.Path.Combine(path, "report.json");
        if (!File.Exists(reportPath)) throw new UsageException($"{path}: no report.json, so not a run folder (run writes it)");
        string json;
        RunReport? report;
        RunExtras extras;
        try
        {
            json = File.ReadAllText(reportPath);
            report = JsonSerializer.Deserialize(json, ReportJsonContext.Default.RunReport);
            using var document = JsonDocument.Parse(json);
            extras = RunExtras.Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{reportPath}: not a run report ({ex.Message})");
        }

        if (report is null || report.Traffic is null && report.Nodes is null && report.Samples == 0)
            throw new UsageException($"{reportPath}: not a run report (no samples, nodes or traffic)");
        var run = new RunFolder(path, report, json, extras);
        var training = System.IO.Path.Combine(path, "training.json");
        if (File.Exists(training)) run.TrainingJson = File.ReadAllText(training);
        var model = System.IO.Path.Combine(path, "model.safetensors");
        if (File.Exists(model))
        {
            using var stream = File.OpenRead(model);
            run.ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        return run;
    }

    private CsvTable? Table(string file)
    {
        if (_tables.TryGetValue(file, out var cached)) return cached;
        CsvTable? table = null;
        var path = System.IO.Path.Combine(Path, file);
        if (File.Exists(path))
        {
            try
            {
                table = CsvTable.Read(path);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                _notes[file] = $"{file} could not be read: {ExpectedFailures.OneLine(ex.Message)}";
            }
        }

        _tables[file] = table;
        return table;
    }
}

/// <summary>
/// The fields report.json gains with the traffic instrument (traffic.latency_ms, batch_latency_ms, cross-node
/// bytes, ...), read by name until the typed <see cref="TrafficReport"/> carries them; every one is optional.
/// Also a run's <c>machine</c> and <c>config</c> objects when present, as name/value pairs, and the members of its
/// <c>memory</c> object that the typed report does not know (added by newer runs).
/// </summary>
public sealed record RunExtras(
    double? CrossNodePayloadBytes,
    double? CrossNodeShare,
    double? PayloadBytesPerSample,
    double? WireBytesPerSample,
    double? LatencyP50,
    double? LatencyP90,
    double? LatencyP99,
    double? LatencyMax,
    double? BatchLatencyP50,
    double? BatchLatencyP99,
    IReadOnlyList<(string Name, string Value)> ClockOffsets,
    double? ReplayMessages,
    double? ReplayPayloadBytes,
    string? InstrumentNote,
    IReadOnlyList<(string Name, string Value)> Machine,
    IReadOnlyList<(string Name, string Value)> Config,
    IReadOnlyList<(string Name, string Value)> Memory)
{
    public static RunExtras Read(JsonElement root)
    {
        var traffic = Child(root, "traffic");
        var latency = Child(traffic, "latency_ms");
        var batch = Child(traffic, "batch_latency_ms");
        var replays = Child(traffic, "replays");
        var offsets = new List<(string, string)>();
        if (Child(traffic, "clock_offsets") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var o in list.EnumerateArray())
                offsets.Add((NodeLabel(Child(o, "node")), $"{Milliseconds(Child(o, "offset_ms"))} ms ± {Milliseconds(Child(o, "uncertainty_ms"))} ms"));
        }

        return new RunExtras(
            Number(traffic, "cross_node_payload_bytes"), Number(traffic, "cross_node_share"), Number(traffic, "payload_bytes_per_sample"),
            Number(traffic, "wire_bytes_per_sample"),
            Number(latency, "p50"), Number(latency, "p90"), Number(latency, "p99"), Number(latency, "max"),
            Number(batch, "p50"), Number(batch, "p99"),
            offsets, Number(replays, "messages"), Number(replays, "payload_bytes"),
            Child(Child(traffic, "instrument"), "note") is { ValueKind: JsonValueKind.String } note ? note.GetString() : null,
            Pairs(Child(root, "machine")), Pairs(Child(root, "config")),
            [.. Pairs(Child(root, "memory")).Where(p => !TypedMemory.Contains(p.Item1))]);
    }

    /// <summary>The members of report.json's memory object that <see cref="ProcessMemoryReport"/> carries (the page shows the others as they are).</summary>
    private static readonly HashSet<string> TypedMemory = new(StringComparer.Ordinal) { "process", "peak_working_set_megabytes", "managed_heap_megabytes" };

    /// <summary>n0, n1, ... as the page's other tables and the heatmaps name nodes; -1 is the coordinator (not a worker).</summary>
    private static string NodeLabel(JsonElement? node) =>
        node is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var i) ? i < 0 ? "the coordinator" : $"n{i}" : $"node {Scalar(node)}";

    private static JsonElement? Child(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) ? v : null;

    private static double? Number(JsonElement? parent, string name) =>
        Child(parent, name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;

    // Clock offsets are estimates good to a fraction of their uncertainty: microseconds are the most a reader needs.
    private static string Milliseconds(JsonElement? e) =>
        e is { ValueKind: JsonValueKind.Number } n ? n.GetDouble().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : Scalar(e);

    private static string Scalar(JsonElement? e) => e is null ? "?" : e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString()! : e.Value.GetRawText();

    private static List<(string, string)> Pairs(JsonElement? e)
    {
        var pairs = new List<(string, string)>();
        if (e is { ValueKind: JsonValueKind.Object } o)
        {
            foreach (var p in o.EnumerateObject()) pairs.Add((p.Name, Scalar(p.Value)));
        }

        return pairs;
    }
}
