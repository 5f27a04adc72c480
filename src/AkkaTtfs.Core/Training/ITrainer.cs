namespace AkkaTtfs.Core.Training;

/// <summary>
/// Trains a surrogate DNN and converts it into an <see cref="Model.SnnModel"/>. The coordinator obtains models
/// through this interface; the implementation (AkkaTtfs.Training, TorchSharp) is the only code that touches libtorch.
/// </summary>
public interface ITrainer
{
    /// <summary>
    /// Runs the whole pipeline of <paramref name="options"/>: load the data, train, keep the checkpoint the keep rule chooses,
    /// convert, evaluate, and save the model file if <see cref="TrainingOptions.OutputPath"/> is set.
    /// Bad options or an architecture that does not fit the data throw before any training.
    /// </summary>
    /// <remarks>
    /// Blocks until done; the work runs on a dedicated libtorch thread, and <paramref name="progress"/> is
    /// called on that thread (after every epoch and about ten times within one), so keep handlers short.
    /// Cancelling <paramref name="ct"/> stops between mini-batches with an <see cref="OperationCanceledException"/>.
    /// </remarks>
    TrainingResult Train(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken ct);
}

/// <summary>The converted model and what the run measured.</summary>
public sealed record TrainingResult(Model.SnnModel Model, TrainingReport Report);
