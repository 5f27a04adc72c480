namespace AkkaTtfs.Core.Training;

/// <summary>
/// Where a training run stands: reported after every epoch (<see cref="EpochCompleted"/> true) and, in
/// between, every few batches. Accuracies are fractions in [0, 1].
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean total loss (CE + lambda_TR L_TR + lambda_TB L_TB) over the epoch so far.</param>
/// <param name="CrossEntropy">Mean cross-entropy over the epoch so far.</param>
/// <param name="TrainAccuracy">Accuracy on the training batches of this epoch (in the activation mode each batch drew).</param>
/// <param name="ValidationAccuracy">Validation accuracy (TTFS activation, eval mode) at the end of the epoch; null in between or without a validation split.</param>
/// <param name="ValidationSpikesPerSample">Hidden spikes per validation sample at the end of the epoch; null when not measured.</param>
/// <param name="SrProbability">p(e) of this epoch (1 without SR, 0 for the ReLU baseline).</param>
/// <param name="KernelTrainable">Whether tau and td are being trained in this epoch.</param>
/// <param name="TauMin">Smallest tau over the hidden layers.</param>
/// <param name="TauMax">Largest tau.</param>
/// <param name="TdMin">Smallest td.</param>
/// <param name="TdMax">Largest td.</param>
/// <param name="SamplesPerSecond">Training throughput of this epoch so far (optimiser steps only).</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Remaining">Estimated time to the end of the last epoch.</param>
/// <param name="EpochCompleted">True for the end-of-epoch report.</param>
/// <param name="IsKept">True when the keep rule, applied to the epochs so far, keeps this epoch (end-of-epoch reports only).</param>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
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
    double SamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan Remaining,
    bool EpochCompleted,
    bool IsKept);
