using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Model;

/// <summary>
/// Models with seeded random weights, for benchmarks and traffic studies before a network is trained.
/// Weights are uniform in [-spread, +spread] shifted by <c>bias * spread</c>, scaled by 1/fan-in, so that
/// with non-negative inputs a controllable share of neurons fires (bias 1 = all weights positive).
/// </summary>
/// <remarks>
/// The size is bounded where the network is built: <see cref="NetworkSpec.Create"/> refuses a network past
/// <see cref="NetworkSpec.MaxParameterCount"/>, the limit the model file reader shares, so every model made
/// here is one <see cref="ModelFile"/> can write and read back, and an oversized one is refused before any
/// weight is drawn or any file written.
/// </remarks>
public static class RandomModel
{
    public static SnnModel Create(NetworkSpec network, int seed, int t = 32, float tau = 10f, float td = 0f, double positiveShift = 0.25, double gain = 2.0)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!double.IsFinite(positiveShift))
            throw new ArgumentException($"random model: the positive shift is {positiveShift}, expected a finite number");
        if (!double.IsFinite(gain) || gain <= 0)
            throw new ArgumentException($"random model: the gain is {gain}, expected a finite number > 0");
        _ = new TemporalKernel(tau, td, t);   // T, tau and td checked before the weights are drawn
        var rng = new SplitMix64((ulong)seed);
        var layers = new List<LayerParameters>(network.Stages.Count);
        foreach (var stage in network.Stages)
        {
            var fanIn = stage.WeightCount / stage.BiasCount;
            var spread = gain / fanIn;
            var weights = new float[stage.WeightCount];
            for (var i = 0; i < weights.Length; i++)
                weights[i] = (float)(((rng.NextDouble() * 2) - 1 + positiveShift) * spread);
            var kernel = stage.IsOutput ? null : new TemporalKernel(tau, td, t);
            layers.Add(new LayerParameters(weights, new float[stage.BiasCount], kernel));
        }

        var metadata = new Dictionary<string, string>
        {
            ["source"] = "random weights",
            ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["positive_shift"] = positiveShift.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["gain"] = gain.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
        return new SnnModel(network, t, layers, InputNormalisation.UnitRange, metadata: metadata);
    }
}
