using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Training.Conversion;
using AkkaTtfs.Training.Evaluation;
using AkkaTtfs.Training.Surrogate;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Tests;

[Collection(LibTorchCollection.Name)]
public class ConversionTests(ITestOutputHelper output)
{
    /// <summary>A surrogate with random weights and non-trivial batch-norm state (as after training), in eval mode.</summary>
    private static SurrogateNetwork RandomSurrogate(string architecture, TensorShape input, int seed)
    {
        manual_seed(seed);
        var network = new SurrogateNetwork(ArchitectureParser.Build(architecture, input), 32, 10, 0, 0);
        using (no_grad())
        {
            foreach (var layer in network.Hidden)
            {
                var bn = layer.BatchNorm;
                var n = bn.num_features;
                bn.running_mean!.copy_(randn(n) * 0.3f);
                bn.running_var!.copy_(rand(n) + 0.5f);
                bn.weight!.copy_(rand(n) + 0.5f);
                bn.bias!.copy_((randn(n) * 0.3f) + 0.2f);
                layer.Tau.copy_(tensor(9.5f + (float)(0.2 * layer.Stage.Index)));
                layer.Td.copy_(tensor(0.1f * layer.Stage.Index));
            }
        }

        network.eval();
        return network;
    }

    private static float[] RandomInputs(int count, int size, int seed)
    {
        var random = new SplitMix64((ulong)seed);
        return Enumerable.Range(0, count * size).Select(_ => random.NextDouble() < 0.3 ? 0f : (float)random.NextDouble()).ToArray();
    }

    [Theory]
    [InlineData("c6k3-p2-d10", 1, 10)]
    [InlineData("d24-d16-d10", 1, 6)]
    [InlineData("c4k3p-c8k3s2-p2-d12-d10", 2, 12)]
    public void Folded_batch_norm_gives_the_eval_mode_pre_activations_to_1e_5(string architecture, int channels, int side)
    {
        using var scope = NewDisposeScope();
        var shape = TensorShape.Image(channels, side, side);
        using var network = RandomSurrogate(architecture, shape, 11);
        var model = SnnConverter.Convert(network, InputNormalisation.UnitRange);
        const int count = 16;
        var inputs = RandomInputs(count, shape.Size, 5);
        var oracle = QuantisedDnn.Forward(model, inputs, count);

        using var noGrad = no_grad();
        var x = tensor(inputs, [count, channels, side, side]);
        var first = network.Hidden[0];
        var input = first.Stage.IsDense ? x.flatten(1) : x;
        var bnOutput = first.BatchNorm.call(first.Weighted.call(input)).flatten(1).data<float>().ToArray();
        var expected = oracle.PreActivations[0];
        Assert.Equal(expected.Length, bnOutput.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(expected[i] - bnOutput[i]) / Math.Max(1, Math.Abs(expected[i])));
        Assert.True(worst <= 1e-5, $"largest relative difference {worst:E2}");

        // The whole network: the BN surrogate in eval mode (precise activation) against the folded oracle's logits.
        // A neuron whose time sits within float rounding of a Q boundary may round apart; count, do not hide.
        network.Precise = true;
        var logits = network.call(x).data<float>().ToArray();
        var boundarySamples = 0;
        for (var s = 0; s < count; s++)
        {
            var close = Enumerable.Range(0, 10).All(j => Math.Abs(oracle.OutputPotentials[(s * 10) + j] - logits[(s * 10) + j]) <= 1e-5 * Math.Max(1, Math.Abs(oracle.OutputPotentials[(s * 10) + j])));
            if (!close) boundarySamples++;
        }

        output.WriteLine($"{architecture}: worst first-layer relative difference {worst:E2}; {boundarySamples} of {count} samples with logits apart by more than 1e-5 (Q-boundary cases)");
        Assert.True(boundarySamples <= 1, $"{boundarySamples} of {count} samples differ in their logits");
    }

