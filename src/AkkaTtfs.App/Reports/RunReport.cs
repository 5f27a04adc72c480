using System.Text.Json.Serialization;

namespace AkkaTtfs.App.Reports;

/// <summary>report.json of <c>run</c>: results, spikes, traffic per node pair, timings, recovery, faults.</summary>
public sealed record RunReport(
    string Architecture,
    int Samples,
    double Accuracy,
    double SpikesPerSample,
    double[] SpikesPerSamplePerLayer,
    double SynopsPerSample,
    EnergyReport Energy,
    bool? BitIdenticalToReference,
    string Partitions,
    int PartitionCount,
    IReadOnlyList<string> Nodes,
    int[] PartitionNodes,
    double DeploySeconds,
    double RunSeconds,
    double SamplesPerSecond,
    double ReferenceSeconds,
    TrafficReport Traffic,
    RecoveryReport Recovery)
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = ReportSerializer.SchemaVersion;

    /// <summary>When the reference differed: which fields (from the one result comparison).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ReferenceDifferences { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FaultComparisonReport? Faults { get; init; }

    /// <summary>The placement strategy and the cross-node bytes it gave, measured and predicted.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PlacementReport? Placement { get; init; }

    /// <summary>Who trained the model, when this run trained one: the coordinator node, when, with which options.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrainedByReport? TrainedBy { get; init; }

    /// <summary>Where the trained model was written, when this run trained one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TrainedModel { get; init; }

    /// <summary>The emulated interconnect of the nodes the run's process started (--link-latency, --link-bandwidth); null: none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LinkEmulationReport? LinkEmulation { get; init; }

    /// <summary>Memory of the process that wrote the report (the coordinator, with the embedded nodes when there are any).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProcessMemoryReport? Memory { get; init; }

    /// <summary>The machine of the process that wrote the report, with its load averages when the report was written (they span the run).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MachineInfo? Machine { get; init; }

    /// <summary>Memory of every worker node's process, as each node reported it after deployment and at the end.</summary>
    public IReadOnlyList<NodeMemoryReport> NodeMemory { get; init; } = [];
}

/// <summary>An emulated interconnect: its latency and bandwidth (0 = unlimited), how it is emulated, and which links it covers.</summary>
public sealed record LinkEmulationReport(double LatencyMs, double BandwidthBytesPerSecond, string Mechanism, string Scope)
{
    public const string DelayStage = "delay stage in the sender (Core LinkSchedule: bytes / bandwidth one message after the other per node pair, plus latency)";

    /// <summary>The report of a profile, or null when it emulates nothing.</summary>
    public static LinkEmulationReport? Of(AkkaTtfs.Core.Distributed.LinkProfile? link, bool embedded) =>
        link is not { IsActive: true } ? null : new(link.LatencyMs, link.BytesPerSecond, DelayStage,
            embedded ? "every cross-node data-plane link of the embedded cluster"
                     : "the coordinator's input links; the workers' links are as each worker was started (akkattfs node --link-latency/--link-bandwidth)");
}

/// <summary>
/// Memory of the process that writes the report, when it writes it. The worker nodes' processes report theirs to the
/// coordinator (<see cref="NodeMemoryReport"/>, a report's <c>node_memory</c>), and also print their peak when they leave the cluster.
/// </summary>
/// <param name="Process">Which process: "coordinator and N embedded nodes" or "coordinator".</param>
/// <param name="PeakWorkingSetMegabytes">The most RAM the process held (VmHWM), in MB (10^6 bytes).</param>
/// <param name="ManagedHeapMegabytes">The managed heap after the run (GC.GetTotalMemory without a collection), in MB.</param>
public sealed record ProcessMemoryReport(string Process, double PeakWorkingSetMegabytes, double ManagedHeapMegabytes)
{
    public static ProcessMemoryReport Current(string process) =>
        new(process, MachineInfo.PeakWorkingSetBytes() / 1e6, GC.GetTotalMemory(forceFullCollection: false) / 1e6);

