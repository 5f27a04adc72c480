namespace AkkaTtfs.Core.Data;

/// <summary>
/// How raw pixel bytes become network inputs: <c>x = (byte * Scale - Mean[c]) / Std[c]</c>, with the
/// per-channel mean/std step skipped when <see cref="Mean"/> is empty. The model file records it, so a
/// model is always fed the way it was trained.
/// </summary>
public sealed record InputNormalisation(float Scale, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>Scale bytes to [0, 1]; the default for MNIST-like data.</summary>
    public static InputNormalisation UnitRange { get; } = new(1f / 255f, [], []);

    public bool HasMeanStd => Mean.Count > 0;

    /// <summary>Checks that the mean/std lists fit a channel count; the message names what is wrong.</summary>
    public void Validate(int channels)
    {
        if (!(Scale > 0) || !float.IsFinite(Scale))
            throw new ArgumentException($"input normalisation: scale must be a finite number > 0, got {Scale}");
        if (Mean.Count != Std.Count)
            throw new ArgumentException($"input normalisation: {Mean.Count} means but {Std.Count} standard deviations");
        if (HasMeanStd && Mean.Count != channels)
            throw new ArgumentException($"input normalisation: {Mean.Count} channel means for data with {channels} channels");
        if (Std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentException("input normalisation: every standard deviation must be a finite number > 0");
        for (var c = 0; c < Mean.Count; c++)
        {
            if (!float.IsFinite(Mean[c]))
                throw new ArgumentException($"input normalisation: mean[{c}] is {Format(Mean[c])}, expected a finite number");
        }

        CheckFiniteInputs();
    }

    /// <summary>
    /// Every pixel value 0..255 must normalise to a finite input: a scale of 3.4e38 or a std of 1e-45 would feed
    /// the network infinities. The formula is monotone in the pixel, so its ends 0 and 255 decide, computed with
    /// the same float operations as <see cref="Apply"/>; the message names the field that overflows and its value.
    /// </summary>
    private void CheckFiniteInputs()
    {
        const int top = byte.MaxValue;
        if (!float.IsFinite(top * Scale))
            throw NotFinite($"scale is {Format(Scale)}", $"pixel value {top} * scale = {Format(top * Scale)}");
        for (var c = 0; c < Mean.Count; c++)
        {
            foreach (var pixel in (ReadOnlySpan<int>)[0, top])
            {
                var centred = pixel * Scale - Mean[c];
                if (!float.IsFinite(centred))
                    throw NotFinite($"mean[{c}] is {Format(Mean[c])}", $"pixel value {pixel} * scale - mean[{c}] = {Format(centred)}");
                var value = centred / Std[c];
                if (!float.IsFinite(value))
                    throw NotFinite($"std[{c}] is {Format(Std[c])}", $"(pixel value {pixel} * scale - mean[{c}]) / std[{c}] = {Format(value)}");
            }
        }
    }

    private static ArgumentException NotFinite(string field, string overflow) =>
        new($"input normalisation: {field}, so {overflow}; every normalised input must be a finite number");

    private static string Format(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Normalise one sample of <paramref name="channels"/> planes ([c][y][x] order) into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<byte> pixels, int channels, Span<float> destination)
    {
        if (channels < 1 || pixels.Length % channels != 0)
            throw new ArgumentException($"{pixels.Length} pixels do not split into {channels} equal channel planes", nameof(channels));
        if (destination.Length != pixels.Length)
            throw new ArgumentException($"destination holds {destination.Length} values for {pixels.Length} pixels", nameof(destination));
        if (HasMeanStd && Mean.Count != channels)
            throw new ArgumentException($"input normalisation: {Mean.Count} channel means for data with {channels} channels", nameof(channels));
        var plane = pixels.Length / channels;
        var scale = Scale;
        for (var c = 0; c < channels; c++)
        {
            var source = pixels.Slice(c * plane, plane);
            var target = destination.Slice(c * plane, plane);
            if (!HasMeanStd)
            {
                for (var i = 0; i < plane; i++)
                    target[i] = source[i] * scale;
                continue;
            }

            // Same float operations, in the same order, as the formula in the summary: (byte * scale - mean) / std.
            var mean = Mean[c];
            var std = Std[c];
            for (var i = 0; i < plane; i++)
                target[i] = (source[i] * scale - mean) / std;
        }
    }

    /// <summary>
    /// Per-channel mean and standard deviation of <paramref name="dataset"/>'s pixels after scaling by
    /// <paramref name="scale"/>, over every sample and pixel (population statistics, divisor N).
    /// </summary>
    /// <remarks>
    /// Computed from a 256-bin histogram per channel: the counts are exact integers and the double sums over
    /// bins run in a fixed order, so the result is the same on every machine and does not depend on sample order.
    /// </remarks>
    public static InputNormalisation FromStatistics(Dataset dataset, float scale = 1f / 255f)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(scale > 0) || !float.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "input normalisation: scale must be a finite number > 0");
        if (dataset.Count == 0)
            throw new ArgumentException($"dataset '{dataset.Name}' is empty; there are no pixels to compute a mean and standard deviation from", nameof(dataset));
        var channels = dataset.SampleShape.Channels;
        var plane = dataset.SampleShape.Height * dataset.SampleShape.Width;
        var histograms = new long[channels, 256];
        for (var n = 0; n < dataset.Count; n++)
        {
            var sample = dataset.Pixels(n);
            for (var c = 0; c < channels; c++)
            {
                foreach (var b in sample.Slice(c * plane, plane))
                    histograms[c, b]++;
            }
        }

        var means = new float[channels];
        var stds = new float[channels];
        var pixelsPerChannel = (double)dataset.Count * plane;
        for (var c = 0; c < channels; c++)
        {
            var sum = 0.0;
            for (var v = 0; v < 256; v++)
                sum += (double)v * histograms[c, v];
            var mean = sum / pixelsPerChannel;
            var squares = 0.0;
            for (var v = 0; v < 256; v++)
                squares += histograms[c, v] * (v - mean) * (v - mean);
            var std = Math.Sqrt(squares / pixelsPerChannel);
            if (!(std > 0))
                throw new ArgumentException($"dataset '{dataset.Name}': channel {c} has the same value ({mean}) in every pixel, so its standard deviation is 0 and mean/std normalisation is undefined", nameof(dataset));
            means[c] = (float)(mean * scale);
            stds[c] = (float)(std * scale);
        }

        return new InputNormalisation(scale, means, stds);
    }

    public bool Equals(InputNormalisation? other) =>
        other is not null && Scale.Equals(other.Scale) && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    public override int GetHashCode() => HashCode.Combine(Scale, Mean.Count, Std.Count);
}
