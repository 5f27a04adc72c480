using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Support;

/// <summary>Random networks and inputs for property tests; weights are scaled so that a good share of neurons fire.</summary>
internal static class RandomNetworks
{
    private static readonly string[] DenseArchitectures = ["d24-d10", "d32-d16-d7", "d5-d3"];

    private static readonly (int C, int H, int W, string Arch)[] ConvArchitectures =
    [
        (1, 12, 12, "c4k3-p2-c6k3-d10"),
        (2, 10, 10, "c4k3p1-p2-c6k3-d10"),
        (2, 11, 9, "c3k3s2p1-c5k2-p2-d4"),
        (1, 14, 14, "c5k5-p2-c3k3s2-d6"),
        (3, 9, 9, "c6k3p1-p3-d8-d5"),
        (1, 13, 13, "c4k3-p2-p2-d5"),
        (2, 8, 8, "c4k5s3-d10"),
    ];

    public static SnnModel Model(Random rng, bool conv, InputMode inputMode = InputMode.Analog, int? t = null)
    {
        NetworkSpec network;
        if (conv)
        {
            var (c, h, w, arch) = ConvArchitectures[rng.Next(ConvArchitectures.Length)];
            network = ArchitectureParser.Build(arch, TensorShape.Image(c, h, w));
        }
        else
        {
            network = ArchitectureParser.Build(DenseArchitectures[rng.Next(DenseArchitectures.Length)], TensorShape.Vector(rng.Next(8, 30)));
        }

        return Model(rng, network, inputMode, t);
    }

    public static SnnModel Model(Random rng, NetworkSpec network, InputMode inputMode = InputMode.Analog, int? t = null)
    {
        var window = t ?? rng.Next(4, 40);
        var layers = new List<LayerParameters>();
        foreach (var stage in network.Stages)
        {
            var fanIn = stage.WeightCount / stage.BiasCount;
            var scale = 2.5f / MathF.Sqrt(fanIn);
            var weights = new float[stage.WeightCount];
            for (var i = 0; i < weights.Length; i++) weights[i] = (float)(rng.NextDouble() * 2 - 0.8) * scale;
            var bias = new float[stage.BiasCount];
            for (var i = 0; i < bias.Length; i++) bias[i] = (float)(rng.NextDouble() * 0.4 - 0.1);
            var kernel = stage.IsOutput ? null : new TemporalKernel((float)(3 + rng.NextDouble() * 9), (float)(rng.NextDouble() * 2 - 1), window);
            layers.Add(new LayerParameters(weights, bias, kernel));
        }

        var inputKernel = inputMode == InputMode.Ttfs ? new TemporalKernel((float)(4 + rng.NextDouble() * 6), (float)(rng.NextDouble() - 0.5), window) : null;
        return new SnnModel(network, window, layers, InputNormalisation.UnitRange, inputMode, inputKernel,
            new Dictionary<string, string> { ["source"] = "random test network" });
    }

    /// <summary>Inputs in [0, 1) with about a third exact zeros, like images.</summary>
    public static float[] Inputs(Random rng, SnnModel model, int count)
    {
        var inputs = new float[count * model.Network.Input.Size];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = rng.NextDouble() < 0.33 ? 0f : (float)rng.NextDouble();
        return inputs;
    }
}
