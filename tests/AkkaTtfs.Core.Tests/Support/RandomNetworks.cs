using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Support;

/// <summary>A random model and its random inputs.</summary>
internal sealed record RandomCase(string Description, SnnModel Model, float[] Inputs, int Count);

/// <summary>
/// Small random networks covering dense, conv with stride and padding, pooling (also stacked and with a dropped
/// remainder), conv-to-dense flattening and a conv output layer, with random weights, biases, tau, td and T,
/// scaled so that a good share of the hidden neurons fire at spread-out times.
/// </summary>
internal static class RandomNetworks
{
    /// <summary>Input shape and architecture string of every topology used.</summary>
    public static IReadOnlyList<(TensorShape Input, string Architecture)> Topologies { get; } =
    [
        (TensorShape.Vector(12), "d16-d12-d5"),
        (TensorShape.Image(2, 7, 7), "c3k3p-p2-c4k2-d6"),
        (TensorShape.Image(1, 9, 9), "c4k3s2p1-c3k3p-p2-d4"),
        (TensorShape.Image(2, 8, 8), "c3k3p-p2-p2-d5"),
        (TensorShape.Image(1, 6, 6), "c3k3-p2-c4k2"),
        (TensorShape.Image(2, 6, 6), "c2k3s2-d8-d3"),
        (TensorShape.Image(3, 10, 10), "c4k5s3p2-c5k2s1p1-p3-d4"),
    ];

    private static readonly int[] Windows = [3, 8, 16, 32];

    /// <summary>Every topology with both input modes, for theories.</summary>
    public static TheoryData<int, InputMode> TopologiesAndInputModes
    {
        get
        {
            var data = new TheoryData<int, InputMode>();
            for (var topology = 0; topology < Topologies.Count; topology++)
            {
                data.Add(topology, InputMode.Analog);
                data.Add(topology, InputMode.Ttfs);
            }

            return data;
        }
    }

    /// <summary>A random partitioning: up to the given channel slices and row/column tiles per stage, within what each stage allows.</summary>
    public static StageSplit[] RandomSplits(Random random, NetworkSpec network, int maxChannels = 4, int maxRows = 3, int maxCols = 2) =>
        network.Stages.Select(stage =>
        {
            var g = StageGeometry.Of(stage);
            return new StageSplit(
                random.Next(1, Math.Min(g.Channels, maxChannels) + 1),
                random.Next(1, Math.Min(g.PooledHeight, maxRows) + 1),
                random.Next(1, Math.Min(g.PooledWidth, maxCols) + 1));
        }).ToArray();

    /// <summary>A random model of topology <paramref name="topology"/> and <paramref name="count"/> inputs in [0, 1).</summary>
    public static RandomCase Create(int topology, InputMode inputMode, int seed, int count)
    {
        var random = new Random(seed);
        var (input, architecture) = Topologies[topology];
        var network = NetworkSpec.Create(input, ArchitectureParser.Parse(architecture));
        var window = Windows[random.Next(Windows.Length)];

        var layers = new List<LayerParameters>();
        foreach (var stage in network.Stages)
        {
            var fanIn = stage.WeightCount / stage.BiasCount;
            // Inputs and activations are O(1) and positive on average; a gain near 2/sqrt(fan-in) keeps u mostly in
            // the kernel's range, and biases lean positive so that roughly half of the neurons fire.
            var gain = 2.0 / Math.Sqrt(fanIn);
            var weights = Enumerable.Range(0, stage.WeightCount).Select(_ => (float)(gain * Gaussian(random))).ToArray();
            var bias = Enumerable.Range(0, stage.BiasCount).Select(_ => (float)((random.NextDouble() * 0.5) - 0.15)).ToArray();
            var kernel = stage.IsOutput ? null : RandomKernel(random, window);
            layers.Add(new LayerParameters(weights, bias, kernel));
        }

        var inputKernel = inputMode == InputMode.Ttfs ? RandomKernel(random, window) : null;
        var model = new SnnModel(network, window, layers, InputNormalisation.UnitRange, inputMode, inputKernel);
        var inputs = Enumerable.Range(0, count * input.Size).Select(_ => (float)random.NextDouble()).ToArray();
        return new RandomCase($"{input} {architecture} {inputMode} T={window} seed={seed}", model, inputs, count);
    }

    private static TemporalKernel RandomKernel(Random random, int window)
    {
        // tau in [1.5, 12), td in [-1.5, 1.5): levels from a factor 1.09 to 1.95 apart, the top value near 1.
        var tau = 1.5 + (random.NextDouble() * 10.5);
        var td = (random.NextDouble() * 3) - 1.5;
        return new TemporalKernel((float)tau, (float)td, window);
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - U keeps the logarithm's argument in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
