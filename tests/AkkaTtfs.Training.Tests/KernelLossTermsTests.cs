using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Surrogate;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Tests;

[Collection(LibTorchCollection.Name)]
public class KernelLossTermsTests
{
    private static SurrogateNetwork Network()
    {
        manual_seed(1);
        var network = new SurrogateNetwork(ArchitectureParser.Build("c3k2-d4-d10", TensorShape.Image(1, 4, 4)), 32, 10, 0, 0);
        using (no_grad())
        {
            network.Hidden[0].Tau.copy_(tensor(10.5f));
            network.Hidden[0].Td.copy_(tensor(0.25f));
            network.Hidden[1].Tau.copy_(tensor(9f));
            network.Hidden[1].Td.copy_(tensor(-1f));
            network.Hidden[0].BatchNorm.weight!.copy_(tensor(new[] { 1f, 0.8f, 1.3f }));
            network.Hidden[0].BatchNorm.bias!.copy_(tensor(new[] { 0f, -0.3f, 0.4f }));
            network.Hidden[1].BatchNorm.weight!.copy_(tensor(new[] { 1.1f, 0.9f, 1f, 0.5f }));
            network.Hidden[1].BatchNorm.bias!.copy_(tensor(new[] { 0.1f, 0.2f, -0.1f, 0f }));
        }

        return network;
    }

    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).data<double>().ToArray();

    [Fact]
    public void L_TR_equals_the_closed_form_and_its_gradient_is_2_times_the_distance()
    {
        using var scope = NewDisposeScope();
        using var network = Network();
        var loss = KernelLossTerms.TemporalRegularisation(network, 10, 0);
        Assert.Equal(KernelLosses.TemporalRegularisation([10.5, 9], [0.25, -1], 10, 0), loss.item<float>(), 1e-6);
        loss.backward();
        Assert.Equal(2 * 0.5, network.Hidden[0].Tau.grad!.item<float>(), 1e-6);
        Assert.Equal(2 * 0.25, network.Hidden[0].Td.grad!.item<float>(), 1e-6);
        Assert.Equal(2 * -1.0, network.Hidden[1].Tau.grad!.item<float>(), 1e-6);
        Assert.Equal(2 * -1.0, network.Hidden[1].Td.grad!.item<float>(), 1e-6);
        Assert.Null(network.Hidden[0].BatchNorm.bias!.grad);
    }

    [Fact]
    public void L_TB_equals_the_closed_form_moves_only_gamma_and_beta_and_pushes_beta_down()
    {
        using var scope = NewDisposeScope();
        using var network = Network();
        var loss = KernelLossTerms.TemporalBatchNorm(network);
        var layers = network.Hidden.Select(h => (Values(h.BatchNorm.bias!), Values(h.BatchNorm.weight!),
            KernelLosses.MinimumValue(h.Tau.item<float>(), h.Td.item<float>(), 32))).ToList();
        var expected = KernelLosses.TemporalBatchNorm(layers);
        Assert.Equal(expected, loss.item<float>(), 1e-5 * Math.Max(1, Math.Abs(expected)));

        loss.backward();
        foreach (var (layer, (beta, gamma, xT)) in network.Hidden.Zip(layers))
        {
            // xT is detached: the kernel gets nothing from L_TB.
            Assert.True(layer.Tau.grad is null || layer.Tau.grad.item<float>() == 0);
            Assert.True(layer.Td.grad is null || layer.Td.grad.item<float>() == 0);
            var betaGrad = Values(layer.BatchNorm.bias!.grad!);
            var gammaGrad = Values(layer.BatchNorm.weight!.grad!);
            for (var c = 0; c < beta.Length; c++)
            {
                Assert.Equal(-KernelLosses.DFDBeta(beta[c], gamma[c], xT), betaGrad[c], 1e-5);
                Assert.Equal(-KernelLosses.DFDGamma(beta[c], gamma[c], xT), gammaGrad[c], 1e-5);
                // Near beta = 0 the gradient is positive, so descent lowers beta and fewer neurons fire.
                if (Math.Abs(beta[c]) <= 0.2) Assert.True(betaGrad[c] > 0, $"dL_TB/dbeta = {betaGrad[c]} at beta {beta[c]}");
            }
        }

        Assert.Null(network.Hidden[0].Weight.grad);
    }
}
