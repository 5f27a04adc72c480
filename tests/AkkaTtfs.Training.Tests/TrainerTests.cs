using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Evaluation;
using Xunit.Abstractions;

namespace AkkaTtfs.Training.Tests;

[Collection(LibTorchCollection.Name)]
public sealed class TrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("akkattfs-training-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>A run of a few seconds: a small CNN, 1,500 bundled training digits, 3 epochs, the full method.</summary>
    private static TrainingOptions Tiny(TrainingPreset preset = TrainingPreset.SrTrTb, int seed = 1) => new()
    {
        Architecture = "c6k5-p2-d10",
        Preset = preset,
        Epochs = 3,
        BatchSize = 64,
        Seed = seed,
        ValidationFraction = 0.1,
    };

    private static DatasetPair TinyData => BundledData.Small(1500, 400);

    [Fact]
    public void A_tiny_real_run_lowers_the_loss_beats_chance_and_converts_faithfully()
    {
        var progress = new List<TrainingProgress>();
        var path = Path.Combine(_folder, "tiny.safetensors");
        var result = new SurrogateTrainer().Train(TinyData, Tiny() with { OutputPath = path }, new SynchronousProgress(progress), CancellationToken.None);
        var report = result.Report;
        output.WriteLine(string.Join("\n", report.History.Select(h => $"epoch {h.Epoch}: loss {h.Loss:F4} CE {h.CrossEntropy:F4} train {h.TrainAccuracy:P1} val {h.ValidationAccuracy:P1} p {h.SrProbability:F2} spikes {h.ValidationSpikesPerSample:F0}")));
        var e = report.Evaluation!;
        output.WriteLine($"test: surrogate {report.SurrogateTestAccuracy:P2}, DNN {e.DnnAccuracy:P2}, SNN {e.SnnAccuracy:P2}, agreement {e.PredictionAgreement:P2} ({e.DisagreeingSamples} disagree), spikes {e.SpikesPerSample:F0}");

        Assert.True(report.History[^1].CrossEntropy < report.History[0].CrossEntropy, "the cross-entropy must fall");
        Assert.True(e.SnnAccuracy > 0.6, $"SNN accuracy {e.SnnAccuracy:P1} must beat chance (10%) by far");
        Assert.True(e.DisagreeingSamples <= 2, $"{e.DisagreeingSamples} samples disagree");
        Assert.Equal(3, progress.Count(p => p.EpochCompleted));
        Assert.All(progress.Where(p => p.EpochCompleted), p => Assert.NotNull(p.ValidationAccuracy));

        // The E_sr / E_k rule for 3 epochs: E_sr = 1 (p = 1 at once), E_k = 1; the kept epoch is one where TR and TB act.
        Assert.Equal((1, 1), (report.SrEpochs, report.KernelEpoch));
        Assert.InRange(report.KeptEpoch, 2, 3);
        Assert.Equal(2, report.FirstSelectableEpoch);
        Assert.False(report.History[0].KernelTrainable);
        Assert.True(report.History[1].KernelTrainable);

        // The file round trip: what was saved is what was evaluated, with its provenance.
        var loaded = ModelFile.Load(path);
        Assert.Equal(result.Model.Layers[0].Weights, loaded.Layers[0].Weights);
        Assert.Equal(result.Model.Layers[0].Kernel, loaded.Layers[0].Kernel);
        foreach (var key in new[] { "dataset", "split", "architecture", "preset", "epochs", "E_sr", "E_k", "lambda_TR", "lambda_TB", "tau_init", "td_init", "T", "lr", "batch", "dropout", "seed", "validation_accuracy", "snn_test_accuracy", "dnn_test_accuracy" })
            Assert.True(loaded.Metadata.ContainsKey(key), $"provenance lacks {key}");
        Assert.Equal("SR+TR+TB", loaded.Metadata["preset"]);
        Assert.True(File.Exists(SurrogateTrainer.ReportPathFor(path)));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(SurrogateTrainer.ReportPathFor(path)));
        Assert.Equal(e.SnnAccuracy, json.RootElement.GetProperty("evaluation").GetProperty("snn_accuracy").GetDouble());

        // Conversion round trip on the trained model: TorchSharp quantised forward == Core oracle == Core SNN.
        var test = TinyData.Test;
        var inputs = test.NormaliseRange(0, test.Count, loaded.Normalisation);
        using var forward = new QuantisedForward(loaded);
        var torchPredictions = TorchRuntime.OnTrainingThread(() => forward.Run(inputs, test.Count)).Predictions;
        var oracle = QuantisedDnn.Forward(loaded, inputs, test.Count).Predictions;
        var snn = new EventDrivenSimulator().Run(loaded, inputs, test.Count).Predictions;
        var vsOracle = Enumerable.Range(0, test.Count).Count(s => torchPredictions[s] != oracle[s]);
        var vsSnn = Enumerable.Range(0, test.Count).Count(s => oracle[s] != snn[s]);
        output.WriteLine($"round trip on {test.Count} test samples: TorchSharp vs Core oracle {vsOracle} disagree, Core oracle vs SNN {vsSnn} disagree");
        Assert.True(vsOracle <= 2 && vsSnn <= 2);
    }

    [Theory]
    [InlineData("best")]
    [InlineData("efficient:100")]
    [InlineData("last")]
    public void The_kept_network_is_the_one_of_the_epoch_the_rule_chose(string rule)
    {
        // 6 epochs, the whole method from epoch 2 on; the test pass after every epoch (--trace-test) and the final
        // test pass of the kept surrogate run the same measurement on the same data: they agree exactly only if the
        // network restored at the end is the chosen epoch's.
        var keep = CheckpointRule.Parse(rule);
        var options = Tiny() with { Epochs = 6, SrEpochs = 2, KernelEpoch = 2, LambdaTb = 1, Evaluate = false, TraceTest = true, Keep = keep, Architecture = "d24-d10" };
        var report = new SurrogateTrainer().Train(BundledData.Small(1200, 300), options, null, CancellationToken.None).Report;
        var scores = report.History.Select(h => new EpochScore(h.ValidationAccuracy, h.ValidationSpikesPerSample)).ToArray();
        output.WriteLine(string.Join("\n", report.History.Select(h => $"epoch {h.Epoch}: val {h.ValidationAccuracy:P2} spikes {h.ValidationSpikesPerSample:F1} test {h.TestAccuracy:P2} spikes {h.TestSpikesPerSample:F1}")));
        Assert.Equal(3, report.FirstSelectableEpoch);
        Assert.Equal(CheckpointSelection.Select(keep, scores, 2) + 1, report.KeptEpoch);
        var kept = report.History[report.KeptEpoch - 1];
        Assert.Equal(kept.TestAccuracy, report.SurrogateTestAccuracy);
        Assert.Equal(kept.TestSpikesPerSample, report.SurrogateTestSpikesPerSample);
        Assert.Equal(kept.ValidationSpikesPerSample, report.KeptValidationSpikesPerSample);
        // The check discriminates: the epochs' test spikes differ (L_TB moves them every epoch).
        Assert.Equal(6, report.History.Select(h => h.TestSpikesPerSample).Distinct().Count());
        Assert.Equal(report.History.Skip(2).Max(h => h.ValidationAccuracy), report.BestValidationAccuracy);
    }

    [Fact]
    public void The_learning_rate_drops_from_the_given_epoch()
    {
        var report = new SurrogateTrainer().Train(BundledData.Small(300, 50),
            Tiny() with { Epochs = 3, Architecture = "d16-d10", Evaluate = false, LearningRateDropEpoch = 2, LearningRateDropFactor = 0.5 }, null, CancellationToken.None).Report;
        Assert.Equal([1e-3, 1e-3, 5e-4], report.History.Select(h => h.LearningRate));
    }

    [Fact]
    public void The_cosine_schedule_reaches_the_optimiser()
    {
        var report = new SurrogateTrainer().Train(BundledData.Small(300, 50),
            Tiny() with { Epochs = 4, Architecture = "d16-d10", Evaluate = false, LearningRateCosineEpoch = 2 }, null, CancellationToken.None).Report;
        // From 0-based epoch 2 of 4: (1 + cos(0)) / 2 = 1, then (1 + cos(pi / 2)) / 2 = 1/2.
        Assert.Equal([1e-3, 1e-3, 1e-3, 5e-4], report.History.Select(h => Math.Round(h.LearningRate, 15)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_model_file_byte_for_byte()
    {
        var options = Tiny(TrainingPreset.SrTrTb) with { Epochs = 2, Evaluate = false, Dropout = 0.1 };
        var data = BundledData.Small(600, 100);
        var a = Path.Combine(_folder, "a.safetensors");
        var b = Path.Combine(_folder, "b.safetensors");
        var c = Path.Combine(_folder, "c.safetensors");
        var trainer = new SurrogateTrainer();
        trainer.Train(data, options with { OutputPath = a }, null, CancellationToken.None);
        trainer.Train(data, options with { OutputPath = b }, null, CancellationToken.None);
        trainer.Train(data, options with { OutputPath = c, Seed = 2 }, null, CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
    }

    [Fact]
    public void Every_preset_trains_with_its_SR_probability()
    {
        var data = BundledData.Small(400, 100);
        foreach (var (preset, _) in TrainingPresets.All)
        {
            var result = new SurrogateTrainer().Train(data, Tiny(preset) with { Epochs = 2, Architecture = "d32-d10", Evaluate = false }, null, CancellationToken.None);
            Assert.Equal(2, result.Report.History.Count);
            Assert.All(result.Report.History, h => Assert.True(double.IsFinite(h.Loss)));
            var p0 = result.Report.History[0].SrProbability;
            Assert.Equal(preset == TrainingPreset.Relu ? 0.0 : 1.0, p0);
        }
    }

    [Fact]
    public void Sr_mixes_relu_and_ttfs_batches_while_p_is_below_one()
    {
        var result = new SurrogateTrainer().Train(BundledData.Small(300, 50),
            Tiny(TrainingPreset.Sr) with { Epochs = 2, SrEpochs = 4, Architecture = "d16-d10", Evaluate = false, ValidationFraction = 0 },
            null, CancellationToken.None);
        Assert.Equal([0.25, 0.5], result.Report.History.Select(h => h.SrProbability));
        Assert.Equal(2, result.Report.KeptEpoch);      // no validation split: the last epoch, 1-based
        Assert.Null(result.Report.KeptValidationAccuracy);
        Assert.Null(result.Report.BestValidationAccuracy);
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new SurrogateTrainer().Train(BundledData.Small(300, 50), Tiny() with { Evaluate = false }, null, cancel.Token));
    }

    public static TheoryData<string, string> BadArchitectures() => new()
    {
        // The third conv no longer fits 28x28 after two valid convolutions and pools.
        { "c12k5-p2-c64k5-p2-c64k5-d10", "does not fit" },
        { "c12k5-p2-d5", "10 classes" },
        { "d10", "no hidden layer" },
        { "c12k5-x3-d10", "token 2" },
        { "c12k40-d10", "kernel 40" },
    };

    [Theory]
    [MemberData(nameof(BadArchitectures))]
    public void An_architecture_that_does_not_fit_the_data_fails_before_training(string architecture, string expected)
    {
        var error = Assert.Throws<NetworkSpecException>(() =>
            new SurrogateTrainer().Train(BundledData.Small(300, 50), Tiny() with { Architecture = architecture }, null, CancellationToken.None));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(architecture, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_knobs_and_paths_fail_before_training()
    {
        var trainer = new SurrogateTrainer();
        var data = BundledData.Small(300, 50);
        Assert.Throws<ArgumentException>(() => trainer.Train(data, Tiny() with { LearningRate = -1 }, null, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => trainer.Train(data, Tiny() with { Epochs = 4, KernelEpoch = 4 }, null, CancellationToken.None));
        var tooFew = Assert.Throws<ArgumentException>(() => trainer.Train(data, Tiny() with { TrainLimit = 1, ValidationFraction = 0 }, null, CancellationToken.None));
        Assert.Contains("at least 2", tooFew.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() =>
            trainer.Train(data, Tiny() with { OutputPath = Path.Combine(_folder, "missing", "m.safetensors") }, null, CancellationToken.None));
        Assert.Throws<DatasetNotFoundException>(() => trainer.Train(Tiny() with { Data = "no-such-dataset" }, null, CancellationToken.None));
    }

    [Fact]
    public void The_evaluator_rejects_a_dataset_of_another_shape()
    {
        var model = RandomModel.Create(ArchitectureParser.Build("d16-d10", TensorShape.Image(1, 8, 8)), 1);
        var error = Assert.Throws<ArgumentException>(() => ModelEvaluator.Evaluate(model, BundledData.Small(10, 10).Test));
        Assert.Contains("[1,8,8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_evaluator_reports_spikes_synops_and_energy_as_the_core_computes_them()
    {
        var test = BundledData.Small(10, 200).Test;
        var model = RandomModel.Create(ArchitectureParser.Build("c4k5-p2-d10", test.SampleShape), 3);
        var evaluation = ModelEvaluator.Evaluate(model, test);
        var snn = new EventDrivenSimulator().Run(model, test.NormaliseRange(0, 200, model.Normalisation), 200);
        Assert.Equal(200, evaluation.Samples);
        Assert.Equal(snn.SpikesPerSample, evaluation.SpikesPerSample);
        Assert.Equal(snn.SynOpsPerSample, evaluation.SynOpsPerSample);
        Assert.Equal(model.Network.Macs, evaluation.DnnMacsPerSample);
        Assert.Equal(Core.Metrics.EnergyModel.Default.Estimate(model.Network, snn), evaluation.Energy);
        Assert.True(evaluation.DisagreeingSamples <= 1);
        Assert.Equal(evaluation.SpikesPerSample, evaluation.DnnNonZeroActivationsPerSample, 0.01 * evaluation.SpikesPerSample + 1);
    }

    [Fact]
    public void Augmentation_runs_on_the_training_thread_and_keeps_the_shape()
    {
        var result = new SurrogateTrainer().Train(BundledData.Small(300, 50), Tiny() with { Epochs = 1, Augment = true, Evaluate = false }, null, CancellationToken.None);
        Assert.Single(result.Report.History);
    }

    [Fact]
    public void Shifts_change_the_training_and_are_recorded_in_the_model()
    {
        var data = BundledData.Small(300, 50);
        var options = Tiny() with { Epochs = 1, Architecture = "d16-d10", Evaluate = false };
        var plain = new SurrogateTrainer().Train(data, options, null, CancellationToken.None);
        var shifted = new SurrogateTrainer().Train(data, options with { ShiftPixels = 2 }, null, CancellationToken.None);
        Assert.Equal("none", plain.Model.Metadata["augment"]);
        Assert.Equal("random shift up to 2 pixels", shifted.Model.Metadata["augment"]);
        Assert.NotEqual(plain.Report.History[0].Loss, shifted.Report.History[0].Loss);
    }

    [Fact]
    public void The_throughput_benchmark_measures_both_networks()
    {
        var result = ThroughputBenchmark.Run(BundledData.Small(300, 50), Tiny() with { Architecture = "d32-d10" }, rounds: 1, batchesPerRound: 2);
        Assert.True(result.SurrogateSamplesPerSecond > 0 && result.ReluSamplesPerSecond > 0);
        Assert.True(result.SurrogateSamplesPerCpuSecond > 0 && result.ReluSamplesPerCpuSecond > 0);
    }

    /// <summary>IProgress that records on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(List<TrainingProgress> sink) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
