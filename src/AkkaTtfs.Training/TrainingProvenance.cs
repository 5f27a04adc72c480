using System.Globalization;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Training;

/// <summary>What a trained model file records about its training (metadata entries) and the machine facts of a report.</summary>
internal static class TrainingProvenance
{
    /// <summary>The model file's metadata entries; epochs a person reads are 1-based (kept_epoch).</summary>
    public static Dictionary<string, string> Describe(TrainingPlan plan, CheckpointRule keep, int keptEpoch, double? keptAccuracy, double? keptSpikes,
        double surrogateTestAccuracy)
    {
        var o = plan.Options;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = "akkattfs train (AkkaTtfs.Training, TorchSharp surrogate DNN, BN folded)",
            ["dataset"] = plan.DatasetName,
            ["dataset_source"] = plan.DatasetSource,
            ["split"] = $"train {plan.Train.Count} + validation {plan.Validation.Count} (stratified, fraction {Invariant(o.ValidationFraction)}, seed {o.Seed}) " +
                        $"of {plan.DatasetName} train{(o.TrainLimit is { } l ? $" (first {l})" : "")}; test {plan.Test.Count}{(o.TestLimit is { } t ? $" (first {t})" : "")}",
            ["architecture"] = plan.Network.Architecture,
            ["architecture_spec"] = o.Architecture,
            ["preset"] = o.Preset.Name(),
            ["epochs"] = Invariant(o.Epochs),
            ["E_sr"] = Invariant(plan.SrEpochs),
            ["E_k"] = Invariant(plan.KernelEpoch),
            ["lambda_TR"] = Invariant(o.LambdaTr),
            ["lambda_TB"] = Invariant(o.LambdaTb),
            ["tau_init"] = Invariant(o.TauInit),
            ["td_init"] = Invariant(o.TdInit),
            ["T"] = Invariant(o.T),
            ["optimiser"] = o.LearningRateCosineEpoch is { } cosine
                ? $"Adam, learning rate on a half cosine to the end from epoch {cosine + 1} (1-based)"
                : o.LearningRateDropEpoch is { } drop
                ? $"Adam, learning rate x{Invariant(o.LearningRateDropFactor)} from epoch {drop + 1} (1-based)"
                : "Adam, constant learning rate",
            ["lr"] = Invariant(o.LearningRate),
            ["batch"] = Invariant(o.BatchSize),
            ["dropout"] = Invariant(o.Dropout),
            ["seed"] = Invariant(o.Seed),
            ["validation_fraction"] = Invariant(o.ValidationFraction),
            ["augment"] = o.Augment ? "pad-4 crop + horizontal flip" : o.ShiftPixels > 0 ? $"random shift up to {Invariant(o.ShiftPixels)} pixels" : "none",
            ["threads"] = Invariant(o.Threads),
            ["normalisation"] = o.Normalisation.ToString(),
            ["keep"] = keep.ToString(),
            ["kept_epoch"] = Invariant(keptEpoch),
            ["surrogate_test_accuracy"] = Invariant(surrogateTestAccuracy),
        };
        // Only when used, so that the files of runs without a ramp stay as they were.
        if (o.LambdaTbRampEpochs > 0) metadata["lambda_TB_ramp_epochs"] = Invariant(o.LambdaTbRampEpochs);
        if (keptAccuracy is { } a) metadata["validation_accuracy"] = Invariant(a);
        if (keptSpikes is { } s) metadata["validation_spikes_per_sample"] = Invariant(s);
        return metadata;
    }

    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Processor count, OS, versions, libtorch threads, OpenMP wait policy and the load average at the start.</summary>
    public static Dictionary<string, string> Environment(int threads)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["processor_count"] = System.Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["dotnet"] = System.Environment.Version.ToString(),
            ["torchsharp"] = TorchRuntime.TorchSharpVersion,
            ["libtorch_threads"] = threads.ToString(CultureInfo.InvariantCulture),
            ["openmp_wait_policy"] = OpenMpWaitPolicy.InEffect,
        };
        try
        {
            if (File.Exists("/proc/loadavg")) environment["load_average_at_start"] = File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            // The load average is a courtesy for reports; its absence changes nothing.
        }

        return environment;
    }
}
