using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Metrics;

/// <summary>
/// The energy estimate of docs/ttfs-method.md section 5 (an assumption, not a measurement):
/// E_snn = SynOps * E_AC + (MACs of the analog first layer) * E_MAC and E_dnn = MACs * E_MAC.
/// Defaults are the 45 nm figures commonly quoted (Horowitz 2014); every report states the values used.
/// </summary>
public sealed record EnergyModel(double AccumulatePicojoules = 0.9, double MultiplyAccumulatePicojoules = 4.6)
{
    public static EnergyModel Default { get; } = new();

    /// <summary>Per-sample estimate for a simulation result of a network.</summary>
    public EnergyEstimate Estimate(NetworkSpec network, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(result);
        if (result.SampleCount == 0) return new EnergyEstimate(0, 0, 0, 0, this);
        var synOps = (double)result.SynOps / result.SampleCount;
        var analogMacs = (double)result.FirstLayerMacs / result.SampleCount;
        var snn = (synOps * AccumulatePicojoules) + (analogMacs * MultiplyAccumulatePicojoules);
        var dnn = network.Macs * MultiplyAccumulatePicojoules;
        return new EnergyEstimate(synOps, network.Macs, snn, dnn, this);
    }
}

/// <summary>Per-sample operation counts and energies (picojoules) of the SNN and of the same network run as a DNN.</summary>
public sealed record EnergyEstimate(double SynOpsPerSample, long DnnMacsPerSample, double SnnPicojoules, double DnnPicojoules, EnergyModel Model)
{
    /// <summary>E_snn / E_dnn (lower is better).</summary>
    public double Ratio => DnnPicojoules == 0 ? 0 : SnnPicojoules / DnnPicojoules;
}
