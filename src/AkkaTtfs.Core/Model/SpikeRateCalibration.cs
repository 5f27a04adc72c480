using System.Globalization;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Model;

/// <summary>
/// Random models whose every spiking layer fires a chosen share of its neurons on real input: the weight
/// scale of each layer is set from its own membrane potentials on a few calibration samples, layer by layer.
/// A fixed 1/fan-in scale (<see cref="RandomModel.Create"/>) leaves deep, wide networks such as vgg16 silent
/// or saturated, because a sum over thousands of inputs concentrates around its mean; a calibrated scale
/// keeps every layer in the band whatever the depth, width or input.
/// </summary>
/// <remarks>
/// Per hidden layer d: draw the layer's weights u + shift (u uniform in [-1, 1), biases 0), integrate the
/// calibration samples' events through the layer with the reference's own stage kernel, take the potential
/// v that the target share of the neurons reach, and scale the weights by s = x_last / v, where x_last
/// = exp((td - (T-1))/tau) is the value that fires at the window's last step: so the target share fires,
/// the strongest earlier (the value range the window codes, e^((T-1)/tau), leaves room above). Potentials are
/// linear in the weights (biases 0), so the scaled layer fires the target share up to float rounding; its
/// spikes, computed again with the scaled weights, feed the next layer. The output layer, which does not
/// spike, is scaled 1/sqrt(fan-in).
/// </remarks>
public static class SpikeRateCalibration
{
    /// <summary>The default share of a layer's neurons (before pooling) that fire on the calibration samples.</summary>
    public const double DefaultTargetRate = 0.1;

    /// <summary>The default number of calibration samples (the first of the dataset's training split).</summary>
    public const int DefaultSampleCount = 16;

    /// <summary>
    /// A seeded random model calibrated on the first <paramref name="sampleCount"/> samples of
    /// <paramref name="calibration"/> (normalised to [0, 1], the model's normalisation).
    /// </summary>
    /// <exception cref="ArgumentException">A bad target rate or sample count, data of another shape, or a layer that no sample drives above 0.</exception>
    public static CalibratedModel Create(NetworkSpec network, Dataset calibration, int seed, double targetRate = DefaultTargetRate,
        int sampleCount = DefaultSampleCount, int t = 32, float tau = 10f, float td = 0f, double positiveShift = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(calibration);
        if (!(targetRate > 0 && targetRate < 1))
            throw new ArgumentException($"random model: the target spike rate is {targetRate}, expected a share in (0, 1)");
        if (!double.IsFinite(positiveShift))
            throw new ArgumentException($"random model: the positive shift is {positiveShift}, expected a finite number");
        if (sampleCount < 1 || sampleCount > calibration.Count)
            throw new ArgumentException($"random model: {sampleCount} calibration samples asked, '{calibration.Name}' has {calibration.Count}");
        if (calibration.SampleShape != network.Input)
            throw new ArgumentException($"random model: the calibration data '{calibration.Name}' holds {calibration.SampleShape}, the network takes {network.Input}");
        var kernel = new TemporalKernel(tau, td, t);
        var rng = new SplitMix64((ulong)seed);
        var inputs = calibration.NormaliseRange(0, sampleCount, InputNormalisation.UnitRange);
        var events = InputEvents.FromAnalog(inputs, sampleCount, network.Input.Size);
        var layers = new List<LayerParameters>(network.Stages.Count);
        var scales = new double[network.Stages.Count];
        var rates = new double[network.Stages.Count - 1];
        foreach (var stage in network.Stages)
        {
            var unit = new float[stage.WeightCount];
            for (var i = 0; i < unit.Length; i++)
                unit[i] = (float)((rng.NextDouble() * 2) - 1 + positiveShift);
            var bias = new float[stage.BiasCount];
            var presynaptic = stage.Index == 0 ? null : kernel;
            if (stage.IsOutput)
            {
                scales[stage.Index] = 1 / Math.Sqrt(stage.WeightCount / stage.BiasCount);
                layers.Add(new LayerParameters(Scale(unit, scales[stage.Index]), bias, null));
                break;
            }

            var v = PotentialReachedBy(targetRate, new StageKernel(stage, NeuronBlock.Whole(stage), unit, bias, presynaptic, kernel), events)
                ?? throw new ArgumentException(
                    $"random model: no neuron of layer {stage.Index} ({stage.Layer.Token}) gets a positive input on the {sampleCount} calibration samples " +
                    $"of '{calibration.Name}'; the layer cannot be made to spike (try another --seed or --positive-shift)");
            scales[stage.Index] = kernel.Decode(t - 1) / v;
            var weights = Scale(unit, scales[stage.Index]);
            var scaled = new StageKernel(stage, NeuronBlock.Whole(stage), weights, bias, presynaptic, kernel);
            var fired = scaled.Step(events, analogInput: stage.Index == 0, firstSample: 0, faults: null, recordTimes: false).Fired!;
            rates[stage.Index] = (double)fired.SpikeCount / ((long)sampleCount * scaled.LocalNeuronCount);
            events = InputEvents.FromSpikes(fired.Spikes, kernel);
            layers.Add(new LayerParameters(weights, bias, kernel));
        }

        var metadata = new Dictionary<string, string>
        {
            ["source"] = "random weights",
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["positive_shift"] = positiveShift.ToString("R", CultureInfo.InvariantCulture),
            ["scale"] = "calibrated spike rate",
            ["target_spike_rate"] = targetRate.ToString("R", CultureInfo.InvariantCulture),
            ["calibration_data"] = $"{calibration.Name}[:{sampleCount}]",
            ["calibration_spike_rates"] = string.Join(",", rates.Select(r => r.ToString("0.####", CultureInfo.InvariantCulture))),
            ["layer_scales"] = string.Join(",", scales.Select(s => s.ToString("R", CultureInfo.InvariantCulture))),
        };
        var model = new SnnModel(network, t, layers, InputNormalisation.UnitRange, metadata: metadata);
        return new CalibratedModel(model, rates, scales);
    }

    /// <summary>
    /// The potential that the top <paramref name="rate"/> share of the layer's neurons (over all calibration
    /// samples) reach with unit-scale weights; null when it is not positive (the layer cannot fire that share).
    /// </summary>
    private static float? PotentialReachedBy(double rate, StageKernel kernel, InputEvents events)
    {
        var membrane = kernel.NewMembrane(events.SampleCount);
        kernel.Integrate(events, membrane);
        var rank = (int)Math.Min(membrane.Length - 1, Math.Max(0, Math.Ceiling(rate * membrane.Length) - 1));
        // The rank-th largest value: sort descending by sorting the negated values.
        for (var i = 0; i < membrane.Length; i++) membrane[i] = -membrane[i];
        Array.Sort(membrane);
        var v = -membrane[rank];
        if (v > 0) return v;
        var largest = -membrane[0];
        return largest > 0 ? largest : null;
    }

    private static float[] Scale(float[] unit, double scale)
    {
        var weights = new float[unit.Length];
        for (var i = 0; i < unit.Length; i++) weights[i] = (float)(unit[i] * scale);
        return weights;
    }
}

/// <summary>A calibrated random model and what the calibration measured.</summary>
/// <param name="Model">The model.</param>
/// <param name="CalibrationRates">Per spiking layer: the share of its neurons (before pooling) that fired on the calibration samples.</param>
/// <param name="LayerScales">Per weighted layer: the factor applied to the unit-scale weights.</param>
public sealed record CalibratedModel(SnnModel Model, IReadOnlyList<double> CalibrationRates, IReadOnlyList<double> LayerScales);
