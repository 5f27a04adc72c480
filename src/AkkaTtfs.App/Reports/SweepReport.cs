using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaTtfs.App.Reports;

/// <summary>
/// sweep.json: the grid a sweep ran and one entry per point finished so far (written after every point, so an
/// interrupted sweep leaves a valid file with <see cref="Complete"/> false).
/// </summary>
/// <param name="Model">The model file.</param>
/// <param name="Architecture">Its architecture.</param>
/// <param name="Data">The dataset (test split).</param>
/// <param name="Samples">Samples per point (--limit).</param>
/// <param name="Grid">The axes as given.</param>
/// <param name="PointsPlanned">Points of the whole grid.</param>
/// <param name="Complete">Every planned point ran (false: interrupted, the points listed are those that finished).</param>
/// <param name="Started">When the sweep started (UTC).</param>
/// <param name="ElapsedSeconds">From start to the last point written (cluster start and the reference included).</param>
/// <param name="ReferenceSeconds">The one Core reference run every point is verified against.</param>
/// <param name="Points">The points that finished, in grid order.</param>
public sealed record SweepReport(string Model, string Architecture, string Data, int Samples, SweepGridReport Grid, int PointsPlanned, bool Complete,
    DateTimeOffset Started, double ElapsedSeconds, double ReferenceSeconds, IReadOnlyList<SweepPointReport> Points)
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = SweepSerializer.SchemaVersion;
}

/// <summary>The axes of a sweep: every combination is a point.</summary>
public sealed record SweepGridReport(IReadOnlyList<string> Partitions, IReadOnlyList<int> Nodes, IReadOnlyList<int> Batch, IReadOnlyList<string> Placement)
{
    /// <summary>--link-latency values as given ("0": none; schema 1 files have no link axes).</summary>
    public IReadOnlyList<string> LinkLatency { get; init; } = ["0"];

    /// <summary>--link-bandwidth values as given ("0": unlimited).</summary>
    public IReadOnlyList<string> LinkBandwidth { get; init; } = ["0"];
}

/// <summary>
/// One point of a sweep. Measured numbers are null when the point failed before they existed. Predicted numbers are
/// Core's traffic model (<c>TrafficModel</c>) for the point's plan, batch and placement; spikes and messages must equal
/// the measured ones exactly, payload bytes by the codec's formula.
/// </summary>
/// <param name="Status">ok; mismatch (results differ from the Core reference, or traffic from its prediction: see Error); failed (see Error).</param>
/// <param name="BitIdentical">Predictions, potentials and spike counts equal the Core reference bit for bit (null: the run failed).</param>
/// <param name="PayloadBytesPerSample">Measured payload bytes on every link (input links included) per sample.</param>
/// <param name="CrossNodeBytesPerSample">Measured payload bytes between different nodes per sample.</param>
/// <param name="ComputeMs">Summed over partitions and batches: decode + integrate + fire/encode.</param>
/// <param name="WaitMs">Summed over partitions and batches: from a batch's first input to its last.</param>
/// <param name="TransferMs">Summed over messages: send to receive.</param>
/// <param name="PartitionNodes">Node index of every partition (null: the run failed).</param>
public sealed record SweepPointReport(int Index, string Partitions, int PartitionCount, int Nodes, int Batch, string Placement, string Status, string? Error,
    bool? BitIdentical, double? SamplesPerSecond, double? PayloadBytesPerSample, double? CrossNodeBytesPerSample,
    long PredictedSpikes, long? MeasuredSpikes, long PredictedMessages, long? MeasuredMessages, long PredictedPayloadBytes, long? MeasuredPayloadBytes,
    long? PredictedCrossNodeBytes, long? MeasuredCrossNodeBytes, double? BatchLatencyP50Ms, double? BatchLatencyP99Ms,
    double? ComputeMs, double? WaitMs, double? TransferMs, double Seconds, int[]? PartitionNodes)
{
    /// <summary>The emulated one-way latency of the point's cross-node links, ms (0: none).</summary>
    public double LinkLatencyMs { get; init; }

    /// <summary>The emulated bandwidth of the point's cross-node links, bytes/s (0: unlimited).</summary>
    public double LinkBandwidthBytesPerSecond { get; init; }

    /// <summary>Median send-to-receive time of the messages between different nodes (input links included when they cross), ms; null: none crossed, or the run failed.</summary>
    public double? CrossNodeLatencyP50Ms { get; init; }

    /// <summary>Per partition link (input links included): what it carried (null: the run failed).</summary>
    public IReadOnlyList<SweepLinkReport>? Links { get; init; }
}

/// <summary>One link of a sweep point: its ends (partition ids, -1 = the input), their node indices (-1 = the coordinator when it is no worker) and its traffic.</summary>
public sealed record SweepLinkReport(int Source, int Target, int SourceNode, int TargetNode, long Messages, long Spikes, long PayloadBytes);

/// <summary>sweep.json's source-generated JSON, with the naming and layout of the other reports (<see cref="ReportSerializer"/>).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SweepReport))]
public sealed partial class SweepJsonContext : JsonSerializerContext;

/// <summary>Writes and reads sweep.json.</summary>
public static class SweepSerializer
{
    /// <summary>Version 2: link axes (grid link_latency/link_bandwidth; per point the link, cross-node latency p50 and links). Version 1: the first.</summary>
    public const int SchemaVersion = 2;

    /// <summary>The oldest version this akkattfs reads (version 1 files read as sweeps without link axes).</summary>
    public const int OldestReadable = 1;

    public static string Serialize(SweepReport report) => JsonSerializer.Serialize(report, SweepJsonContext.Default.SweepReport);

    /// <summary>Reads sweep.json; throws <see cref="JsonException"/> when it is not one.</summary>
    public static SweepReport Deserialize(string json) =>
        JsonSerializer.Deserialize(json, SweepJsonContext.Default.SweepReport) ?? throw new JsonException("sweep.json is null");
}
