using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Core.Tests.Training;

public class TrainingScheduleTests
{
    [Theory]
    [InlineData(0, 50, 0.02)]
    [InlineData(24, 50, 0.5)]
    [InlineData(48, 50, 0.98)]
    [InlineData(49, 50, 1.0)]
    [InlineData(120, 50, 1.0)]
    [InlineData(0, 1, 1.0)]
    [InlineData(0, 20, 0.05)]
    [InlineData(9, 20, 0.5)]
    public void Sr_probability_is_min_1_of_e_plus_1_over_E_sr(int epoch, int srEpochs, double expected) =>
        Assert.Equal(expected, TrainingSchedule.SrProbability(epoch, srEpochs), 12);

    [Fact]
    public void Sr_probability_rises_monotonically_to_one()
    {
        var p = Enumerable.Range(0, 30).Select(e => TrainingSchedule.SrProbability(e, 20)).ToArray();
        for (var e = 1; e < p.Length; e++) Assert.True(p[e] >= p[e - 1]);
        Assert.Equal(1.0, p[19]);
        Assert.True(p[18] < 1.0);
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(2, 1, 1)]
    [InlineData(3, 1, 1)]
    [InlineData(40, 20, 20)]
    [InlineData(41, 20, 20)]
    [InlineData(99, 49, 49)]
    [InlineData(100, 50, 50)]
    [InlineData(300, 50, 50)]
    public void Short_runs_scale_E_sr_and_E_k_to_half_the_epochs_and_long_runs_keep_the_papers_50(int epochs, int srEpochs, int kernelEpoch)
    {
        Assert.Equal(srEpochs, TrainingSchedule.ScaledSrEpochs(epochs));
        Assert.Equal(kernelEpoch, TrainingSchedule.ScaledKernelEpoch(epochs));
        var options = new TrainingOptions { Epochs = epochs };
        Assert.Equal(srEpochs, options.ResolvedSrEpochs);
        Assert.Equal(kernelEpoch, options.ResolvedKernelEpoch);
    }

    [Fact]
    public void Given_E_sr_and_E_k_override_the_rule()
    {
        var options = new TrainingOptions { Epochs = 40, SrEpochs = 7, KernelEpoch = 3 };
        Assert.Equal(7, options.ResolvedSrEpochs);
        Assert.Equal(3, options.ResolvedKernelEpoch);
    }

    [Fact]
    public void Bad_schedule_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingSchedule.SrProbability(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingSchedule.SrProbability(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingSchedule.ScaledSrEpochs(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingSchedule.ScaledKernelEpoch(0));
    }

    [Theory]
    [InlineData(TrainingPreset.Sm, 0)]
    [InlineData(TrainingPreset.Relu, 0)]
    [InlineData(TrainingPreset.Sr, 19)]
    [InlineData(TrainingPreset.SrTr, 25)]
    [InlineData(TrainingPreset.SrTrTb, 25)]
    public void The_kept_checkpoint_comes_from_epochs_where_the_whole_method_is_in_force(TrainingPreset preset, int first) =>
        Assert.Equal(first, TrainingSchedule.FirstSelectableEpoch(preset, srEpochs: 20, kernelEpoch: 25));

    [Fact]
    public void The_kernel_is_frozen_before_E_k_only_with_TR()
    {
        Assert.True(TrainingSchedule.KernelTrainable(TrainingPreset.Sm, 0, 10));
        Assert.True(TrainingSchedule.KernelTrainable(TrainingPreset.Sr, 0, 10));
        Assert.False(TrainingSchedule.KernelTrainable(TrainingPreset.SrTr, 9, 10));
        Assert.True(TrainingSchedule.KernelTrainable(TrainingPreset.SrTr, 10, 10));
        Assert.False(TrainingSchedule.KernelTrainable(TrainingPreset.SrTrTb, 0, 10));
        Assert.True(TrainingSchedule.KernelTrainable(TrainingPreset.SrTrTb, 39, 10));
        Assert.False(TrainingSchedule.KernelTrainable(TrainingPreset.Relu, 20, 10));
    }

    [Fact]
    public void Presets_round_trip_through_their_names_and_switch_the_right_features()
    {
        foreach (var (preset, name) in TrainingPresets.All)
        {
            Assert.Equal(preset, TrainingPresets.Parse(name));
            Assert.Equal(preset, TrainingPresets.Parse(name.ToLowerInvariant()));
            Assert.Equal(name, preset.Name());
        }

        Assert.Equal(TrainingPreset.SrTrTb, TrainingPresets.Parse("sr-tr-tb"));
        Assert.Equal((false, false, false), (TrainingPreset.Sm.UsesSr(), TrainingPreset.Sm.UsesTr(), TrainingPreset.Sm.UsesTb()));
        Assert.Equal((true, false, false), (TrainingPreset.Sr.UsesSr(), TrainingPreset.Sr.UsesTr(), TrainingPreset.Sr.UsesTb()));
        Assert.Equal((true, true, false), (TrainingPreset.SrTr.UsesSr(), TrainingPreset.SrTr.UsesTr(), TrainingPreset.SrTr.UsesTb()));
        Assert.Equal((true, true, true), (TrainingPreset.SrTrTb.UsesSr(), TrainingPreset.SrTrTb.UsesTr(), TrainingPreset.SrTrTb.UsesTb()));
        Assert.False(TrainingPreset.Relu.UsesTtfs());
        var error = Assert.Throws<ArgumentException>(() => TrainingPresets.Parse("SR+TB"));
        Assert.Contains("SR+TR+TB", error.Message, StringComparison.Ordinal);
    }
}
