using System.Text.Json.Serialization;

namespace AkkaTtfs.App.Reports;

/// <summary><c>bench reference</c>: single-thread throughput of the event-driven reference (medians), and the clock-driven oracle's rate.</summary>
public sealed record ReferenceBenchReport(MachineInfo Machine, int Repeats, IReadOnlyList<ReferenceBenchCase> Cases, IReadOnlyList<OracleBenchCase> Oracle, string? Note)
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = ReportSerializer.SchemaVersion;

    /// <summary>The trained model of case (c), full path; null when none was given.</summary>
    public string? ModelFile { get; init; }
}

/// <summary>One case: rates from the median wall time, and from the median CPU time of the process (samples/s per core).</summary>
public sealed record ReferenceBenchCase(string Name, double SamplesPerSecond, double SynapticEventsPerSecond, double SpikesPerSample)
{
    public double SamplesPerCpuSecond { get; init; }
}

public sealed record OracleBenchCase(string Name, int Samples, double SamplesPerSecond);

/// <summary><c>bench runtime</c>: the runtime cases against the reference, measured in interleaved rounds.</summary>
public sealed record RuntimeBenchReport(MachineInfo Machine, string Model, int Samples, int Batch, int InFlight, int Warmups, int Rounds,
    IReadOnlyList<RuntimeBenchCase> Cases, double SpikesPerSample, double SynapticEventsPerSample, string LoadAverageAtEnd)
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = ReportSerializer.SchemaVersion;

    /// <summary>True when every runtime case equalled the reference in every round.</summary>
    public bool AllIdentical => Cases.All(c => c.Identical != false);
}

/// <summary>
/// One case: rates from the median time; the ratio to (a) as the median of per-round ratios; cores busy (all
/// processes) as a median; message counts per (batch, window, link) as min and max over links.
/// </summary>
public sealed record RuntimeBenchCase(string Name, int Partitions, double[] SamplesPerSecondPerRound, double SamplesPerSecond, double SynapticEventsPerSecond,
    double RatioToReference, double? CoresBusy, double? CpuMicrosecondsPerSample, double? MessagesPerBatchMin, double? MessagesPerBatchMax,
    double? PayloadBytesPerSpike, double? DeploySeconds, bool? Identical)
{
    /// <summary>Exactly one message per batch on every link (runtime cases).</summary>
    public bool? OneMessagePerBatchAndLink { get; init; }
}
