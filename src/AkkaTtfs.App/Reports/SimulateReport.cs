using System.Text.Json.Serialization;

namespace AkkaTtfs.App.Reports;

/// <summary>The report of <c>simulate</c> (--report): what one engine computed on one split.</summary>
public sealed record SimulateReport(
    string Engine,
    int Samples,
    double Accuracy,
    double SpikesPerSample,
    double[] SpikesPerSamplePerLayer,
    long DnnMacsPerSample,
    double Seconds,
    double SamplesPerSecond)
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = ReportSerializer.SchemaVersion;

    /// <summary>Null for the clock-driven oracle, which counts no SynOps.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SynopsPerSample { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EnergyReport? Energy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SynapticEventsPerSecond { get; init; }

    /// <summary>The partition plan (described), for the partitioned and cluster engines.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Partitions { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PartitionCount { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Routes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DnnCheckReport? DnnCheck { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FaultComparisonReport? Faults { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RecoveryReport? Recovery { get; init; }

    /// <summary>Cluster engine: seconds from the workers being up to every partition deployed and wired.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DeploySeconds { get; init; }

    /// <summary>This process's memory (with the cluster engine: the coordinator and its embedded nodes, if any).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProcessMemoryReport? Memory { get; init; }

    /// <summary>Cluster engine: memory of every worker node's process, as each node reported it (RunReport.NodeMemory); null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<NodeMemoryReport>? NodeMemory { get; init; }

    public string ModelFile { get; init; } = "";

    public string Dataset { get; init; } = "";
}
