using System.Text.Json.Serialization;

namespace AkkaTtfs.App.Reports;

/// <summary>campaign.json of <c>faults</c>: the fault-free run and one point per swept value and layer.</summary>
public sealed record CampaignReport(
    string ModelFile,
    string Architecture,
    string Dataset,
    int Samples,
    string Engine,
    string Kind,
    int[] Layers,
    string Sweep,
    ulong Seed,
    string With,
    string[] WithEntries,
    int Rounds,
    CampaignBaseline FaultFree,
    IReadOnlyList<CampaignPoint> Points)
{
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = ReportSerializer.SchemaVersion;

    /// <summary>The plot's file name in the campaign folder, once written.</summary>
    public string? Plot { get; init; }
}

public sealed record CampaignBaseline(double Accuracy, double SpikesPerSample, double SpikesDeliveredPerSample, double SynopsPerSample, double Seconds, double SamplesPerSecond,
    double CpuSeconds, double SamplesPerCpuSecond);

/// <summary>One point of a campaign; times are medians over the rounds.</summary>
public sealed record CampaignPoint(
    int Layer,
    double X,
    double Rate,
    int Steps,
    double Factor,
    double Accuracy,
    double AccuracyChange,
    double SpikesPerSample,
    double SpikesDeliveredPerSample,
    double DeliveredVsFaultFree,
    double SynopsPerSample,
    int PredictionsChanged,
    bool IdenticalToFaultFree,
    double Seconds,
    double SamplesPerSecond,
    double CpuSeconds,
    double SamplesPerCpuSecond,
    double CpuTimeVsFaultFree,
    Dictionary<string, long> Counters)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NeuronsSelected { get; init; }
}
