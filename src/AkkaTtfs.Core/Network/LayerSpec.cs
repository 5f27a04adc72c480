namespace AkkaTtfs.Core.Network;

/// <summary>One layer of a network description. Weighted layers (dense, conv) are the SNN's layers.</summary>
public abstract record LayerSpec
{
    /// <summary>True for layers with weights and biases (the spiking layers and the output layer).</summary>
    public abstract bool IsWeighted { get; }

    /// <summary>Shape of this layer's output for the given input, or an <see cref="NetworkSpecException"/> naming the mismatch.</summary>
    public abstract TensorShape OutputShape(TensorShape input, int index);

    /// <summary>The token of the architecture string (see <see cref="ArchitectureParser"/>).</summary>
    public abstract string Token { get; }
}

/// <summary>Fully connected layer; a feature-map input is flattened in [c][y][x] order.</summary>
public sealed record DenseSpec(int OutFeatures) : LayerSpec
{
    public override bool IsWeighted => true;

    public override TensorShape OutputShape(TensorShape input, int index)
    {
        if (OutFeatures < 1) throw new NetworkSpecException($"layer {index} ({Token}): out_features must be >= 1");
        return TensorShape.Vector(OutFeatures);
    }

    public override string Token => $"d{OutFeatures}";
}

/// <summary>2-D convolution, square kernel, zero padding on every side.</summary>
public sealed record Conv2dSpec(int OutChannels, int Kernel, int Stride = 1, int Padding = 0) : LayerSpec
{
    public override bool IsWeighted => true;

    public override TensorShape OutputShape(TensorShape input, int index)
    {
        if (OutChannels < 1 || Kernel < 1 || Stride < 1 || Padding < 0)
            throw new NetworkSpecException($"layer {index} ({Token}): out_channels, kernel and stride must be >= 1 and padding >= 0");
        if (input.Rank != 3)
            throw new NetworkSpecException($"layer {index} ({Token}): conv2d needs a [C,H,W] input, got {input}");
        if (Padding >= Kernel)
            throw new NetworkSpecException($"layer {index} ({Token}): padding {Padding} must be smaller than the kernel {Kernel}");
        // In long: a padding near int.MaxValue must not wrap around into a plausible size.
        var paddedHeight = input.Height + (2L * Padding);
        var paddedWidth = input.Width + (2L * Padding);
        if (paddedHeight < Kernel || paddedWidth < Kernel)
            throw new NetworkSpecException($"layer {index} ({Token}): kernel {Kernel} does not fit the input {input} with padding {Padding}");
        var h = ((paddedHeight - Kernel) / Stride) + 1;
        var w = ((paddedWidth - Kernel) / Stride) + 1;
        if (h > TensorShape.MaxSize || w > TensorShape.MaxSize || h * w > TensorShape.MaxSize / OutChannels)
            throw new NetworkSpecException($"layer {index} ({Token}): output [{OutChannels},{h},{w}] holds more than the {TensorShape.MaxSize:N0} neurons one layer may hold");
        return TensorShape.Image(OutChannels, (int)h, (int)w);
    }

    public override string Token =>
        $"c{OutChannels}k{Kernel}" + (Stride != 1 ? $"s{Stride}" : "") + (Padding != 0 ? $"p{Padding}" : "");
}

/// <summary>Max pooling over non-overlapping Size x Size regions (stride = size, remainder rows dropped).</summary>
public sealed record MaxPoolSpec(int Size) : LayerSpec
{
    public override bool IsWeighted => false;

    public override TensorShape OutputShape(TensorShape input, int index)
    {
        if (Size < 1) throw new NetworkSpecException($"layer {index} ({Token}): pool size must be >= 1");
        if (input.Rank != 3)
            throw new NetworkSpecException($"layer {index} ({Token}): max-pool needs a [C,H,W] input, got {input}");
        if (input.Height < Size || input.Width < Size)
            throw new NetworkSpecException($"layer {index} ({Token}): pool size {Size} is larger than the input {input}");
        return TensorShape.Image(input.Channels, input.Height / Size, input.Width / Size);
    }

    public override string Token => $"p{Size}";
}

/// <summary>Flatten [C,H,W] to [C*H*W] in [c][y][x] order; changes no neuron numbering.</summary>
public sealed record FlattenSpec : LayerSpec
{
    public override bool IsWeighted => false;

    public override TensorShape OutputShape(TensorShape input, int index) => input.Flattened();

    public override string Token => "f";
}

/// <summary>A network description that does not fit: the message names the layer and what is wrong.</summary>
public sealed class NetworkSpecException(string message) : Exception(message);
