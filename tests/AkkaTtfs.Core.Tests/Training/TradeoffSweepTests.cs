using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Core.Tests.Training;

public class TradeoffSweepTests
{
    [Fact]
    public void The_plan_puts_the_references_first_for_every_seed()
    {
        var plan = TradeoffSweep.Plan([0.01, 0.1], [1, 2], sm: true, relu: true);
        Assert.Equal(
            ["SM/1", "ReLU/1", "SR+TR+TB lambda_TB 0.01/1", "SR+TR+TB lambda_TB 0.1/1", "SM/2", "ReLU/2", "SR+TR+TB lambda_TB 0.01/2", "SR+TR+TB lambda_TB 0.1/2"],
            plan.Select(e => $"{e.Label}/{e.Seed}"));
        Assert.Equal(Enumerable.Range(0, 8), plan.Select(e => e.Index));
        Assert.Equal("sr_tr_tb-l0.01-s1", plan[2].FileStem);
        Assert.Equal("relu-s2", plan[5].FileStem);
        Assert.Equal(2, TradeoffSweep.Plan([1], [1, 2], sm: false, relu: false).Count);
    }

    [Theory]
    [InlineData(new double[0], new[] { 1 }, "at least one lambda_TB")]
    [InlineData(new[] { 0.1 }, new int[0], "at least one seed")]
    [InlineData(new[] { 0.1, 0.1 }, new[] { 1 }, "repeat")]
    [InlineData(new[] { -1.0 }, new[] { 1 }, "lambda_TB -1")]
    [InlineData(new[] { double.NaN }, new[] { 1 }, "lambda_TB NaN")]
    public void Bad_plans_are_refused(double[] lambdas, int[] seeds, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => TradeoffSweep.Plan(lambdas, seeds, true, true)).Message, StringComparison.Ordinal);

    [Fact]
    public void Spread_is_mean_sample_std_min_and_max()
    {
        var s = Spread.Of([1.0, 2.0, 6.0]);
        Assert.Equal(3.0, s.Mean, 12);
        Assert.Equal(Math.Sqrt(((2 * 2) + (1 * 1) + (3 * 3)) / 2.0), s.StdDev, 12);
        Assert.Equal((1.0, 6.0), (s.Min, s.Max));
        Assert.Equal(0, Spread.Of([5.0]).StdDev);
    }

    [Fact]
    public void Points_summarise_the_seeds_and_relu_is_measured_as_a_relu_network()
    {
        TradeoffRun Run(string preset, double lambda, int seed, double snn, double spikes, double reluAcc = 0, double reluSpikes = 0) =>
            new(preset, lambda, seed, 3, 0.97, 900, reluAcc, reluSpikes, snn, snn, 1, spikes, [spikes], spikes * 100, 1000, 2, 10, 5, null);
        TradeoffRun[] runs =
        [
            Run("SM", 0, 1, 0.98, 5000), Run("SM", 0, 2, 0.97, 4000),
            Run("ReLU", 0, 1, 0.61, 4700, reluAcc: 0.982, reluSpikes: 5700), Run("ReLU", 0, 2, 0.60, 4800, reluAcc: 0.984, reluSpikes: 5500),
            Run("SR+TR+TB", 0.1, 1, 0.983, 600), Run("SR+TR+TB", 0.1, 2, 0.981, 700),
        ];
        var points = TradeoffSweep.Summarise(runs);
        Assert.Equal(["SM", "ReLU", "SR+TR+TB lambda_TB 0.1"], points.Select(p => p.Label));
        Assert.Equal(0.975, points[0].Accuracy.Mean, 12);
        Assert.Equal(0.0, points[0].SpikesVsSm!.Value, 12);
        Assert.Equal(0.983, points[1].Accuracy.Mean, 12);                  // the ReLU network's own accuracy, not its converted SNN's
        Assert.Equal(5600, points[1].SpikesPerSample.Mean, 9);
        Assert.Equal((650.0 / 4500) - 1, points[2].SpikesVsSm!.Value, 12);  // -85.6%
        Assert.Equal(0.2, points[2].EnergyRatio.Mean, 12);
        Assert.Null(TradeoffSweep.Summarise(runs[4..])[0].SpikesVsSm);
    }

    [Fact]
    public void Train_runs_every_entry_with_its_preset_lambda_seed_and_keep_rule_and_relays_epochs()
    {
        var trainer = new RecordingTrainer();
        var entries = TradeoffSweep.Plan([0.5], [7], sm: true, relu: false);
        var progress = new List<TradeoffProgress>();
        var runs = TradeoffSweep.Train(trainer, new TrainingOptions { Epochs = 4, Keep = CheckpointRule.Last }, entries, e => $"/x/{e.FileStem}",
            new Sink(progress), CancellationToken.None);
        Assert.Equal([(TrainingPreset.Sm, 0.0, 7, (CheckpointRule?)null, "/x/sm-s7"), (TrainingPreset.SrTrTb, 0.5, 7, CheckpointRule.Last, "/x/sr_tr_tb-l0.5-s7")],
            trainer.Seen.Select(o => (o.Preset, o.LambdaTb, o.Seed, o.Keep, o.OutputPath!)));
        Assert.All(trainer.Seen, o => Assert.True(o.Evaluate));
        Assert.Equal(["SM", "SR+TR+TB"], runs.Select(r => r.Preset));
        Assert.Equal(0.5 * 1000, runs[1].SpikesPerSample);                  // what the trainer's evaluation said, passed through
        Assert.Equal(4, progress.Count);                                    // one epoch line and one finished run per entry
        Assert.Equal([true, false, true, false], progress.Select(p => p.Training is not null));
    }

    private sealed class Sink(List<TradeoffProgress> list) : IProgress<TradeoffProgress>
    {
        public void Report(TradeoffProgress value) => list.Add(value);
    }

    /// <summary>Remembers the options it got and returns a report whose numbers derive from them.</summary>
    private sealed class RecordingTrainer : ITrainer
    {
        public List<TrainingOptions> Seen { get; } = [];

        public TrainingResult Train(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken ct)
        {
            Seen.Add(options);
            progress?.Report(new TrainingProgress(0, options.Epochs, 1, 1, 1, 1, 0.5, 0.5, 100, 1, true, 10, 10, 0, 0, 100, TimeSpan.Zero, TimeSpan.Zero, false, false));
            progress?.Report(new TrainingProgress(0, options.Epochs, 1, 1, 1, 1, 0.5, 0.5, 100, 1, true, 10, 10, 0, 0, 100, TimeSpan.Zero, TimeSpan.Zero, true, true));
            var spikes = options.LambdaTb * 1000;
            var evaluation = new EvaluationReport("test", 10, 0.9, 0.9, 1, 0, [], spikes, [spikes], spikes, spikes * 10, 1000,
                new EnergyEstimate(spikes * 10, 1000, 1, 5, EnergyModel.Default), EvaluationReport.Assumption, 0, 0);
            var report = new TrainingReport
            {
                Options = options, SrEpochs = 1, KernelEpoch = 1, Dataset = "d", Architecture = "a", InputShape = "1", TrainSamples = 1, ValidationSamples = 1,
                TestSamples = 10, History = [], KeepRule = options.ResolvedKeep.Describe(), FirstSelectableEpoch = 1, KeptEpoch = 1, SurrogateTestAccuracy = 0.9,
                TrainingSeconds = 1, SamplesPerSecond = 1, Kernels = [], Evaluation = evaluation,
            };
            return new TrainingResult(null!, report);
        }
    }

    [Fact]
    public void The_report_round_trips_through_its_source_generated_json()
    {
        var report = new TradeoffReport
        {
            Dataset = "mnist-10k", Architecture = "c12k5-p2-c64k5-p2-d10", Epochs = 40, Schedule = "E_sr 20, E_k 20", Keep = "efficient:0.5",
            LambdaTb = [0.1], Seeds = [1], TestSamples = 2000, EnergyAccumulatePicojoules = 0.9, EnergyMultiplyAccumulatePicojoules = 4.6,
            Runs = [new TradeoffRun("SR+TR+TB", 0.1, 1, 38, 0.97, 600, 0.98, 610, 0.983, 0.983, 1, 600, [300, 300], 1e5, 1_411_840, 1e6, 6.5e6, 100, null)],
            Points = [new TradeoffPoint("SR+TR+TB lambda_TB 0.1", "SR+TR+TB", 0.1, 1, Spread.Of([0.983]), Spread.Of([600.0]), Spread.Of([1.0]), Spread.Of([1e5]), Spread.Of([0.15]), -0.87)],
        };
        var json = report.ToJson();
        Assert.Contains("\"schema_version\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"spikes_per_sample_per_layer\"", json, StringComparison.Ordinal);
        var back = TradeoffReport.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(-0.87, back.Points[0].SpikesVsSm);
    }
}
