using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Surrogate;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Tests;

[Collection(LibTorchCollection.Name)]
public sealed class Vgg16TrainingTests
{
    /// <summary>
    /// The paper's CIFAR-10 network trains: two optimisation steps of the full method (SR+TR+TB) on 8 synthetic
    /// CIFAR-shaped images, then conversion to an SNN and its evaluation on 2 test images, without a GPU.
    /// </summary>
    [Fact]
    public void Vgg16_takes_training_steps_on_tiny_cifar_shaped_data_and_converts()
    {
        var data = SyntheticCifar.Create(8, 2);
        var options = new TrainingOptions
        {
            Data = SyntheticCifar.Name,
            Architecture = "vgg16",
            Epochs = 2,
            BatchSize = 8,
            ValidationFraction = 0,
            Seed = 1,
        };
        var result = new SurrogateTrainer().Train(data, options, null, CancellationToken.None);
        var report = result.Report;

        Assert.Equal(2, report.History.Count);
        Assert.All(report.History, h => Assert.True(double.IsFinite(h.Loss) && h.Loss > 0, $"epoch {h.Epoch}: loss {h.Loss}"));
        Assert.Equal(ArchitectureParser.Build("vgg16", data.Train.SampleShape).Architecture, result.Model.Network.Architecture);
        Assert.Equal(16, result.Model.Layers.Count);
        Assert.All(result.Model.Layers, l => Assert.All(l.Weights, w => Assert.True(float.IsFinite(w))));
        Assert.NotNull(report.Evaluation);
        Assert.Equal(2, report.TestSamples);
    }

    [Theory]
    [InlineData("cuda:x")]
    [InlineData("gpu")]
    [InlineData("CPU")]
    [InlineData("cuda:")]
    public void An_unknown_device_is_refused_naming_it(string device)
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions { Device = device }.Validate());
        Assert.Contains($"device = {device}", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve(device));
    }

    /// <summary>This build has the CPU libtorch only: asking for CUDA fails in one line that says what a GPU user installs.</summary>
    [Fact]
    public void Cuda_without_a_cuda_libtorch_is_refused_saying_what_to_install()
    {
        if (cuda.is_available()) return;   // a CUDA machine: the refusal does not apply there
        var e = Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve("cuda"));
        Assert.Contains("TorchSharp-cuda-linux", e.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceType.CPU, TrainingDevice.Resolve("cpu").type);
    }

    /// <summary>
    /// The fused activation reads CPU float32 memory: a tensor elsewhere (here libtorch's meta device, which has shapes
    /// but no memory, standing in for a GPU) or in double takes the libtorch expression; on the CPU in float the fused one.
    /// </summary>
    [Fact]
    public void Off_the_cpu_the_network_chooses_the_libtorch_expression()
    {
        var spec = ArchitectureParser.Build("c4k3p-p2-d10", TensorShape.Image(3, 8, 8));
        using var network = new SurrogateNetwork(spec, 32, 10, 0, 0);
        using var onCpu = ones(2, 4, 8, 8);
        using var inDouble = ones(2, 4, 8, 8, dtype: ScalarType.Float64);
        using var onMeta = empty(2, 4, 8, 8, device: new Device(DeviceType.META));
        Assert.True(network.UsesFused(onCpu));
        Assert.False(network.UsesFused(inDouble));
        Assert.False(network.UsesFused(onMeta));
        // Without the dispatch the network would hand such a tensor to the fused function, which refuses it.
        // (That the libtorch expression then runs on a GPU needs a GPU to test; libtorch's meta device lacks relu.)
        using var tau = tensor(10f);
        using var td = tensor(0f);
        Assert.Throws<ArgumentException>(() => FusedTtfsActivation.Apply(onMeta, tau, td, 32));
    }
}
