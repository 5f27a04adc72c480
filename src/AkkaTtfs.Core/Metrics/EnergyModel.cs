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
/// <remarks>
/// Both constants must be finite and non-negative: NaN, an infinity or a negative energy would print nonsense
/// in every report. The constructor (and a <c>with</c> copy) throws an <see cref="ArgumentException"/> naming the
/// constant and its value; <see cref="Check"/> asks the same question without building a model, for callers
/// that check their options up front.
/// </remarks>
public sealed record EnergyModel
{
    public const double DefaultAccumulatePicojoules = 0.9;
    public const double DefaultMultiplyAccumulatePicojoules = 4.6;

    private readonly double _accumulatePicojoules;
    private readonly double _multiplyAccumulatePicojoules;

    public EnergyModel(double accumulatePicojoules = DefaultAccumulatePicojoules, double multiplyAccumulatePicojoules = DefaultMultiplyAccumulatePicojoules)
    {
        AccumulatePicojoules = accumulatePicojoules;
        MultiplyAccumulatePicojoules = multiplyAccumulatePicojoules;
    }

    public static EnergyModel Default { get; } = new();

    /// <summary>E_AC: energy of one accumulate (a synaptic operation of a spike), in picojoules.</summary>
    public double AccumulatePicojoules
    {
        get => _accumulatePicojoules;
        init => _accumulatePicojoules = Checked(value, "E_AC (energy per accumulate)");
    }

    /// <summary>E_MAC: energy of one multiply-accumulate, in picojoules.</summary>
    public double MultiplyAccumulatePicojoules
    {
        get => _multiplyAccumulatePicojoules;
        init => _multiplyAccumulatePicojoules = Checked(value, "E_MAC (energy per multiply-accumulate)");
    }

    /// <summary>Null when both constants are usable, else why not (one line naming the constant and its value).</summary>
    public static string? Check(double accumulatePicojoules, double multiplyAccumulatePicojoules) =>
        Problem(accumulatePicojoules, "E_AC (energy per accumulate)") ?? Problem(multiplyAccumulatePicojoules, "E_MAC (energy per multiply-accumulate)");

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

    private static double Checked(double value, string name) =>
        Problem(value, name) is { } problem ? throw new ArgumentException(problem) : value;

    private static string? Problem(double value, string name) =>
        double.IsFinite(value) && value >= 0
            ? null
            : $"energy constant {name} is {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} pJ; it must be a finite number >= 0";
}

/// <summary>Per-sample operation counts and energies (picojoules) of the SNN and of the same network run as a DNN.</summary>
public sealed record EnergyEstimate(double SynOpsPerSample, long DnnMacsPerSample, double SnnPicojoules, double DnnPicojoules, EnergyModel Model)
{
    /// <summary>E_snn / E_dnn (lower is better).</summary>
    public double Ratio => DnnPicojoules == 0 ? 0 : SnnPicojoules / DnnPicojoules;
}
