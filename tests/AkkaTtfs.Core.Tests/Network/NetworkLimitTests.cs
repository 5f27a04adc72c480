using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Tests.Model;

namespace AkkaTtfs.Core.Tests.Network;

/// <summary>
/// Sizes that overflow, or that the model reader would refuse, are refused where the network is built, naming
/// the layer and the limit, so that `model random` never writes a file its own reader rejects.
/// </summary>
public sealed class NetworkLimitTests
{
    private static readonly TensorShape Mnist = TensorShape.Image(1, 28, 28);

    [Fact]
    public void The_limits_are_one_array_of_float32_values()
    {
        // Computed here from the runtime, not copied from the code.
        Assert.Equal(TensorShape.MaxSize, Array.MaxLength);
        Assert.Equal(NetworkSpec.MaxParameterCount, Array.MaxLength / 4);
        Assert.Equal(ModelFile.MaxDataLength, NetworkSpec.MaxParameterCount * 4);
        Assert.True(ModelFile.MaxDataLength <= Array.MaxLength);
    }

    [Fact]
    public void A_dense_layer_whose_weight_count_overflows_is_refused_naming_it()
    {
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("d2000000000-d10", Mnist));

        // 2e9 x 784 = 1.568e12 weights: an int product would have wrapped around to a plausible size.
        Assert.Equal(
            "layer 0 (d2000000000): 1,568,000,000,000 weights (2000000000 x 784), more than the 536,870,897 parameters a model may hold " +
            "(a model file stores them as float32 in one data section of at most 2,147,483,588 bytes, the most the model reader accepts)",
            error.Message);
    }

    [Fact]
    public void A_later_layer_that_overflows_silently_in_int_is_refused()
    {
        // 100000 x 100000 = 1e10, which wraps to 1,410,065,408 in int: the 5.96 GB corrupt file of issue 14.
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("d100000-d100000-d10", Mnist));

        Assert.StartsWith("layer 1 (d100000): 10,000,000,000 weights (100000 x 100000), more than the 536,870,897 parameters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_that_fit_alone_but_not_together_are_refused_naming_where_the_total_passes()
    {
        // 400000 x 784 + 400000 = 314.0e6, then 1000 x 400000 + 1000 = 400.0e6: 714,001,000 together.
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("d400000-d1000", TensorShape.Vector(784)));

        Assert.StartsWith($"layers 0..1 (up to d1000) hold {(400_000L * 784) + 400_000 + (1000L * 400_000) + 1000:N0} parameters together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_of_exactly_the_limit_is_accepted_and_one_more_parameter_is_not()
    {
        var atLimit = (int)NetworkSpec.MaxParameterCount - 1;   // d1 on N inputs: N weights + 1 bias

        var network = ArchitectureParser.Build("d1", TensorShape.Vector(atLimit));
        Assert.Equal(NetworkSpec.MaxParameterCount, network.ParameterCount);
        Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("d1", TensorShape.Vector(atLimit + 1)));
    }

    [Fact]
    public void A_conv_layer_with_more_neurons_than_an_array_holds_is_refused()
    {
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("c2000000000k3-d10", Mnist));

        Assert.StartsWith("layer 0 (c2000000000k3): output [2000000000,26,26] holds more than the 2,147,483,591 neurons one layer may hold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_padding_does_not_wrap_around()
    {
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("c1k2147483647p2147483646-d10", Mnist));

        Assert.StartsWith("layer 0 (c1k2147483647p2147483646): output", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_size_past_int_is_named_as_too_large_not_as_not_a_number()
    {
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Parse("d99999999999-d10"));

        Assert.Equal("architecture token 'd99999999999': 99999999999 is larger than 2147483647, the largest size a layer may have", error.Message);
    }

    [Fact]
    public void A_dense_layer_wider_than_a_shape_may_be_is_named()
    {
        var error = Assert.Throws<NetworkSpecException>(() => ArchitectureParser.Build("d2147483647", TensorShape.Vector(1)));

        Assert.StartsWith("layer 0 (d2147483647): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_naming_an_oversized_architecture_is_refused_by_the_reader_with_the_same_limit()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.safetensors");
        ModelFile.Save(RandomModels.Create(3, "d8-d4", "1,6,6"), path);
        var file = SafetensorsTestFile.Load(path);
        file.Metadata["architecture"] = "d400000-d1000";
        file.Metadata["input_shape"] = "784";
        file.Save(path);

        var error = Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(path));

        Assert.Contains("architecture 'd400000-d1000' does not fit input_shape [784]", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than the 536,870,897 parameters a model may hold", error.Message, StringComparison.Ordinal);
    }
}