    [Fact]
    public void Conversion_copies_tau_and_td_and_the_output_layer_verbatim()
    {
        using var scope = NewDisposeScope();
        using var network = RandomSurrogate("c6k3-p2-d10", TensorShape.Image(1, 10, 10), 2);
        var model = SnnConverter.Convert(network, InputNormalisation.UnitRange, new Dictionary<string, string> { ["k"] = "v" });
        for (var i = 0; i < network.Hidden.Count; i++)
        {
            Assert.Equal(network.Hidden[i].Tau.item<float>(), model.Layers[i].Kernel!.Tau);
            Assert.Equal(network.Hidden[i].Td.item<float>(), model.Layers[i].Kernel!.Td);
            Assert.Equal(32, model.Layers[i].Kernel!.T);
        }

        var output = (TorchSharp.Modules.Linear)network.Output;
        Assert.Equal(output.weight!.data<float>().ToArray(), model.Layers[^1].Weights);
        Assert.Equal(output.bias!.data<float>().ToArray(), model.Layers[^1].Bias);
        Assert.Null(model.Layers[^1].Kernel);
        Assert.Equal("v", model.Metadata["k"]);
    }

    [Fact]
    public void Fold_follows_the_formula_per_output_channel()
    {
        using var scope = NewDisposeScope();
        using var network = RandomSurrogate("c3k2-d10", TensorShape.Image(2, 3, 3), 4);
        var layer = network.Hidden[0];
        var (weights, bias) = SnnConverter.Fold(layer);
        var w = layer.Weight.data<float>().ToArray();
        var b = layer.Bias.data<float>().ToArray();
        var gamma = layer.BatchNorm.weight!.data<float>().ToArray();
        var beta = layer.BatchNorm.bias!.data<float>().ToArray();
        var mean = layer.BatchNorm.running_mean!.data<float>().ToArray();
        var variance = layer.BatchNorm.running_var!.data<float>().ToArray();
        var eps = layer.BatchNorm.eps;
        for (var c = 0; c < 3; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + eps);
            for (var i = 0; i < 8; i++)
                Assert.Equal((float)(w[(c * 8) + i] * scale), weights[(c * 8) + i]);
            Assert.Equal((float)(((b[c] - mean[c]) * scale) + beta[c]), bias[c]);
        }
    }

    [Fact]
    public void TorchSharp_quantised_forward_equals_Core_oracle_and_SNN_on_random_networks()
    {
        using var scope = NewDisposeScope();
        using var network = RandomSurrogate("c6k3-p2-d20-d10", TensorShape.Image(1, 12, 12), 9);
        var model = SnnConverter.Convert(network, InputNormalisation.UnitRange);
        const int count = 200;
        var inputs = RandomInputs(count, 144, 3);
        using var forward = new QuantisedForward(model);
        var torchResult = forward.Run(inputs, count, 64);
        var oracle = QuantisedDnn.Forward(model, inputs, count);
        var snn = new EventDrivenSimulator().Run(model, inputs, count);
        var torchVsOracle = Enumerable.Range(0, count).Count(s => torchResult.Predictions[s] != oracle.Predictions[s]);
        var torchVsSnn = Enumerable.Range(0, count).Count(s => torchResult.Predictions[s] != snn.Predictions[s]);
        output.WriteLine($"disagreements on {count} samples: TorchSharp vs Core oracle {torchVsOracle}, TorchSharp vs SNN {torchVsSnn}; " +
                         $"spikes TorchSharp {torchResult.NonZeroActivations.Sum()} vs SNN {snn.TotalSpikes}");
        Assert.True(torchVsOracle <= 2 && torchVsSnn <= 2, $"TorchSharp vs oracle {torchVsOracle}, vs SNN {torchVsSnn}");
        Assert.True(Math.Abs(torchResult.NonZeroActivations.Sum() - snn.TotalSpikes) <= snn.TotalSpikes / 1000 + 2);
    }
}
