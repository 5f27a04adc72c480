using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// The crash and fault tests' network: a small conv net (c6k3-p2-c8k3-d10 on 12x12) with seeded random
/// weights and inputs (40% zeros), cheap enough that a run of thousands of samples in batches of 2 lasts
/// seconds, so faults land mid-run.
/// </summary>
public static class SmallConvNet
{
    public static (SnnModel Model, float[] Inputs) Create(int samples, int seed)
    {
        var network = ArchitectureParser.Build("c6k3-p2-c8k3-d10", TensorShape.Image(1, 12, 12));
        var model = RandomModel.Create(network, seed);
        var rng = new Random(seed);
        var inputs = new float[samples * 144];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = rng.NextDouble() < 0.4 ? 0 : (float)rng.NextDouble();
        return (model, inputs);
    }
}
