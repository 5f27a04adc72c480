using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Training;

/// <summary>How the trainer turns pixel bytes into inputs (recorded in the model file).</summary>
public enum NormalisationChoice
{
    /// <summary>Unit range for one-channel (MNIST-like) data, per-channel mean/std of the training split for colour data.</summary>
    Auto,

    /// <summary>Bytes / 255 (<see cref="InputNormalisation.UnitRange"/>).</summary>
    UnitRange,

    /// <summary>Bytes / 255, then per-channel mean and std of the training split.</summary>
    MeanStd,
}

/// <summary>
/// Every knob of a training run (docs/ttfs-method.md section 3). Defaults are the paper's, except the
/// epoch count (short runs here; E_sr and E_k scale with it, see <see cref="TrainingSchedule.ScalingRule"/>)
/// and lambda_TB (chosen by the sweep in docs/benchmarks.md).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The default lambda_TB: the paper's 1e-4 barely acts in short runs; 1e-2 removes most spikes at equal accuracy (docs/benchmarks.md, Training).</summary>
    public const double DefaultLambdaTb = 1e-2;

    /// <summary>Dataset name (mnist-10k, fashion-mnist) or folder; see <see cref="DatasetCatalog"/>.</summary>
    public string Data { get; init; } = DatasetCatalog.DefaultName;

    /// <summary>Architecture string or preset name (<see cref="Network.ArchitectureParser"/>).</summary>
    public string Architecture { get; init; } = "mnist-cnn";

    public TrainingPreset Preset { get; init; } = TrainingPreset.SrTrTb;

    public int Epochs { get; init; } = 40;

    /// <summary>E_sr; null = <see cref="TrainingSchedule.ScaledSrEpochs"/>(<see cref="Epochs"/>).</summary>
    public int? SrEpochs { get; init; }

    /// <summary>E_k; null = <see cref="TrainingSchedule.ScaledKernelEpoch"/>(<see cref="Epochs"/>).</summary>
    public int? KernelEpoch { get; init; }

    public double LambdaTr { get; init; } = 1e-4;

    public double LambdaTb { get; init; } = DefaultLambdaTb;

    public double TauInit { get; init; } = 10;

    public double TdInit { get; init; }

    /// <summary>Window length T in steps.</summary>
    public int T { get; init; } = 32;

    /// <summary>Adam's learning rate (constant unless <see cref="LearningRateDropEpoch"/> or <see cref="LearningRateCosineEpoch"/> is set).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>0-based epoch from which the learning rate is multiplied by <see cref="LearningRateDropFactor"/>; null = constant (the paper).</summary>
    public int? LearningRateDropEpoch { get; init; }

    /// <summary>Factor of the learning-rate step at <see cref="LearningRateDropEpoch"/>.</summary>
    public double LearningRateDropFactor { get; init; } = 0.1;

    /// <summary>
    /// 0-based epoch from which the learning rate follows a half cosine down to the end of the run
    /// (lr x (1 + cos(pi (e - start) / (epochs - start))) / 2); null = none. Excludes <see cref="LearningRateDropEpoch"/>.
    /// </summary>
    public int? LearningRateCosineEpoch { get; init; }

    /// <summary>
    /// Epochs over which lambda_TB rises linearly from E_k (lambda_TB x (e - E_k + 1) / R in epoch e), so that L_TB
    /// removes the spikes more gradually; 0 = the full lambda_TB from E_k on (the paper).
    /// </summary>
    public int LambdaTbRampEpochs { get; init; }

    /// <summary>Which epoch's checkpoint is kept; null = <see cref="CheckpointRule.DefaultFor"/> the preset.</summary>
    public CheckpointRule? Keep { get; init; }

    /// <summary>
    /// Diagnostic: also measure the surrogate's test accuracy and spikes after every epoch (recorded in the
    /// report's history; never used to choose the kept epoch). Costs one test pass per epoch.
    /// </summary>
    public bool TraceTest { get; init; }

    public int BatchSize { get; init; } = 128;

    /// <summary>Dropout probability after every hidden activation (0 = none).</summary>
    public double Dropout { get; init; }

    /// <summary>Seeds weights, shuffling, SR draws, dropout, augmentation and the validation split.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Share of the training split held out (stratified) to choose the kept checkpoint (<see cref="Keep"/>); 0 = keep the last epoch.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Pad-4, random 32x32 crop and horizontal flip of every training sample (CIFAR-like data).</summary>
    public bool Augment { get; init; }

    /// <summary>
    /// Shift every training sample by a random whole number of pixels in [-N, N] along each axis (zero fill, no
    /// flip: the augmentation for digits); 0 = none. Excludes <see cref="Augment"/>.
    /// </summary>
    public int ShiftPixels { get; init; }

    /// <summary>The largest <see cref="ShiftPixels"/> accepted.</summary>
    public const int MaxShiftPixels = 8;

    /// <summary>Whether training batches are augmented at all (<see cref="Augment"/> or <see cref="ShiftPixels"/>).</summary>
    public bool Augments => Augment || ShiftPixels > 0;

    /// <summary>The largest random shift of a training sample in force: 4 with <see cref="Augment"/>, else <see cref="ShiftPixels"/>.</summary>
    public int AugmentShift => Augment ? 4 : ShiftPixels;

    /// <summary>Whether augmented samples are also flipped horizontally (only with <see cref="Augment"/>).</summary>
    public bool AugmentFlip => Augment;

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Where libtorch trains the surrogate: "cpu" (default) or "cuda" / "cuda:N" (needs TorchSharp's CUDA packages
    /// instead of the CPU ones, and an NVIDIA driver). Conversion and evaluation run on the CPU either way.
    /// </summary>
    public string Device { get; init; } = "cpu";

    public NormalisationChoice Normalisation { get; init; } = NormalisationChoice.Auto;

    /// <summary>Use only the first N training samples (before the validation split); null = all.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Evaluate on the first N test samples; null = all.</summary>
    public int? TestLimit { get; init; }

    /// <summary>Run the SNN evaluation (Core event-driven reference) on the test split after training.</summary>
    public bool Evaluate { get; init; } = true;

    /// <summary>Where to write the model file; null = do not write.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Energy constants of the estimate in the report.</summary>
    public EnergyModel Energy { get; init; } = EnergyModel.Default;

    /// <summary>E_sr in force: the given value or the scaled rule.</summary>
    public int ResolvedSrEpochs => SrEpochs ?? TrainingSchedule.ScaledSrEpochs(Math.Max(1, Epochs));

    /// <summary>E_k in force: the given value or the scaled rule.</summary>
    public int ResolvedKernelEpoch => KernelEpoch ?? TrainingSchedule.ScaledKernelEpoch(Math.Max(1, Epochs));

    /// <summary>The keep rule in force: the given one or the preset's default.</summary>
    public CheckpointRule ResolvedKeep => Keep ?? CheckpointRule.DefaultFor(Preset);

    /// <summary>The learning rate of 0-based <paramref name="epoch"/>.</summary>
    public double LearningRateAt(int epoch)
    {
        if (LearningRateCosineEpoch is { } start && epoch >= start)
            return LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - start) / (Epochs - start)));
        return LearningRateDropEpoch is { } drop && epoch >= drop ? LearningRate * LearningRateDropFactor : LearningRate;
    }

    /// <summary>lambda_TB in 0-based <paramref name="epoch"/> from E_k on (<see cref="LambdaTbRampEpochs"/>); whether L_TB acts at all is the preset's and E_k's.</summary>
    public double LambdaTbAt(int epoch) =>
        LambdaTbRampEpochs > 0 ? LambdaTb * Math.Clamp((epoch - ResolvedKernelEpoch + 1.0) / LambdaTbRampEpochs, 0, 1) : LambdaTb;

    /// <summary>Checks every knob; the exception names the knob, its value and what is allowed.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) Fail("data", Data, "a dataset name or folder");
        if (string.IsNullOrWhiteSpace(Architecture)) Fail("architecture", Architecture, "an architecture string or preset");
        if (!Enum.IsDefined(Preset)) Fail("preset", Preset, string.Join(", ", TrainingPresets.All.Select(p => p.Name)));
        if (Epochs < 1) Fail("epochs", Epochs, ">= 1");
        if (SrEpochs is < 1) Fail("E_sr", SrEpochs, ">= 1");
        if (KernelEpoch is < 0) Fail("E_k", KernelEpoch, ">= 0");
        if ((Preset.UsesTr() || Preset.UsesTb()) && ResolvedKernelEpoch >= Epochs)
            Fail("E_k", ResolvedKernelEpoch, $"< epochs ({Epochs}), otherwise {Preset.Name()} never trains the kernel or applies its losses");
        if (!(LambdaTr >= 0) || !double.IsFinite(LambdaTr)) Fail("lambda_TR", LambdaTr, "a finite number >= 0");
        if (!(LambdaTb >= 0) || !double.IsFinite(LambdaTb)) Fail("lambda_TB", LambdaTb, "a finite number >= 0");
        if (!(TauInit > 0) || !double.IsFinite(TauInit)) Fail("tau_init", TauInit, "a finite number > 0");
        if (!double.IsFinite(TdInit)) Fail("td_init", TdInit, "a finite number");
        if (T < 1 || T > TemporalKernel.MaxWindow) Fail("T", T, $"in [1, {TemporalKernel.MaxWindow}]");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) Fail("lr", LearningRate, "a finite number > 0");
        if (LearningRateDropEpoch is { } dropEpoch && (dropEpoch < 1 || dropEpoch >= Epochs)) Fail("lr drop epoch", dropEpoch, $"in [1, epochs - 1 = {Epochs - 1}]");
        if (!(LearningRateDropFactor > 0) || !double.IsFinite(LearningRateDropFactor)) Fail("lr drop factor", LearningRateDropFactor, "a finite number > 0");
        if (LearningRateCosineEpoch is { } cosine && (cosine < 0 || cosine >= Epochs)) Fail("lr cosine epoch", cosine, $"in [0, epochs - 1 = {Epochs - 1}]");
        if (LearningRateCosineEpoch is not null && LearningRateDropEpoch is not null)
            Fail("lr cosine epoch", LearningRateCosineEpoch, "no value together with an lr drop (one schedule at a time)");
        if (LambdaTbRampEpochs < 0 || LambdaTbRampEpochs > Epochs) Fail("lambda_TB ramp", LambdaTbRampEpochs, $"in [0, epochs = {Epochs}]");
        if (Keep is { } keep && (!Enum.IsDefined(keep.Kind) || !(keep.DropPoints >= 0 && keep.DropPoints <= 100)))
            Fail("keep", keep, "best, last or efficient:DROP with DROP in [0, 100] points");
        if (BatchSize < 1) Fail("batch", BatchSize, ">= 1");
        if (!(Dropout >= 0 && Dropout < 1)) Fail("dropout", Dropout, "in [0, 1)");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) Fail("validation fraction", ValidationFraction, "in [0, 1)");
        if (ShiftPixels < 0 || ShiftPixels > MaxShiftPixels) Fail("shift", ShiftPixels, $"in [0, {MaxShiftPixels}] pixels");
        if (ShiftPixels > 0 && Augment) Fail("shift", ShiftPixels, "0 together with augment (which shifts by up to 4 pixels and flips)");
        if (Threads < 1 || Threads > 256) Fail("threads", Threads, "in [1, 256]");
        if (DeviceProblem(Device) is { } deviceProblem) Fail("device", Device, deviceProblem);
        if (!Enum.IsDefined(Normalisation)) Fail("normalisation", Normalisation, "auto, unit or meanstd");
        if (TrainLimit is < 1) Fail("train limit", TrainLimit, ">= 1");
        if (TestLimit is < 1) Fail("test limit", TestLimit, ">= 1");
        if (Energy is null) Fail("energy", "null", "an energy model");
        if (!(Energy!.AccumulatePicojoules >= 0) || !(Energy.MultiplyAccumulatePicojoules >= 0))
            Fail("energy constants", $"{Energy.AccumulatePicojoules}/{Energy.MultiplyAccumulatePicojoules}", "numbers >= 0");
    }

    /// <summary>Null when <paramref name="device"/> names a device the trainer knows (cpu, cuda, cuda:N); else what is expected.</summary>
    public static string? DeviceProblem(string? device)
    {
        const string expected = "cpu, cuda or cuda:N (N a GPU index >= 0)";
        if (device is "cpu" or "cuda") return null;
        if (device is null || !device.StartsWith("cuda:", StringComparison.Ordinal)) return expected;
        var index = device["cuda:".Length..];
        return index.Length is > 0 and <= 4 && index.All(char.IsAsciiDigit) ? null : expected;
    }

    private static void Fail(string knob, object? value, string expected) =>
        throw new ArgumentException($"training option {knob} = {value?.ToString() ?? "null"} is not valid: expected {expected}");
}
