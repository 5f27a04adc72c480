using System.Text.Json;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Core.Tests.Training;

public class TrainingOptionsTests
{
    [Fact]
    public void Defaults_are_the_papers_except_epochs_and_lambda_TB()
    {
        var o = new TrainingOptions();
        o.Validate();
        Assert.Equal((1e-4, 10.0, 0.0, 32, 1e-3, 128), (o.LambdaTr, o.TauInit, o.TdInit, o.T, o.LearningRate, o.BatchSize));
        Assert.Equal(TrainingPreset.SrTrTb, o.Preset);
        Assert.Equal(TrainingOptions.DefaultLambdaTb, o.LambdaTb);
        Assert.Equal(1, o.Threads);
        Assert.Equal((20, 20), (o.ResolvedSrEpochs, o.ResolvedKernelEpoch));
    }

    public static TheoryData<string, TrainingOptions> BadOptions() => new()
    {
        { "epochs", new TrainingOptions { Epochs = 0 } },
        { "E_sr", new TrainingOptions { SrEpochs = 0 } },
        { "E_k", new TrainingOptions { KernelEpoch = -1 } },
        { "E_k", new TrainingOptions { Epochs = 10, KernelEpoch = 10 } },
        { "lambda_TR", new TrainingOptions { LambdaTr = -1 } },
        { "lambda_TB", new TrainingOptions { LambdaTb = double.NaN } },
        { "tau_init", new TrainingOptions { TauInit = 0 } },
        { "td_init", new TrainingOptions { TdInit = double.PositiveInfinity } },
        { "T", new TrainingOptions { T = 0 } },
        { "T", new TrainingOptions { T = 257 } },
        { "lr", new TrainingOptions { LearningRate = 0 } },
        { "batch", new TrainingOptions { BatchSize = 0 } },
        { "dropout", new TrainingOptions { Dropout = 1 } },
        { "validation fraction", new TrainingOptions { ValidationFraction = 1 } },
        { "threads", new TrainingOptions { Threads = 0 } },
        { "train limit", new TrainingOptions { TrainLimit = 0 } },
        { "test limit", new TrainingOptions { TestLimit = 0 } },
        { "architecture", new TrainingOptions { Architecture = " " } },
        { "data", new TrainingOptions { Data = "" } },
        { "shift", new TrainingOptions { ShiftPixels = -1 } },
        { "shift", new TrainingOptions { ShiftPixels = TrainingOptions.MaxShiftPixels + 1 } },
        { "shift", new TrainingOptions { ShiftPixels = 2, Augment = true } },
        { "lr cosine epoch", new TrainingOptions { Epochs = 10, LearningRateCosineEpoch = 10 } },
        { "lr cosine epoch", new TrainingOptions { Epochs = 10, LearningRateCosineEpoch = -1 } },
        { "lr cosine epoch", new TrainingOptions { Epochs = 10, LearningRateCosineEpoch = 5, LearningRateDropEpoch = 8 } },
        { "lambda_TB ramp", new TrainingOptions { Epochs = 10, LambdaTbRampEpochs = 11 } },
        { "lambda_TB ramp", new TrainingOptions { LambdaTbRampEpochs = -1 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Every_bad_knob_is_rejected_with_its_name(string knob, TrainingOptions options)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"training option {knob} =", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cosine_schedule_holds_the_rate_before_its_start_then_falls_on_a_half_cosine_towards_zero()
    {
        var o = new TrainingOptions { Epochs = 10, LearningRate = 2e-3, LearningRateCosineEpoch = 6 };
        o.Validate();
        for (var e = 0; e < 6; e++) Assert.Equal(2e-3, o.LearningRateAt(e));
        // Four cosine epochs: (1 + cos(pi k / 4)) / 2 for k = 0..3, computed here by hand.
        double[] factors = [1, (1 + (Math.Sqrt(2) / 2)) / 2, 0.5, (1 - (Math.Sqrt(2) / 2)) / 2];
        for (var k = 0; k < 4; k++) Assert.Equal(2e-3 * factors[k], o.LearningRateAt(6 + k), 1e-15);
        Assert.Equal(2e-3 * 0.1, new TrainingOptions { Epochs = 10, LearningRate = 2e-3, LearningRateDropEpoch = 6 }.LearningRateAt(9), 1e-15);
    }

    [Fact]
    public void The_lambda_TB_ramp_rises_linearly_from_E_k_and_holds_after()
    {
        var o = new TrainingOptions { Epochs = 20, KernelEpoch = 10, LambdaTb = 0.4, LambdaTbRampEpochs = 4 };
        o.Validate();
        Assert.Equal(0, o.LambdaTbAt(9));
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.4], Enumerable.Range(10, 5).Select(e => Math.Round(o.LambdaTbAt(e), 12)).ToArray());
        Assert.Equal(0.4, (o with { LambdaTbRampEpochs = 0 }).LambdaTbAt(10));
    }

    [Fact]
    public void Shift_augmentation_shifts_without_flipping_and_augment_keeps_its_pad_4_and_flip()
    {
        var shift = new TrainingOptions { ShiftPixels = 2 };
        Assert.Equal((true, 2, false), (shift.Augments, shift.AugmentShift, shift.AugmentFlip));
        var augment = new TrainingOptions { Augment = true };
        Assert.Equal((true, 4, true), (augment.Augments, augment.AugmentShift, augment.AugmentFlip));
        Assert.False(new TrainingOptions().Augments);
    }

    [Fact]
    public void E_k_may_reach_the_epoch_count_when_the_preset_does_not_use_it()
    {
        new TrainingOptions { Preset = TrainingPreset.Sr, Epochs = 10, KernelEpoch = 10 }.Validate();
        new TrainingOptions { Preset = TrainingPreset.Sm, Epochs = 1 }.Validate();
    }

    [Fact]
    public void Report_json_uses_snake_case_and_the_papers_preset_names()
    {
        var report = new TrainingReport
        {
            Options = new TrainingOptions { Preset = TrainingPreset.SrTr },
            SrEpochs = 20,
            KernelEpoch = 20,
            Dataset = "mnist-10k",
            Architecture = "c12k5-p2-c64k5-p2-d10",
            InputShape = "[1,28,28]",
            TrainSamples = 7200,
            ValidationSamples = 800,
            TestSamples = 2000,
            History = [new EpochSummary(1, 1, 1, 0.5, 0.5, 4000, 0.05, false, 10, 10, 0, 0, 3, 2000, 1e-3)],
            KeepRule = CheckpointRule.Best.Describe(),
            FirstSelectableEpoch = 1,
            KeptEpoch = 1,
            SurrogateTestAccuracy = 0.5,
            TrainingSeconds = 3,
            SamplesPerSecond = 2000,
            Kernels = [new KernelSummary(0, "c12k5", 10, 0, 0.045, 1)],
        };
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal("SR+TR", json.RootElement.GetProperty("options").GetProperty("preset").GetString());
        Assert.Equal(7200, json.RootElement.GetProperty("train_samples").GetInt32());
        Assert.Equal(0.05, json.RootElement.GetProperty("history")[0].GetProperty("sr_probability").GetDouble());
        Assert.Equal("auto", json.RootElement.GetProperty("options").GetProperty("normalisation").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("schema_version").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("kept_epoch").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("history")[0].GetProperty("epoch").GetInt32());
    }
}

public class TrainingDefaultsTests
{
    [Fact]
    public void The_main_job_recipe_is_valid_runs_the_whole_method_for_most_of_its_epochs_and_trains_on_every_sample()
    {
        var o = TrainingDefaults.MainJob;
        o.Validate();
        Assert.Equal(TrainingPreset.SrTrTb, o.Preset);
        var first = TrainingSchedule.FirstSelectableEpoch(o.Preset, o.ResolvedSrEpochs, o.ResolvedKernelEpoch);
        Assert.True(o.Epochs - first >= o.Epochs / 2, $"only {o.Epochs - first} of {o.Epochs} epochs with the whole method");
        Assert.True(o.LearningRateDropEpoch > first, "the learning rate drops only once L_TB acts");
        // No validation split: every rule would keep the last epoch, so the recipe says so instead of naming a rule that cannot act.
        Assert.Equal(0, o.ValidationFraction);
        Assert.Equal(KeepKind.Last, o.ResolvedKeep.Kind);
        Assert.Equal(0, TrainingDefaults.MainJobFor(40).ValidationFraction);
    }
}
