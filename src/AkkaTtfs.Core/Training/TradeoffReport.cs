using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaTtfs.Core.Training;

/// <summary>
/// One trained model of a trade-off sweep, measured on the test split: the SR+TR+TB runs at one lambda_TB
/// each, and the reference runs (SM; the plain ReLU network).
/// </summary>
/// <param name="Preset">SM, SR, SR+TR, SR+TR+TB or ReLU.</param>
/// <param name="LambdaTb">lambda_TB of the run (0 when the preset has no TB).</param>
/// <param name="Seed">The training seed.</param>
/// <param name="KeptEpoch">1-based kept epoch.</param>
/// <param name="KeptValidationAccuracy">Validation accuracy of the kept epoch.</param>
/// <param name="KeptValidationSpikesPerSample">Validation spikes per sample of the kept epoch.</param>
/// <param name="SurrogateTestAccuracy">Test accuracy of the kept surrogate (ReLU baseline: as a ReLU network).</param>
/// <param name="SurrogateTestSpikesPerSample">Its hidden non-zero activations per test sample (ReLU baseline: ReLU activations).</param>
/// <param name="DnnAccuracy">Converted network run as a quantised DNN.</param>
/// <param name="SnnAccuracy">Core event-driven SNN.</param>
/// <param name="Agreement">Share of test samples on which DNN and SNN predict the same class.</param>
/// <param name="SpikesPerSample">SNN hidden spikes per test sample.</param>
/// <param name="SpikesPerSamplePerLayer">The same per hidden layer.</param>
/// <param name="SynOpsPerSample">SNN synaptic operations per sample.</param>
/// <param name="DnnMacsPerSample">MACs of the same network as a DNN.</param>
/// <param name="EnergySnnPicojoules">Estimated SNN energy per sample (see the report's energy_assumption).</param>
/// <param name="EnergyDnnPicojoules">Estimated DNN energy per sample.</param>
/// <param name="TrainingSeconds">Wall time of the training.</param>
/// <param name="ModelPath">The model file written, if any.</param>
public sealed record TradeoffRun(
    string Preset,
    double LambdaTb,
    int Seed,
    int KeptEpoch,
    double? KeptValidationAccuracy,
    double? KeptValidationSpikesPerSample,
    double SurrogateTestAccuracy,
    double SurrogateTestSpikesPerSample,
    double DnnAccuracy,
    double SnnAccuracy,
    double Agreement,
    double SpikesPerSample,
    IReadOnlyList<double> SpikesPerSamplePerLayer,
    double SynOpsPerSample,
    long DnnMacsPerSample,
    double EnergySnnPicojoules,
    double EnergyDnnPicojoules,
    double TrainingSeconds,
    string? ModelPath);

/// <summary>Mean and spread of one quantity over the seeds of a point (sample standard deviation; 0 for one seed).</summary>
public sealed record Spread(double Mean, double StdDev, double Min, double Max)
{
    /// <summary>Summarises <paramref name="values"/> (at least one).</summary>
    public static Spread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("no value to summarise", nameof(values));
        var mean = values.Sum() / values.Count;
        var variance = values.Count < 2 ? 0 : values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new Spread(mean, Math.Sqrt(variance), values.Min(), values.Max());
    }
}

/// <summary>
/// One point of the curve: a preset and lambda_TB over its seeds. For the ReLU baseline the accuracy and
/// spikes are those of the ReLU network itself (its converted SNN is in <see cref="SnnAccuracy"/> of the runs).
/// </summary>
/// <param name="Label">"SR+TR+TB lambda_TB 0.01", "SM" or "ReLU".</param>
/// <param name="Preset">The preset.</param>
/// <param name="LambdaTb">lambda_TB (0 without TB).</param>
/// <param name="Seeds">How many seeds the point summarises.</param>
/// <param name="Accuracy">Test accuracy: the SNN's (the ReLU baseline's: the ReLU DNN's).</param>
/// <param name="SpikesPerSample">Test spikes per sample (ReLU baseline: non-zero ReLU activations).</param>
/// <param name="Agreement">DNN/SNN agreement of the converted networks.</param>
/// <param name="SynOpsPerSample">SNN SynOps per sample.</param>
/// <param name="EnergyRatio">Estimated E_snn / E_dnn.</param>
/// <param name="SpikesVsSm">Mean spikes per sample relative to SM's mean (-0.85 = 85% fewer); null without an SM reference.</param>
public sealed record TradeoffPoint(
    string Label,
    string Preset,
    double LambdaTb,
    int Seeds,
    Spread Accuracy,
    Spread SpikesPerSample,
    Spread Agreement,
    Spread SynOpsPerSample,
    Spread EnergyRatio,
    double? SpikesVsSm);

/// <summary>What <c>akkattfs tradeoff</c> writes as JSON: every run and the per-point summaries.</summary>
public sealed record TradeoffReport
{
    /// <summary>Version of this JSON layout.</summary>
    public int SchemaVersion { get; init; } = 1;

    public required string Dataset { get; init; }

    public required string Architecture { get; init; }

    public required int Epochs { get; init; }

    /// <summary>E_sr, E_k and the other schedule knobs shared by the runs, in words.</summary>
    public required string Schedule { get; init; }

    /// <summary>The keep rule of the SR+TR+TB runs (the references keep their preset's default).</summary>
    public required string Keep { get; init; }

    public required IReadOnlyList<double> LambdaTb { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    public required int TestSamples { get; init; }

    public required double EnergyAccumulatePicojoules { get; init; }

    public required double EnergyMultiplyAccumulatePicojoules { get; init; }

    public string EnergyAssumption { get; init; } = EvaluationReport.Assumption;

    public required IReadOnlyList<TradeoffRun> Runs { get; init; }

    public required IReadOnlyList<TradeoffPoint> Points { get; init; }

    /// <summary>Load average before and after, machine facts.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string ToJson() => JsonSerializer.Serialize(this, TradeoffJson.Default.TradeoffReport);

    public static TradeoffReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, TradeoffJson.Default.TradeoffReport) ?? throw new JsonException("the trade-off report is null");
}

/// <summary>Source-generated JSON of <see cref="TradeoffReport"/> (snake_case, indented).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TradeoffReport))]
public sealed partial class TradeoffJson : JsonSerializerContext;
