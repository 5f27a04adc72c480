using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// A test double of the trainer: "trains" by building a seeded random model of the options' architecture on
/// 1x12x12 inputs, reporting one progress per epoch from its own thread, honouring its token between epochs. With
/// <see cref="HoldAfterFirstEpoch"/> it waits after the first epoch until cancelled, so a test can
/// cancel training that is under way.
/// </summary>
public sealed class FakeTrainer : ITrainer
{
    public bool HoldAfterFirstEpoch { get; set; }

    /// <summary>Calls of <see cref="Train"/> so far.</summary>
    public int Calls => _calls;

    /// <summary>Calls that ended because their token was cancelled.</summary>
    public int Cancelled => _cancelled;

    /// <summary>Threads the trainer ran on.</summary>
    public List<int> Threads { get; } = [];

    private int _calls;
    private int _cancelled;

    public static SnnModel ModelFor(TrainingOptions options) =>
        RandomModel.Create(ArchitectureParser.Build(options.Architecture, TensorShape.Image(1, 12, 12)), options.Seed);

    public TrainingResult Train(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        Interlocked.Increment(ref _calls);
        lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
        try
        {
            for (var epoch = 0; epoch < options.Epochs; epoch++)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new TrainingProgress(epoch, options.Epochs, 10, 10, 1.0 / (epoch + 1), 0.5, 0.9, 0.8, 12, 1, false, 10, 10, 0, 0, 1000,
                    TimeSpan.FromSeconds(epoch), TimeSpan.FromSeconds(options.Epochs - epoch), EpochCompleted: true, IsKept: true));
                if (epoch == 0 && HoldAfterFirstEpoch)
                {
                    ct.WaitHandle.WaitOne(TimeSpan.FromMinutes(2));
                    ct.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }

        var model = ModelFor(options);
        var report = new TrainingReport
        {
            Options = options,
            SrEpochs = 0,
            KernelEpoch = 0,
            Dataset = "fake",
            Architecture = options.Architecture,
            InputShape = "1x12x12",
            TrainSamples = 0,
            ValidationSamples = 0,
            TestSamples = 0,
            History = [],
            KeepRule = "last",
            FirstSelectableEpoch = 1,
            KeptEpoch = options.Epochs,
            SurrogateTestAccuracy = 0.5,
            TrainingSeconds = 0,
            SamplesPerSecond = 0,
            Kernels = [],
        };
        return new TrainingResult(model, report);
    }
}
