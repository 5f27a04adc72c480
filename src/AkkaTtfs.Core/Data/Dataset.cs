using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Data;

/// <summary>
/// Labelled images held in memory: pixel bytes laid out [n][c][y][x] (the project's flatten order) and
/// one class label per sample. Immutable from the outside; subsets copy.
/// </summary>
public sealed class Dataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    /// <summary>
    /// Wraps <paramref name="pixels"/> and <paramref name="labels"/> WITHOUT copying them (datasets run to
    /// tens of megabytes), so the caller must not change the arrays afterwards.
    /// </summary>
    public Dataset(string name, TensorShape sampleShape, byte[] pixels, byte[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (sampleShape.Rank != 3)
            throw new ArgumentException($"dataset '{name}': sample shape must be an image [C,H,W], got {sampleShape}", nameof(sampleShape));
        if (classCount < 1 || classCount > 256)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"dataset '{name}': class count must be in [1, 256] (labels are bytes)");
        var expectedPixels = (long)labels.Length * sampleShape.Size;
        if (pixels.Length != expectedPixels)
            throw new ArgumentException(
                $"dataset '{name}': pixel array holds {pixels.Length} bytes, expected {labels.Length} samples x {sampleShape} = {expectedPixels}",
                nameof(pixels));
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
                throw new ArgumentException($"dataset '{name}': label of sample {i} is {labels[i]}, expected < class count {classCount}", nameof(labels));
        }

        Name = name;
        SampleShape = sampleShape;
        ClassCount = classCount;
        _pixels = pixels;
        _labels = labels;
    }

    /// <summary>Human-readable name, used in messages and reports (e.g. "mnist-10k:train").</summary>
    public string Name { get; }

    /// <summary>Shape of one sample, [C,H,W].</summary>
    public TensorShape SampleShape { get; }

    /// <summary>Bytes (= input neurons) per sample, C*H*W.</summary>
    public int SampleSize => SampleShape.Size;

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>Number of classes; every label is below it.</summary>
    public int ClassCount { get; }

    /// <summary>All pixel bytes, [n][c][y][x].</summary>
    public ReadOnlyMemory<byte> PixelBytes => _pixels;

    /// <summary>All labels, one byte per sample.</summary>
    public ReadOnlyMemory<byte> LabelBytes => _labels;

    /// <summary>Pixel bytes of sample <paramref name="index"/>, [c][y][x].</summary>
    public ReadOnlySpan<byte> Pixels(int index)
    {
        CheckIndex(index, nameof(index));
        return _pixels.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>Class label of sample <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        CheckIndex(index, nameof(index));
        return _labels[index];
    }

    /// <summary>Number of samples of each class, indexed by label.</summary>
    public int[] ClassHistogram()
    {
        var counts = new int[ClassCount];
        foreach (var label in _labels)
            counts[label]++;
        return counts;
    }

    /// <summary>A new dataset holding copies of the samples at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    public Dataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var size = SampleSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new byte[indices.Count];
        for (var k = 0; k < indices.Count; k++)
        {
            var i = indices[k];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"dataset '{Name}': subset index at position {k} is {i}, expected 0..{Count - 1}");
            Array.Copy(_pixels, (long)i * size, pixels, (long)k * size, size);
            labels[k] = _labels[i];
        }

        return new Dataset(name ?? $"{Name}[subset of {indices.Count}]", SampleShape, pixels, labels, ClassCount);
    }

    /// <summary>The first <paramref name="count"/> samples (a copy).</summary>
    public Dataset Take(int count)
    {
        if (count < 0 || count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"dataset '{Name}' has {Count} samples; cannot take {count}");
        var pixels = _pixels.AsSpan(0, count * SampleSize).ToArray();
        var labels = _labels.AsSpan(0, count).ToArray();
        return new Dataset($"{Name}[:{count}]", SampleShape, pixels, labels, ClassCount);
    }

    /// <summary>Writes sample <paramref name="index"/>, normalised, into <paramref name="destination"/> (length C*H*W).</summary>
    public void Normalise(int index, InputNormalisation normalisation, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(normalisation);
        normalisation.Validate(SampleShape.Channels);
        if (destination.Length != SampleSize)
            throw new ArgumentException($"dataset '{Name}': destination holds {destination.Length} floats, expected one sample of {SampleShape} = {SampleSize}", nameof(destination));
        normalisation.Apply(Pixels(index), SampleShape.Channels, destination);
    }

    /// <summary>Samples start..start+count-1, normalised, as one array [count][C*H*W].</summary>
    public float[] NormaliseRange(int start, int count, InputNormalisation normalisation)
    {
        ArgumentNullException.ThrowIfNull(normalisation);
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"dataset '{Name}' has {Count} samples; range start {start}, count {count} does not fit");
        normalisation.Validate(SampleShape.Channels);
        var size = SampleSize;
        var result = new float[(long)count * size];
        for (var k = 0; k < count; k++)
            normalisation.Apply(_pixels.AsSpan((start + k) * size, size), SampleShape.Channels, result.AsSpan(k * size, size));
        return result;
    }

    public override string ToString() => $"{Name}: {Count} samples of {SampleShape}, {ClassCount} classes";

    private void CheckIndex(int index, string parameter)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(parameter, index, $"dataset '{Name}' has {Count} samples; index must be 0..{Count - 1}");
    }
}
