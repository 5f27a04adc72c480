using AkkaTtfs.Core.Data;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>
/// A dataset split held as one normalised NCHW tensor plus int64 labels, cut into mini-batches; with
/// augmentation, training batches are built in C# with a random shift (and, for CIFAR-like data, horizontal flip) per sample.
/// </summary>
internal sealed class BatchSource : IDisposable
{
    /// <summary>Zero padding on every side before the random crop (the usual CIFAR recipe).</summary>
    public const int AugmentPadding = 4;

    private readonly float[]? _inputs;
    private readonly Tensor _images;
    private readonly Tensor _labels;
    private readonly int _channels;
    private readonly int _height;
    private readonly int _width;

    public BatchSource(Dataset data, InputNormalisation normalisation, bool keepInputsForAugmentation)
    {
        Data = data;
        Count = data.Count;
        _channels = data.SampleShape.Channels;
        _height = data.SampleShape.Height;
        _width = data.SampleShape.Width;
        var inputs = data.NormaliseRange(0, data.Count, normalisation);
        _images = tensor(inputs, [Count, _channels, _height, _width]);
        _labels = tensor(data.LabelBytes.ToArray().Select(b => (long)b).ToArray());
        LabelBytes = data.LabelBytes.ToArray();
        if (keepInputsForAugmentation) _inputs = inputs;
    }

    public Dataset Data { get; }

    public int Count { get; }

    public byte[] LabelBytes { get; }

    /// <summary>Images of the given samples, [n, C, H, W].</summary>
    public Tensor Images(long[] indices)
    {
        using var index = tensor(indices);
        return _images.index_select(0, index);
    }

    /// <summary>Labels of the given samples, int64 [n].</summary>
    public Tensor Labels(long[] indices)
    {
        using var index = tensor(indices);
        return _labels.index_select(0, index);
    }

    /// <summary>Images of a contiguous range, [n, C, H, W] (a view).</summary>
    public Tensor Range(int start, int count) => _images.narrow(0, start, count);

    /// <summary>
    /// Images of the given samples, each shifted by a random whole number of pixels in [-<paramref name="maxShift"/>, <paramref name="maxShift"/>]
    /// along each axis (zero fill; with <paramref name="flip"/>, flipped horizontally with probability 1/2 as well). Pad-4 and flip is the CIFAR
    /// recipe (<see cref="AugmentPadding"/>); shifts alone suit digits.
    /// </summary>
    public Tensor AugmentedImages(long[] indices, SplitMix64 random, int maxShift = AugmentPadding, bool flip = true)
    {
        var inputs = _inputs ?? throw new InvalidOperationException("this batch source keeps no inputs for augmentation");
        var plane = _height * _width;
        var size = _channels * plane;
        var batch = new float[indices.Length * size];
        for (var k = 0; k < indices.Length; k++)
        {
            var dy = random.NextInt((2 * maxShift) + 1) - maxShift;
            var dx = random.NextInt((2 * maxShift) + 1) - maxShift;
            var mirror = flip && random.NextInt(2) == 1;
            var source = inputs.AsSpan((int)(indices[k] * size), size);
            var target = batch.AsSpan(k * size, size);
            for (var c = 0; c < _channels; c++)
            {
                for (var y = 0; y < _height; y++)
                {
                    var sy = y + dy;
                    if (sy < 0 || sy >= _height) continue;
                    for (var x = 0; x < _width; x++)
                    {
                        var sx = (mirror ? _width - 1 - x : x) + dx;
                        if (sx < 0 || sx >= _width) continue;
                        target[(c * plane) + (y * _width) + x] = source[(c * plane) + (sy * _width) + sx];
                    }
                }
            }
        }

        return tensor(batch, [indices.Length, _channels, _height, _width]);
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }
}