    /// <summary>The process of a cluster run's coordinator: with <paramref name="setup"/>'s nodes embedded, or joined to seeds.</summary>
    public static ProcessMemoryReport OfCoordinator(AkkaTtfs.App.Cluster.ClusterSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Current(setup.Seeds.Count == 0 ? $"coordinator and {setup.Nodes} embedded node(s)" : "coordinator (workers are other processes)");
    }
}

/// <summary>
/// One worker node's process memory, as the node reported it (embedded nodes share the coordinator's process, so they
/// report the same process id and the same numbers). A moment the node did not answer in time is null.
/// </summary>
/// <param name="Node">The node's address.</param>
/// <param name="ProcessId">Its process's id on its host.</param>
/// <param name="Deployed">Once every partition was deployed, before the first batch.</param>
/// <param name="End">Once every batch completed, before the partitions stopped.</param>
public sealed record NodeMemoryReport(string Node, int ProcessId, MemorySampleReport? Deployed, MemorySampleReport? End)
{
    /// <summary>One entry per node that reported, in node order.</summary>
    public static IReadOnlyList<NodeMemoryReport> Of(AkkaTtfs.Cluster.Runtime.RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return [.. outcome.NodeMemory.GroupBy(s => s.Node).OrderBy(g => g.Key).Select(g => new NodeMemoryReport(outcome.Nodes[g.Key], g.First().Memory.ProcessId,
            MemorySampleReport.Of(g.FirstOrDefault(s => s.Memory.Moment == AkkaTtfs.Cluster.Protocol.MemoryMoment.Deployed)?.Memory),
            MemorySampleReport.Of(g.FirstOrDefault(s => s.Memory.Moment == AkkaTtfs.Cluster.Protocol.MemoryMoment.End)?.Memory)))];
    }
}

/// <summary>A process's memory at one moment, in MB (10^6 bytes).</summary>
/// <param name="PeakWorkingSetMegabytes">The most RAM the process had held until then (VmHWM).</param>
/// <param name="WorkingSetMegabytes">The RAM it held then (VmRSS).</param>
/// <param name="ManagedHeapMegabytes">Its managed heap in use then (GC.GetTotalMemory without a collection).</param>
public sealed record MemorySampleReport(double PeakWorkingSetMegabytes, double WorkingSetMegabytes, double ManagedHeapMegabytes)
{
    public static MemorySampleReport? Of(AkkaTtfs.Cluster.Protocol.NodeMemory? m) =>
        m is null ? null : new(m.PeakWorkingSetBytes / 1e6, m.WorkingSetBytes / 1e6, m.ManagedHeapBytes / 1e6);
}

/// <summary>Provenance of a model the run's coordinator trained.</summary>
public sealed record TrainedByReport(string Coordinator, DateTimeOffset Started, DateTimeOffset Finished, double Seconds, string Data, string Architecture,
    string Preset, int Epochs, int Seed)
{
    public static TrainedByReport Of(AkkaTtfs.Cluster.Runtime.TrainedBy by)
    {
        ArgumentNullException.ThrowIfNull(by);
        var o = by.Options;
        return new TrainedByReport(by.Coordinator, by.Started, by.Finished, (by.Finished - by.Started).TotalSeconds, o.Data, o.Architecture,
            AkkaTtfs.Core.Training.TrainingPresets.Name(o.Preset), o.Epochs, o.Seed);
    }
}

/// <summary>Traffic totals of a run and per node pair (the injector counts as "coordinator").</summary>
public sealed record TrafficReport(int Links, long Messages, long SpikeMessages, long SpikesSent, long SpikePayloadBytes, double PayloadBytesPerSpike, long InputPayloadBytes,
    IReadOnlyList<NodePairTraffic> NodePairs)
{
    /// <summary>What the run's trace adds (see TrafficTraceReport); null when the run recorded no trace.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? CrossNodePayloadBytes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CrossNodeShare { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PayloadBytesPerSample { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? WireBytesPerSample { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LatencyReport? LatencyMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BatchLatencyReport? BatchLatencyMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ClockOffsetReport>? ClockOffsets { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReplayTrafficReport? Replays { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InstrumentReport? Instrument { get; init; }
}

public sealed record NodePairTraffic(string From, string To, long Messages, long Events, long PayloadBytes);
