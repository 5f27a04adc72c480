using System.Diagnostics;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Conversion;
using AkkaTtfs.Training.Evaluation;
using AkkaTtfs.Training.Surrogate;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>
/// Trains the surrogate DNN of docs/ttfs-method.md section 3 with TorchSharp (Adam, constant learning rate,
/// SR / TR / TB per preset, the kept checkpoint chosen on the validation split by a <see cref="CheckpointRule"/>), converts it (section 4), evaluates the
/// SNN with the Core reference simulator and writes the model file and its JSON report.
/// </summary>
public sealed class SurrogateTrainer : ITrainer
{
    /// <summary>Loads <see cref="TrainingOptions.Data"/> through the dataset catalog, then trains.</summary>
    public TrainingResult Train(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Train(DatasetCatalog.Load(options.Data), options, progress, ct);
    }

    /// <summary>Trains on an already loaded dataset (options.Data is recorded but not read).</summary>
    public TrainingResult Train(DatasetPair data, TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var plan = TrainingPlan.Create(data, options);
        if (options.OutputPath is { } path)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is null || !Directory.Exists(folder))
                throw new DirectoryNotFoundException($"cannot write the model to '{path}': the folder '{folder}' does not exist");
            // Checked now, not when the model is written after minutes of training.
            if (Directory.Exists(Path.GetFullPath(path)))
                throw new IOException($"cannot write the model to '{path}': it is a folder");
        }

        return TorchRuntime.OnTrainingThread(() => Run(plan, progress, ct));
    }

    /// <summary>The JSON report's path for a model file: model.safetensors -> model.report.json.</summary>
    public static string ReportPathFor(string modelPath) => Path.ChangeExtension(modelPath, ".report.json");

    private static TrainingResult Run(TrainingPlan plan, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var o = plan.Options;
        var environment = TrainingProvenance.Environment(o.Threads);
        TorchRuntime.SetThreads(o.Threads);
        TorchRuntime.Seed(o.Seed);
        using var session = new Session(plan, progress);
        for (var epoch = 0; epoch < o.Epochs; epoch++) session.RunEpoch(epoch, ct);

        var keptEpoch = session.RestoreKept();
        // Conversion reads the weights as CPU memory, and the test numbers are computed as the SNN computes them: on the CPU.
        session.Network.to(CPU);
        var trainingSeconds = session.Clock.Elapsed.TotalSeconds;
        double surrogateTestAccuracy, surrogateTestSpikes;
        using (var test = new BatchSource(plan.Test, plan.Normalisation, false))
            (surrogateTestAccuracy, surrogateTestSpikes) = Measure(session.Network, test, precise: false, MeasureMode(o.Preset));

        var kept = session.History[keptEpoch];
        var (model, evaluation) = ConvertAndEvaluate(plan, session.Network, keptEpoch, kept, surrogateTestAccuracy);
        var report = new TrainingReport
        {
            Options = o,
            SrEpochs = plan.SrEpochs,
            KernelEpoch = plan.KernelEpoch,
            Dataset = plan.DatasetName,
            Architecture = plan.Network.Architecture,
            InputShape = plan.Network.Input.ToString(),
            TrainSamples = plan.Train.Count,
            ValidationSamples = plan.Validation.Count,
            TestSamples = plan.Test.Count,
            History = session.History,
            KeepRule = o.ResolvedKeep.Describe(),
            FirstSelectableEpoch = plan.FirstSelectableEpoch + 1,
            KeptEpoch = keptEpoch + 1,
            KeptValidationAccuracy = kept.ValidationAccuracy,
            KeptValidationSpikesPerSample = kept.ValidationSpikesPerSample,
            BestValidationAccuracy = session.History.Skip(plan.FirstSelectableEpoch).Max(h => h.ValidationAccuracy),
            SurrogateTestAccuracy = surrogateTestAccuracy,
            SurrogateTestSpikesPerSample = surrogateTestSpikes,
            TrainingSeconds = trainingSeconds,
            SamplesPerSecond = session.StepSamples / Math.Max(session.StepSeconds, 1e-9),
            Kernels = Kernels(model),
            Evaluation = evaluation,
            ModelPath = o.OutputPath is null ? null : Path.GetFullPath(o.OutputPath),
            Environment = environment,
        };
        Write(model, report, o.OutputPath);
        return new TrainingResult(model, report);
    }

    /// <summary>The kept network as an SNN (section 4) with its provenance; with evaluation, the Core reference's test numbers in its metadata too.</summary>
    private static (SnnModel Model, EvaluationReport? Evaluation) ConvertAndEvaluate(TrainingPlan plan, SurrogateNetwork network, int keptEpoch, EpochSummary kept,
        double surrogateTestAccuracy)
    {
        var o = plan.Options;
        var metadata = TrainingProvenance.Describe(plan, o.ResolvedKeep, keptEpoch + 1, kept.ValidationAccuracy, kept.ValidationSpikesPerSample, surrogateTestAccuracy);
        var model = SnnConverter.Convert(network, plan.Normalisation, metadata);
        if (!o.Evaluate) return (model, null);

        var evaluation = ModelEvaluator.Evaluate(model, plan.Test, null, o.Energy);
        metadata["dnn_test_accuracy"] = TrainingProvenance.Invariant(evaluation.DnnAccuracy);
        metadata["snn_test_accuracy"] = TrainingProvenance.Invariant(evaluation.SnnAccuracy);
        metadata["dnn_snn_agreement"] = TrainingProvenance.Invariant(evaluation.PredictionAgreement);
        metadata["snn_spikes_per_sample"] = TrainingProvenance.Invariant(evaluation.SpikesPerSample);
        return (new SnnModel(model.Network, model.T, model.Layers, model.Normalisation, model.InputMode, model.InputKernel, metadata), evaluation);
    }

    private static KernelSummary[] Kernels(SnnModel model) =>
        model.Network.Stages.Where(s => !s.IsOutput).Select(s =>
        {
            var k = model.Layers[s.Index].Kernel!;
            return new KernelSummary(s.Index, s.Layer.Token, k.Tau, k.Td, k.MinValue, k.MaxValue);
        }).ToArray();

    private static void Write(SnnModel model, TrainingReport report, string? path)
    {
        if (path is null) return;
        ModelFile.Save(model, path);
        File.WriteAllText(ReportPathFor(Path.GetFullPath(path)), report.ToJson());
    }

    private static int BatchCount(int samples, int batchSize)
    {
        var batches = (samples + batchSize - 1) / batchSize;
        // A last batch of one sample cannot be batch-normalised in training mode: fold it away.
        if (batches > 1 && samples % batchSize == 1) batches--;
        return batches;
    }

    /// <summary>Evaluation always uses the TTFS activation, except for the ReLU baseline, which is measured as what it is.</summary>
    private static HiddenActivation MeasureMode(TrainingPreset preset) => preset.UsesTtfs() ? HiddenActivation.Ttfs : HiddenActivation.Relu;

    /// <summary>Accuracy and hidden spikes (non-zero activations) per sample, batch norm in eval mode.</summary>
    internal static (double Accuracy, double SpikesPerSample) Measure(SurrogateNetwork network, BatchSource data, bool precise, HiddenActivation mode)
    {
        var wasTraining = network.training;
        network.eval();
        network.SetAll(mode);
        network.Precise = precise;
        var spikes = new long[network.Hidden.Count];
        network.SpikeCounter = spikes;
        var device = network.Hidden.Count > 0 ? network.Hidden[0].Tau.device : CPU;
        long correct = 0;
        try
        {
            // Inference mode: no autograd bookkeeping at all (no version counters, no graph), cheaper than no_grad.
            using var inference = inference_mode();
            const int batch = 500;
            for (var start = 0; start < data.Count; start += batch)
            {
                using var scope = NewDisposeScope();
                var n = Math.Min(batch, data.Count - start);
                var logits = network.call(data.Range(start, n).to(device));
                var predictions = logits.argmax(1).cpu().data<long>().ToArray();
                for (var s = 0; s < n; s++)
                {
                    if (predictions[s] == data.LabelBytes[start + s]) correct++;
                }
            }
        }
        finally
        {
            network.SpikeCounter = null;
            network.Precise = false;
            network.train(wasTraining);
        }

        return data.Count == 0 ? (0, 0) : ((double)correct / data.Count, (double)spikes.Sum() / data.Count);
    }

    private static (double TauMin, double TauMax, double TdMin, double TdMax) KernelRanges(SurrogateNetwork network)
    {
        var taus = network.Hidden.Select(h => (double)h.Tau.item<float>()).ToArray();
        var tds = network.Hidden.Select(h => (double)h.Td.item<float>()).ToArray();
        return (taus.Min(), taus.Max(), tds.Min(), tds.Max());
    }

    private static TrainingProgress Progress(SurrogateNetwork network, int epoch, int epochs, int batch, int batches, double loss, double ce, double accuracy,
        double? validationAccuracy, double? validationSpikes, double p, bool kernelTrainable, double samplesPerSecond, TimeSpan elapsed, TimeSpan remaining,
        bool completed, bool isKept)
    {
        var (tauMin, tauMax, tdMin, tdMax) = KernelRanges(network);
        return new TrainingProgress(epoch, epochs, batch, batches, loss, ce, accuracy, validationAccuracy, validationSpikes, p, kernelTrainable,
            tauMin, tauMax, tdMin, tdMax, samplesPerSecond, elapsed, remaining, completed, isKept);
    }

    private static TimeSpan Remaining(TimeSpan elapsed, int epoch, double epochFraction, int epochs)
    {
        var done = epoch + epochFraction;
        return done <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (epochs - done));
    }

    /// <summary>
    /// One training run's state: the network, the optimiser, the batch sources, the checkpoints and the random
    /// streams (created in this order, after the seed: the same seed gives the same model), and the epoch history.
    /// </summary>
    private sealed class Session : IDisposable
    {
        private readonly TrainingPlan _plan;
        private readonly TrainingOptions _o;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly SplitMix64 _shuffleRandom;
        private readonly SplitMix64 _srRandom;
        private readonly SplitMix64 _augmentRandom;
        private readonly HeldScalarAdam _optimizer;
        private readonly BatchSource _train;
        private readonly BatchSource? _validation;
        private readonly BatchSource? _testTrace;
        private readonly CheckpointStore _checkpoints;
        private readonly int _batches;
        private readonly long[] _order;

        public Session(TrainingPlan plan, IProgress<TrainingProgress>? progress)
        {
            _plan = plan;
            _o = plan.Options;
            _progress = progress;
            var seed = unchecked((ulong)(long)_o.Seed) * 0x9E3779B97F4A7C15UL;
            _shuffleRandom = new SplitMix64(seed + 1);
            _srRandom = new SplitMix64(seed + 2);
            _augmentRandom = new SplitMix64(seed + 3);
            Network = new SurrogateNetwork(plan.Network, _o.T, _o.TauInit, _o.TdInit, _o.Dropout);
            Device = TrainingDevice.Resolve(_o.Device);
            // Moved before the optimiser takes the parameters; the batches follow it there one at a time.
            Network.to(Device);
            _optimizer = new HeldScalarAdam(Network.parameters(), _o.LearningRate);
            _train = new BatchSource(plan.Train, plan.Normalisation, _o.Augments);
            _validation = plan.Validation.Count > 0 ? new BatchSource(plan.Validation, plan.Normalisation, false) : null;
            _testTrace = _o.TraceTest ? new BatchSource(plan.Test, plan.Normalisation, false) : null;
            _checkpoints = new CheckpointStore(_o.ResolvedKeep, plan.FirstSelectableEpoch);
            _batches = BatchCount(_train.Count, _o.BatchSize);
            _order = Enumerable.Range(0, _train.Count).Select(i => (long)i).ToArray();
            Clock = Stopwatch.StartNew();
        }

        public SurrogateNetwork Network { get; }

        /// <summary>Where the network trains (<see cref="TrainingOptions.Device"/>).</summary>
        public Device Device { get; }

        public List<EpochSummary> History { get; } = [];

        public Stopwatch Clock { get; }

        /// <summary>Seconds and samples of the optimisation steps alone (the throughput in the report).</summary>
        public double StepSeconds { get; private set; }

        public long StepSamples { get; private set; }

        /// <summary>One epoch: the schedule's switches, the mini-batches, then the validation score, the checkpoint and the epoch's summary.</summary>
        public void RunEpoch(int epoch, CancellationToken ct)
        {
            var epochClock = Stopwatch.StartNew();
            var p = !_o.Preset.UsesTtfs() ? 0.0 : _o.Preset.UsesSr() ? TrainingSchedule.SrProbability(epoch, _plan.SrEpochs) : 1.0;
            var kernelTrainable = TrainingSchedule.KernelTrainable(_o.Preset, epoch, _plan.KernelEpoch);
            var learningRate = _o.LearningRateAt(epoch);
            _optimizer.LearningRate = learningRate;
            Network.SetKernelTrainable(kernelTrainable);
            Network.train();
            _shuffleRandom.Shuffle(_order.AsSpan());

            var sums = new EpochSums();
            for (var b = 0; b < _batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                var stepClock = Stopwatch.StartNew();
                TrainBatch(epoch, b, p, sums);
                sums.StepSeconds += stepClock.Elapsed.TotalSeconds;
                if (_progress is not null && b + 1 < _batches && (b + 1) % Math.Max(1, _batches / 10) == 0)
                {
                    _progress.Report(Progress(Network, epoch, _o.Epochs, b + 1, _batches, sums.Loss / sums.Seen, sums.CrossEntropy / sums.Seen, (double)sums.Correct / sums.Seen,
                        null, null, p, kernelTrainable, sums.Seen / Math.Max(sums.StepSeconds, 1e-9), Clock.Elapsed,
                        Remaining(Clock.Elapsed, epoch, (b + 1.0) / _batches, _o.Epochs), false, false));
                }
            }

            StepSeconds += sums.StepSeconds;
            StepSamples += sums.Seen;
            var (validationAccuracy, validationSpikes, isKept, testAccuracy, testSpikes) = Score();
            var (tauMin, tauMax, tdMin, tdMax) = KernelRanges(Network);
            var summary = new EpochSummary(epoch + 1, sums.Loss / sums.Seen, sums.CrossEntropy / sums.Seen, (double)sums.Correct / sums.Seen, validationAccuracy,
                validationSpikes, p, kernelTrainable, tauMin, tauMax, tdMin, tdMax, epochClock.Elapsed.TotalSeconds, sums.Seen / Math.Max(sums.StepSeconds, 1e-9),
                learningRate, testAccuracy, testSpikes);
            History.Add(summary);
            _progress?.Report(Progress(Network, epoch, _o.Epochs, _batches, _batches, summary.Loss, summary.CrossEntropy, summary.TrainAccuracy,
                validationAccuracy, validationSpikes, p, kernelTrainable, summary.SamplesPerSecond, Clock.Elapsed,
                Remaining(Clock.Elapsed, epoch, 1, _o.Epochs), true, isKept));
        }

        /// <summary>Restores the checkpoint the keep rule chose; returns its 0-based epoch.</summary>
        public int RestoreKept() => _checkpoints.RestoreKept(Network);

        public void Dispose()
        {
            // Reverse order of creation, as the using declarations of one method did.
            _checkpoints.Dispose();
            _testTrace?.Dispose();
            _validation?.Dispose();
            _train.Dispose();
            _optimizer.Dispose();
            Network.Dispose();
        }

        /// <summary>One optimisation step: SR draws per hidden layer, the losses of the epoch's method, Adam.</summary>
        private void TrainBatch(int epoch, int b, double p, EpochSums sums)
        {
            var start = b * _o.BatchSize;
            var indices = _order.AsSpan(start, Math.Min(_o.BatchSize, _train.Count - start)).ToArray();
            var trActive = _o.Preset.UsesTr() && epoch >= _plan.KernelEpoch && _o.LambdaTr > 0;
            var tbActive = _o.Preset.UsesTb() && epoch >= _plan.KernelEpoch && _o.LambdaTb > 0;
            using var scope = NewDisposeScope();
            for (var h = 0; h < Network.Modes.Length; h++)
                Network.Modes[h] = _srRandom.NextDouble() < p ? HiddenActivation.Ttfs : HiddenActivation.Relu;
            var x = (_o.Augments ? _train.AugmentedImages(indices, _augmentRandom, _o.AugmentShift, _o.AugmentFlip) : _train.Images(indices)).to(Device);
            var y = _train.Labels(indices).to(Device);
            var logits = Network.call(x);
            var ce = nn.functional.cross_entropy(logits, y);
            var loss = ce;
            if (trActive) loss = loss + (_o.LambdaTr * KernelLossTerms.TemporalRegularisation(Network, _o.TauInit, _o.TdInit));
            if (tbActive) loss = loss + (_o.LambdaTbAt(epoch) * KernelLossTerms.TemporalBatchNorm(Network));
            _optimizer.ZeroGrad();
            loss.backward();
            _optimizer.Step();
            var lossValue = loss.item<float>();
            if (!float.IsFinite(lossValue))
                throw new InvalidOperationException($"epoch {epoch}, batch {b}: the loss is {lossValue}; lower the learning rate or the lambdas");
            sums.Loss += lossValue * indices.Length;
            sums.CrossEntropy += ce.item<float>() * indices.Length;
            sums.Correct += logits.argmax(1).eq(y).sum().item<long>();
            sums.Seen += indices.Length;
        }

        /// <summary>After an epoch: the validation score, offered to the keep rule (is this the kept checkpoint?), and the diagnostic test trace.</summary>
        private (double? ValidationAccuracy, double? ValidationSpikes, bool IsKept, double? TestAccuracy, double? TestSpikes) Score()
        {
            double? validationAccuracy = null, validationSpikes = null;
            if (_validation is not null)
            {
                var (accuracy, spikes) = Measure(Network, _validation, precise: false, MeasureMode(_o.Preset));
                validationAccuracy = accuracy;
                validationSpikes = spikes;
            }

            var isKept = _checkpoints.Add(Network, new EpochScore(validationAccuracy, validationSpikes));
            double? testAccuracy = null, testSpikes = null;
            if (_testTrace is not null)
                (testAccuracy, testSpikes) = Measure(Network, _testTrace, precise: false, MeasureMode(_o.Preset));
            return (validationAccuracy, validationSpikes, isKept, testAccuracy, testSpikes);
        }
    }

    /// <summary>The running sums of one epoch's mini-batches.</summary>
    private sealed class EpochSums
    {
        public double Loss { get; set; }

        public double CrossEntropy { get; set; }

        public long Correct { get; set; }

        public long Seen { get; set; }

        public double StepSeconds { get; set; }
    }
}
