using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Model;

public sealed class SpikeRateCalibrationTests
{
    private static readonly DatasetPair Data = SyntheticCifar.Create(40, 20);

    /// <summary>Per spiking layer: the share of its neurons (before pooling) that fired, from the reference simulator's counts.</summary>
    private static double[] Rates(SnnModel model, Dataset data, int first, int count)
    {
        var inputs = data.NormaliseRange(first, count, model.Normalisation);
        var result = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(BatchSize: count));
        return model.Network.Stages.Where(s => !s.IsOutput)
            .Select(s => (double)result.SpikesPerStage[s.Index] / ((long)count * s.ConvShape.Size)).ToArray();
    }

    /// <summary>
    /// The paper's vgg16 with calibrated random weights spikes in every layer on images it was not calibrated
    /// on, at a rate inside 1-30 %, and no layer is saturated (most of its spikes later than the window's first step).
    /// </summary>
    [Fact]
    public void Vgg16_spikes_in_every_layer_inside_the_band_on_unseen_samples()
    {
        var network = ArchitectureParser.Build("vgg16", Data.Train.SampleShape);
        var calibrated = SpikeRateCalibration.Create(network, Data.Train, seed: 1, sampleCount: 4);
        var inputs = Data.Test.NormaliseRange(0, 3, calibrated.Model.Normalisation);
        var result = new EventDrivenSimulator().Run(calibrated.Model, inputs, 3, new SimulationOptions(BatchSize: 3, RecordSpikes: true));
        foreach (var stage in network.Stages.Where(s => !s.IsOutput))
        {
            var rate = (double)result.SpikesPerStage[stage.Index] / (3L * stage.ConvShape.Size);
            Assert.InRange(rate, 0.01, 0.30);
            var times = result.SpikeTimes![stage.Index].Where(t => t >= 0).ToArray();
            Assert.True(times.Count(t => t == 0) < times.Length / 2, $"layer {stage.Index}: {times.Count(t => t == 0)} of {times.Length} spikes at step 0");
        }

        Assert.Equal(network.Stages.Count - 1, calibrated.CalibrationRates.Count);
    }

    /// <summary>The rule the calibration replaces fails the same band on vgg16: the band test can fail.</summary>
    [Fact]
    public void The_fan_in_rule_leaves_vgg16_outside_the_band()
    {
        var network = ArchitectureParser.Build("vgg16", Data.Train.SampleShape);
        var rates = Rates(RandomModel.Create(network, 1), Data.Test, 0, 2);
        Assert.Contains(rates, r => r < 0.01 || r > 0.30);
    }

    /// <summary>
    /// The rates the calibration reports are the rates the model fires on its calibration samples, counted by an
    /// independent engine (the double-precision DNN oracle), and they sit at the target.
    /// </summary>
    [Theory]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public void Reported_rates_are_the_oracle_rates_on_the_calibration_samples_and_hit_the_target(double target)
    {
        var network = ArchitectureParser.Build("c8k3p-p2-c16k3p-p2-d32-d10", Data.Train.SampleShape);
        var calibrated = SpikeRateCalibration.Create(network, Data.Train, seed: 3, targetRate: target, sampleCount: 8);
        var inputs = Data.Train.NormaliseRange(0, 8, calibrated.Model.Normalisation);
        var oracle = QuantisedDnn.Forward(calibrated.Model, inputs, 8);
        foreach (var stage in network.Stages.Where(s => !s.IsOutput))
        {
            var oracleRate = (double)oracle.SpikesPerStage[stage.Index] / (8L * stage.ConvShape.Size);
            Assert.InRange(Math.Abs(oracleRate - calibrated.CalibrationRates[stage.Index]), 0, 0.002);
            // The target share fires, plus neurons within half a step of the last one (rounding of Q).
            Assert.InRange(calibrated.CalibrationRates[stage.Index], target, target * 1.5 + 0.01);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_the_provenance_says_how_they_were_made()
    {
        var network = ArchitectureParser.Build("c8k3p-p2-d10", Data.Train.SampleShape);
        var a = SpikeRateCalibration.Create(network, Data.Train, seed: 5, sampleCount: 4).Model;
        var b = SpikeRateCalibration.Create(network, Data.Train, seed: 5, sampleCount: 4).Model;
        var c = SpikeRateCalibration.Create(network, Data.Train, seed: 6, sampleCount: 4).Model;
        Assert.Equal(a.Layers[0].Weights, b.Layers[0].Weights);
        Assert.NotEqual(a.Layers[0].Weights, c.Layers[0].Weights);
        Assert.Equal("calibrated spike rate", a.Metadata["scale"]);
        Assert.Equal("synthetic-cifar:train[:4]", a.Metadata["calibration_data"]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_target_rate_outside_zero_to_one_is_refused(double rate)
    {
        var network = ArchitectureParser.Build("c8k3p-p2-d10", Data.Train.SampleShape);
        var e = Assert.Throws<ArgumentException>(() => SpikeRateCalibration.Create(network, Data.Train, 1, targetRate: rate));
        Assert.Contains("target spike rate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_calibration_samples_than_the_data_holds_or_data_of_another_shape_is_refused()
    {
        var network = ArchitectureParser.Build("c8k3p-p2-d10", Data.Train.SampleShape);
        Assert.Contains("has 40", Assert.Throws<ArgumentException>(() => SpikeRateCalibration.Create(network, Data.Train, 1, sampleCount: 41)).Message, StringComparison.Ordinal);
        var other = ArchitectureParser.Build("c8k3p-p2-d10", TensorShape.Image(1, 32, 32));
        Assert.Contains("takes", Assert.Throws<ArgumentException>(() => SpikeRateCalibration.Create(other, Data.Train, 1)).Message, StringComparison.Ordinal);
    }

    /// <summary>A layer no input drives above 0 (all weights negative on non-negative input) cannot be calibrated: refused, naming the layer.</summary>
    [Fact]
    public void A_layer_that_cannot_fire_is_refused_naming_it()
    {
        var network = ArchitectureParser.Build("c8k3p-p2-d10", Data.Train.SampleShape);
        var e = Assert.Throws<ArgumentException>(() => SpikeRateCalibration.Create(network, Data.Train, 1, sampleCount: 2, positiveShift: -1.5));
        Assert.Contains("layer 0", e.Message, StringComparison.Ordinal);
    }
}
