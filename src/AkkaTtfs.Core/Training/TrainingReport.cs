using System.Text.Json;
using System.Text.Json.Serialization;
using AkkaTtfs.Core.Metrics;

namespace AkkaTtfs.Core.Training;

/// <summary>One epoch of a training run.</summary>
/// <param name="Epoch">1-based epoch number, as printed.</param>
/// <param name="ValidationAccuracy">Validation accuracy (TTFS activation, batch norm in eval mode); null without a validation split.</param>
/// <param name="ValidationSpikesPerSample">Hidden spikes (non-zero activations) per validation sample.</param>
/// <param name="LearningRate">The learning rate of the epoch.</param>
/// <param name="TestAccuracy">With <see cref="TrainingOptions.TraceTest"/> only: the surrogate's test accuracy after this epoch (a diagnostic, never used for selection).</param>
/// <param name="TestSpikesPerSample">With <see cref="TrainingOptions.TraceTest"/> only: hidden spikes per test sample.</param>
public sealed record EpochSummary(
    int Epoch,
    double Loss,
    double CrossEntropy,
    double TrainAccuracy,
    double? ValidationAccuracy,
    double? ValidationSpikesPerSample,
    double SrProbability,
    bool KernelTrainable,
    double TauMin,
    double TauMax,
    double TdMin,
    double TdMax,
    double Seconds,
    double SamplesPerSecond,
    double LearningRate = 0,
    double? TestAccuracy = null,
    double? TestSpikesPerSample = null);

/// <summary>The trained temporal kernel of one hidden layer, with its value range.</summary>
public sealed record KernelSummary(int Layer, string Token, double Tau, double Td, double MinValue, double MaxValue);

/// <summary>
/// A converted model measured on a test split (docs/ttfs-method.md sections 2 and 5): the quantised DNN and
/// the event-driven SNN, their agreement, spikes, SynOps and the energy estimate.
/// </summary>
/// <param name="Dataset">Name of the split evaluated.</param>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="DnnAccuracy">Accuracy of the converted network run as a DNN with the quantised TTFS activation (the same Q as the SNN).</param>
/// <param name="SnnAccuracy">Accuracy of the Core event-driven reference simulator.</param>
/// <param name="PredictionAgreement">Share of samples on which DNN and SNN predict the same class.</param>
/// <param name="DisagreeingSamples">Number of samples on which they differ (float summation order across a Q boundary).</param>
/// <param name="DisagreeingIndices">The first (at most 100) disagreeing sample indices.</param>
/// <param name="SpikesPerSample">Hidden-layer spikes per sample in the SNN.</param>
/// <param name="SpikesPerSamplePerLayer">The same, per hidden layer.</param>
/// <param name="DnnNonZeroActivationsPerSample">Non-zero hidden activations per sample in the DNN (equals the SNN's spikes up to boundary cases).</param>
/// <param name="SynOpsPerSample">Synaptic operations driven by spikes, per sample.</param>
/// <param name="DnnMacsPerSample">Multiply-accumulates of the same network as a DNN.</param>
/// <param name="Energy">The per-sample energy estimate and the constants used.</param>
/// <param name="EnergyAssumption">The formula of the estimate, in words.</param>
/// <param name="DnnSeconds">Wall time of the DNN pass.</param>
/// <param name="SnnSeconds">Wall time of the SNN simulation.</param>
public sealed record EvaluationReport(
    string Dataset,
    int Samples,
    double DnnAccuracy,
    double SnnAccuracy,
    double PredictionAgreement,
    int DisagreeingSamples,
    IReadOnlyList<int> DisagreeingIndices,
    double SpikesPerSample,
    IReadOnlyList<double> SpikesPerSamplePerLayer,
    double DnnNonZeroActivationsPerSample,
    double SynOpsPerSample,
    long DnnMacsPerSample,
    EnergyEstimate Energy,
    string EnergyAssumption,
    double DnnSeconds,
    double SnnSeconds)
{
    /// <summary>The wording every report uses for the energy estimate (docs/ttfs-method.md section 5).</summary>
    public const string Assumption =
        "estimate, not a measurement: E_snn = SynOps*E_AC + analog first-layer MACs*E_MAC, E_dnn = MACs*E_MAC (docs/ttfs-method.md section 5)";
}

/// <summary>Everything a training run measured, serialisable to the JSON report written next to the model file.</summary>
public sealed record TrainingReport
{
    /// <summary>Version of this JSON layout; 2 = kept_epoch (1-based) and the keep rule replace best_epoch (0-based).</summary>
    public int SchemaVersion { get; init; } = 2;

    public required TrainingOptions Options { get; init; }

    /// <summary>E_sr in force (given or scaled).</summary>
    public required int SrEpochs { get; init; }

    /// <summary>E_k in force (given or scaled).</summary>
    public required int KernelEpoch { get; init; }

    public required string Dataset { get; init; }

    public required string Architecture { get; init; }

    public required string InputShape { get; init; }

    public required int TrainSamples { get; init; }

    public required int ValidationSamples { get; init; }

    public required int TestSamples { get; init; }

    public required IReadOnlyList<EpochSummary> History { get; init; }

    /// <summary>The keep rule applied (<see cref="CheckpointRule.Describe"/>).</summary>
    public required string KeepRule { get; init; }

    /// <summary>1-based: the first epoch the rule could choose (the preset's whole method in force from there on).</summary>
    public required int FirstSelectableEpoch { get; init; }

    /// <summary>1-based epoch whose checkpoint was kept (see <see cref="KeepRule"/>).</summary>
    public required int KeptEpoch { get; init; }

    /// <summary>Validation accuracy of the kept epoch; null without a validation split.</summary>
    public double? KeptValidationAccuracy { get; init; }

    /// <summary>Validation spikes per sample of the kept epoch; null without a validation split.</summary>
    public double? KeptValidationSpikesPerSample { get; init; }

    /// <summary>The highest validation accuracy among the selectable epochs (the reference of the efficient rule).</summary>
    public double? BestValidationAccuracy { get; init; }

    /// <summary>Test accuracy of the kept surrogate before conversion (batch norm in eval mode; TTFS activation, plain ReLU for the ReLU baseline).</summary>
    public required double SurrogateTestAccuracy { get; init; }

    /// <summary>Hidden non-zero activations per test sample of the kept surrogate in the same pass (for the ReLU baseline: ReLU activations, its "spikes").</summary>
    public double SurrogateTestSpikesPerSample { get; init; }

    public required double TrainingSeconds { get; init; }

    /// <summary>Training samples per second over all optimiser steps (validation excluded).</summary>
    public required double SamplesPerSecond { get; init; }

    public required IReadOnlyList<KernelSummary> Kernels { get; init; }

    public EvaluationReport? Evaluation { get; init; }

    public string? ModelPath { get; init; }

    /// <summary>Machine and library facts: processor count, OS, libtorch threads, versions.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Indented JSON with snake_case names; presets are written as SM, SR, SR+TR, SR+TR+TB, ReLU.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Options);
}

/// <summary>The JSON settings of training and evaluation reports.</summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new PresetConverter(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private sealed class PresetConverter : JsonConverter<TrainingPreset>
    {
        public override TrainingPreset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TrainingPresets.Parse(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, TrainingPreset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Name());
    }
}
