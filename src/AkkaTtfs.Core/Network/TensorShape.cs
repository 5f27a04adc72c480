namespace AkkaTtfs.Core.Network;

/// <summary>
/// Shape of a layer's neurons: a vector [N] (rank 1) or a feature map [C, H, W] (rank 3).
/// Neurons are numbered in [c][y][x] row-major order (the flatten order of the whole project).
/// </summary>
public readonly record struct TensorShape
{
    private TensorShape(int rank, int channels, int height, int width)
    {
        Rank = rank;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public int Rank { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>
    /// Most neurons one shape may hold: the values of a layer must fit one array (<see cref="Array.MaxLength"/>),
    /// and neuron indices are <see cref="int"/>s.
    /// </summary>
    public const int MaxSize = 0x7FFFFFC7;

    /// <summary>Number of neurons.</summary>
    public int Size => Channels * Height * Width;

    public static TensorShape Vector(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "a vector needs at least one element");
        if (n > MaxSize) throw new ArgumentException($"[{n}] holds more than the {MaxSize:N0} neurons one shape may hold");
        return new TensorShape(1, n, 1, 1);
    }

    public static TensorShape Image(int channels, int height, int width)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"[{channels},{height},{width}] is not a valid feature-map shape");
        var size = (long)channels * height * width;
        if (size > MaxSize)
            throw new ArgumentException($"[{channels},{height},{width}] holds {size:N0} neurons, more than the {MaxSize:N0} one shape may hold");
        return new TensorShape(3, channels, height, width);
    }

    /// <summary>Shape from dimensions as written in files: [N] or [C, H, W].</summary>
    public static TensorShape FromDims(IReadOnlyList<int> dims) => dims.Count switch
    {
        1 => Vector(dims[0]),
        3 => Image(dims[0], dims[1], dims[2]),
        _ => throw new ArgumentException($"a shape has 1 or 3 dimensions, got [{string.Join(",", dims)}]", nameof(dims)),
    };

    /// <summary>Channels for per-channel input normalisation: a vector input is one channel.</summary>
    public int NormalisationChannels => Rank == 3 ? Channels : 1;

    public int[] ToDims() => Rank == 1 ? [Channels] : [Channels, Height, Width];

    public TensorShape Flattened() => Vector(Size);

    public override string ToString() => Rank == 1 ? $"[{Channels}]" : $"[{Channels},{Height},{Width}]";
}
