using System.Text.Json.Serialization;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.App.Reports;

/// <summary>The energy estimate per sample (docs/ttfs-method.md section 5).</summary>
public sealed record EnergyReport(
    [property: JsonPropertyName("snn_nJ_per_sample")] double SnnNanojoulesPerSample,
    [property: JsonPropertyName("dnn_nJ_per_sample")] double DnnNanojoulesPerSample,
    double Ratio,
    [property: JsonPropertyName("e_ac_pJ")] double AccumulatePicojoules,
    [property: JsonPropertyName("e_mac_pJ")] double MultiplyAccumulatePicojoules,
    string Assumption)
{
    public const string AssumptionText = "E_snn = SynOps*E_AC + analog first-layer MACs*E_MAC; E_dnn = MACs*E_MAC (docs/ttfs-method.md section 5)";

    public static EnergyReport Of(EnergyModel model, NetworkSpec network, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(model);
        var energy = model.Estimate(network, result);
        return new EnergyReport(energy.SnnPicojoules / 1000, energy.DnnPicojoules / 1000, energy.Ratio, model.AccumulatePicojoules, model.MultiplyAccumulatePicojoules, AssumptionText);
    }
}

/// <summary>The numbers of one simulation that a fault comparison puts side by side.</summary>
public sealed record ResultMetrics(double Accuracy, double SpikesPerSample, double[] SpikesPerSamplePerLayer, double SpikesDeliveredPerSample, double SynopsPerSample,
    double Seconds, double SamplesPerSecond)
{
    public static ResultMetrics Of(SimulationResult r, ReadOnlySpan<byte> labels, double seconds)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ResultMetrics(r.Accuracy(labels), r.SpikesPerSample, SpikesPerLayer(r), r.SpikesDeliveredPerSample, r.SynOpsPerSample, seconds,
            r.SampleCount / Math.Max(seconds, 1e-9));
    }

    public static double[] SpikesPerLayer(SimulationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.SpikesPerStage.Select(s => (double)s / r.SampleCount).ToArray();
    }
}

/// <summary>A fault plan's run against the fault-free run (simulate --faults, run --faults).</summary>
public sealed record FaultComparisonReport(
    string PlanFile,
    ulong Seed,
    string[] Entries,
    Dictionary<string, int> NeuronsSelectedPerEntry,
    Dictionary<string, long> Counters,
    ResultMetrics FaultFree,
    ResultMetrics WithFaults,
    double AccuracyChange,
    int PredictionsChanged,
    bool IdenticalToFaultFree);

/// <summary>Fidelity to the quantised DNN: prediction agreement and spike-time mismatches, counted rather than hidden.</summary>
public sealed record DnnCheckReport(double DnnAccuracy, double PredictionAgreement, int[] DisagreeingSamples, long SpikeTimeMismatches, long HiddenNeuronsCompared);

/// <summary>What a cluster run survived: re-homed partitions, replays, recoveries and the plan's runtime faults.</summary>
public sealed record RecoveryReport(
    IReadOnlyList<RestartReport> PartitionsRestarted,
    long BatchesReplayed,
    int TimeoutReplays,
    IReadOnlyList<RecoveryWindowReport> Recoveries,
    long StaleReportsDropped,
    IReadOnlyList<RuntimeFaultReport> RuntimeFaults);

public sealed record RestartReport(int Partition, string Node);

public sealed record RecoveryWindowReport([property: JsonPropertyName("noticed_s")] double NoticedSeconds, [property: JsonPropertyName("recovered_s")] double RecoveredSeconds);

public sealed record RuntimeFaultReport(int Index, string What, [property: JsonPropertyName("at_s")] double AtSeconds, string? Skipped);
