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
        var seed = unchecked((ulong)(long)o.Seed) * 0x9E3779B97F4A7C15UL;
        var shuffleRandom = new SplitMix64(seed + 1);
        var srRandom = new SplitMix64(seed + 2);
        var augmentRandom = new SplitMix64(seed + 3);

        using var network = new SurrogateNetwork(plan.Network, o.T, o.TauInit, o.TdInit, o.Dropout);
        using var optimizer = optim.Adam(network.parameters(), o.LearningRate);
        using var train = new BatchSource(plan.Train, plan.Normalisation, o.Augment);
        using var validation = plan.Validation.Count > 0 ? new BatchSource(plan.Validation, plan.Normalisation, false) : null;
        using var testTrace = o.TraceTest ? new BatchSource(plan.Test, plan.Normalisation, false) : null;
        var keep = o.ResolvedKeep;
        using var checkpoints = new CheckpointStore(keep, plan.FirstSelectableEpoch);

        var history = new List<EpochSummary>();
        int keptEpoch;
        var clock = Stopwatch.StartNew();
        var stepSeconds = 0.0;
        long stepSamples = 0;
        var batches = BatchCount(train.Count, o.BatchSize);
        var order = Enumerable.Range(0, train.Count).Select(i => (long)i).ToArray();
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var p = !o.Preset.UsesTtfs() ? 0.0 : o.Preset.UsesSr() ? TrainingSchedule.SrProbability(epoch, plan.SrEpochs) : 1.0;
            var kernelTrainable = TrainingSchedule.KernelTrainable(o.Preset, epoch, plan.KernelEpoch);
            var trActive = o.Preset.UsesTr() && epoch >= plan.KernelEpoch && o.LambdaTr > 0;
            var tbActive = o.Preset.UsesTb() && epoch >= plan.KernelEpoch && o.LambdaTb > 0;
            var learningRate = o.LearningRateAt(epoch);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
            network.SetKernelTrainable(kernelTrainable);
            network.train();
            shuffleRandom.Shuffle(order.AsSpan());

            double lossSum = 0, ceSum = 0;
            long correct = 0, seen = 0;
            var epochStepSeconds = 0.0;
            for (var b = 0; b < batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                var start = b * o.BatchSize;
                var indices = order.AsSpan(start, Math.Min(o.BatchSize, train.Count - start)).ToArray();
                var stepClock = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    for (var h = 0; h < network.Modes.Length; h++)
                        network.Modes[h] = srRandom.NextDouble() < p ? HiddenActivation.Ttfs : HiddenActivation.Relu;
                    var x = o.Augment ? train.AugmentedImages(indices, augmentRandom) : train.Images(indices);
                    var y = train.Labels(indices);
                    var logits = network.call(x);
                    var ce = nn.functional.cross_entropy(logits, y);
                    var loss = ce;
                    if (trActive) loss = loss + (o.LambdaTr * KernelLossTerms.TemporalRegularisation(network, o.TauInit, o.TdInit));
                    if (tbActive) loss = loss + (o.LambdaTb * KernelLossTerms.TemporalBatchNorm(network));
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    var lossValue = loss.item<float>();
                    if (!float.IsFinite(lossValue))
                        throw new InvalidOperationException($"epoch {epoch}, batch {b}: the loss is {lossValue}; lower the learning rate or the lambdas");
                    lossSum += lossValue * indices.Length;
                    ceSum += ce.item<float>() * indices.Length;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += indices.Length;
                }

                epochStepSeconds += stepClock.Elapsed.TotalSeconds;
                if (progress is not null && b + 1 < batches && (b + 1) % Math.Max(1, batches / 10) == 0)
                {
                    progress.Report(Progress(network, epoch, o.Epochs, b + 1, batches, lossSum / seen, ceSum / seen, (double)correct / seen,
                        null, null, p, kernelTrainable, seen / Math.Max(epochStepSeconds, 1e-9), clock.Elapsed,
                        Remaining(clock.Elapsed, epoch, (b + 1.0) / batches, o.Epochs), false, false));
                }
            }

            stepSeconds += epochStepSeconds;
            stepSamples += seen;
            double? validationAccuracy = null;
            double? validationSpikes = null;
            if (validation is not null)
            {
                var (accuracy, spikes) = Measure(network, validation, precise: false, MeasureMode(o.Preset));
                validationAccuracy = accuracy;
                validationSpikes = spikes;
            }

            var isKept = checkpoints.Add(network, new EpochScore(validationAccuracy, validationSpikes));
            double? testAccuracy = null, testSpikes = null;
            if (testTrace is not null)
                (testAccuracy, testSpikes) = Measure(network, testTrace, precise: false, MeasureMode(o.Preset));

            var (tauMin, tauMax, tdMin, tdMax) = KernelRanges(network);
            var summary = new EpochSummary(epoch + 1, lossSum / seen, ceSum / seen, (double)correct / seen, validationAccuracy, validationSpikes, p,
                kernelTrainable, tauMin, tauMax, tdMin, tdMax, epochClock.Elapsed.TotalSeconds, seen / Math.Max(epochStepSeconds, 1e-9),
                learningRate, testAccuracy, testSpikes);
            history.Add(summary);
            progress?.Report(Progress(network, epoch, o.Epochs, batches, batches, summary.Loss, summary.CrossEntropy, summary.TrainAccuracy,
                validationAccuracy, validationSpikes, p, kernelTrainable, summary.SamplesPerSecond, clock.Elapsed,
                Remaining(clock.Elapsed, epoch, 1, o.Epochs), true, isKept));
        }

        keptEpoch = checkpoints.RestoreKept(network);

        var trainingSeconds = clock.Elapsed.TotalSeconds;
        double surrogateTestAccuracy, surrogateTestSpikes;
        using (var test = new BatchSource(plan.Test, plan.Normalisation, false))
            (surrogateTestAccuracy, surrogateTestSpikes) = Measure(network, test, precise: false, MeasureMode(o.Preset));

        var kept = history[keptEpoch];
        var bestAccuracy = history.Skip(plan.FirstSelectableEpoch).Max(h => h.ValidationAccuracy);
        var metadata = TrainingProvenance.Describe(plan, keep, keptEpoch + 1, kept.ValidationAccuracy, kept.ValidationSpikesPerSample, surrogateTestAccuracy);
        var model = SnnConverter.Convert(network, plan.Normalisation, metadata);
        EvaluationReport? evaluation = null;
        if (o.Evaluate)
        {
            evaluation = ModelEvaluator.Evaluate(model, plan.Test, null, o.Energy);
            metadata["dnn_test_accuracy"] = TrainingProvenance.Invariant(evaluation.DnnAccuracy);
            metadata["snn_test_accuracy"] = TrainingProvenance.Invariant(evaluation.SnnAccuracy);
            metadata["dnn_snn_agreement"] = TrainingProvenance.Invariant(evaluation.PredictionAgreement);
            metadata["snn_spikes_per_sample"] = TrainingProvenance.Invariant(evaluation.SpikesPerSample);
            model = new SnnModel(model.Network, model.T, model.Layers, model.Normalisation, model.InputMode, model.InputKernel, metadata);
        }

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
            History = history,
            KeepRule = keep.Describe(),
            FirstSelectableEpoch = plan.FirstSelectableEpoch + 1,
            KeptEpoch = keptEpoch + 1,
            KeptValidationAccuracy = kept.ValidationAccuracy,
            KeptValidationSpikesPerSample = kept.ValidationSpikesPerSample,
            BestValidationAccuracy = bestAccuracy,
            SurrogateTestAccuracy = surrogateTestAccuracy,
            SurrogateTestSpikesPerSample = surrogateTestSpikes,
            TrainingSeconds = trainingSeconds,
            SamplesPerSecond = stepSamples / Math.Max(stepSeconds, 1e-9),
            Kernels = model.Network.Stages.Where(s => !s.IsOutput).Select(s =>
            {
                var k = model.Layers[s.Index].Kernel!;
                return new KernelSummary(s.Index, s.Layer.Token, k.Tau, k.Td, k.MinValue, k.MaxValue);
            }).ToArray(),
            Evaluation = evaluation,
            ModelPath = o.OutputPath is null ? null : Path.GetFullPath(o.OutputPath),
            Environment = environment,
        };

        if (o.OutputPath is { } path)
        {
            ModelFile.Save(model, path);
            File.WriteAllText(ReportPathFor(Path.GetFullPath(path)), report.ToJson());
        }

        return new TrainingResult(model, report);
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
        long correct = 0;
        try
        {
            using var noGrad = no_grad();
            const int batch = 500;
            for (var start = 0; start < data.Count; start += batch)
            {
                using var scope = NewDisposeScope();
                var n = Math.Min(batch, data.Count - start);
                var logits = network.call(data.Range(start, n));
                var predictions = logits.argmax(1).data<long>().ToArray();
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
}
