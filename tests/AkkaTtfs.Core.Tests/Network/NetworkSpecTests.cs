using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Network;

public class NetworkSpecTests
{
    [Fact]
    public void Mnist_cnn_shapes_parameters_and_macs_match_hand_computation()
    {
        var net = ArchitectureParser.Build("mnist-cnn", TensorShape.Image(1, 28, 28));
        Assert.Equal("c12k5-p2-c64k5-p2-d10", net.Architecture);
        Assert.Equal(3, net.Stages.Count);
        Assert.Equal(TensorShape.Image(12, 24, 24), net.Stages[0].ConvShape);
        Assert.Equal(TensorShape.Image(12, 12, 12), net.Stages[0].OutputShape);
        Assert.Equal(TensorShape.Image(64, 8, 8), net.Stages[1].ConvShape);
        Assert.Equal(TensorShape.Image(64, 4, 4), net.Stages[1].OutputShape);
        Assert.Equal(TensorShape.Vector(1024), net.Stages[2].InputShape);
        Assert.True(net.Stages[2].IsOutput);
        Assert.Equal(10, net.ClassCount);
        Assert.Equal((12 * 25) + 12 + (64 * 12 * 25) + 64 + (10 * 1024) + 10, net.ParameterCount);
        Assert.Equal((24L * 24 * 12 * 25) + (8L * 8 * 64 * 12 * 25) + (1024L * 10), net.Macs);
    }

    [Fact]
    public void Same_padding_stride_and_stacked_pools_infer_shapes()
    {
        var net = ArchitectureParser.Build("c8k3p-c4k3s2p1-p2-p2-d3", TensorShape.Image(3, 32, 30));
        Assert.Equal(TensorShape.Image(8, 32, 30), net.Stages[0].ConvShape);
        Assert.Equal(TensorShape.Image(4, 16, 15), net.Stages[1].ConvShape);
        Assert.Equal(4, net.Stages[1].PoolSize);
        Assert.Equal(TensorShape.Image(4, 4, 3), net.Stages[1].OutputShape);
        Assert.Equal(48, net.Stages[2].InputShape.Size);
    }

    [Fact]
    public void Presets_parse_and_fit_their_datasets()
    {
        Assert.Equal(2, ArchitectureParser.Build("mlp", TensorShape.Image(1, 28, 28)).Stages.Count);
        Assert.Equal(16, ArchitectureParser.Build("vgg16", TensorShape.Image(3, 32, 32)).Stages.Count);
        Assert.Equal(6, ArchitectureParser.Build("fashion-cnn", TensorShape.Image(1, 28, 28)).Stages.Count);
    }

    [Fact]
    public void The_fmnist_cnn_preset_has_the_documented_shape_and_cost()
    {
        var net = ArchitectureParser.Build("fmnist-cnn", TensorShape.Image(1, 28, 28));
        Assert.Equal(4, net.Stages.Count);
        Assert.Equal(TensorShape.Image(64, 7, 7), net.Stages[1].OutputShape);
        // MACs by hand: 28*28*32*(1*3*3) + 14*14*64*(32*3*3) + 3136*256 + 256*10 (docs/benchmarks.md says 4.6 M).
        Assert.Equal((28L * 28 * 32 * 9) + (14L * 14 * 64 * 32 * 9) + (3136L * 256) + (256L * 10), net.Macs);
    }

    [Theory]
    [InlineData("c12k5-x3-d10", "token 2 'x3'")]
    [InlineData("", "empty")]
    [InlineData("d10-p2", "last layer (p2)")]
    [InlineData("p2-d10", "before the first weighted layer")]
    [InlineData("c4k40-d10", "kernel 40 does not fit")]
    [InlineData("d20-c4k3-d10", "needs a [C,H,W] input")]
    [InlineData("c4k3-p50-d10", "larger than the input")]
    [InlineData("c4k3p3-d10", "padding 3 must be smaller")]
    [InlineData("d0-d10", "out_features must be >= 1")]
    public void Bad_architectures_fail_with_a_message_naming_the_problem(string arch, string expected)
    {
        var ex = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build(arch, TensorShape.Image(1, 28, 28)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_round_trip_through_the_architecture_string()
    {
        const string arch = "c8k3s2p1-p2-f-d20-d10";
        var net = ArchitectureParser.Build(arch, TensorShape.Image(1, 28, 28));
        Assert.Equal(arch, net.Architecture);
        Assert.Equal(arch, ArchitectureParser.Build(net.Architecture, TensorShape.Image(1, 28, 28)).Architecture);
    }
}
