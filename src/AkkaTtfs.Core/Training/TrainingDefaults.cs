namespace AkkaTtfs.Core.Training;

/// <summary>
/// Measured training recipes for the commands that train without asking (docs/benchmarks.md, issue 13).
/// The CLI reads these instead of keeping its own numbers.
/// </summary>
public static class TrainingDefaults
{
    /// <summary>
    /// The main job (<c>akkattfs run</c> without a model): SR+TR+TB on mnist-cnn, short enough that the whole
    /// command stays under about two minutes on two idle cores, with enough L_TB steps to go below 1,000 spikes
    /// per sample: E_sr = E_k = 4 (the method in force from the 5th epoch, 12 epochs of L_TB), batch 64 (twice
    /// the optimiser steps of 128 per epoch), lambda_TB 0.1 and the learning rate x0.1 for the last 4 epochs (the
    /// accuracy settles while the spikes stay low). No validation split: it trains on all 8,000 bundled training
    /// samples and keeps the last epoch. With the learning-rate step the efficient rule kept the last epoch anyway,
    /// so the 800 held-out samples chose nothing; trained on, they gave 98.05% / 717 spikes on seed 1 (97.75% / 755
    /// with the split) and over seeds 1-3 98.03% at 653-717 spikes against 97.92% at 747-758: fewer spikes on every
    /// seed, the accuracy gain within the noise (docs/benchmarks.md, issue 13, 2026-12-03).
    /// One libtorch thread (the default), measured against two: with libtorch's OpenMP workers waiting passively
    /// (Training's OpenMpWaitPolicy) two threads no longer collapse on a busy machine and trained 1.2-1.5x faster than
    /// one when they had the cores, but the thread count changes the float summation order and seed 1 then ends at 97.85% (720.7 spikes)
    /// instead of 98.05% (716.8): below the main job's 98.0% (docs/benchmarks.md, "OpenMP wait policy", session 6).
    /// Data, architecture and seed are the caller's.
    /// </summary>
    public static TrainingOptions MainJob { get; } = new()
    {
        Preset = TrainingPreset.SrTrTb,
        Epochs = 16,
        SrEpochs = 4,
        KernelEpoch = 4,
        BatchSize = 64,
        LambdaTb = 0.1,
        LearningRateDropEpoch = 12,
        LearningRateDropFactor = 0.1,
        ValidationFraction = 0,
        Keep = CheckpointRule.Last,
    };

    /// <summary>
    /// The main job's recipe stretched to <paramref name="epochs"/>: E_sr = E_k = a quarter of them and the
    /// learning-rate step for the last quarter, as in <see cref="MainJob"/> (16 epochs: 4, 4, drop at 12).
    /// </summary>
    public static TrainingOptions MainJobFor(int epochs)
    {
        if (epochs == MainJob.Epochs) return MainJob;
        var quarter = Math.Max(1, epochs / 4);
        return MainJob with
        {
            Epochs = epochs,
            SrEpochs = Math.Min(quarter, epochs),
            KernelEpoch = Math.Min(quarter, epochs),
            LearningRateDropEpoch = epochs >= 4 ? epochs - quarter : null,
        };
    }
}
