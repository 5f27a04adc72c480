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
    }

    /// <summary>Normalise one sample of <paramref name="channels"/> planes ([c][y][x] order) into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<byte> pixels, int channels, Span<float> destination)
    {
        if (destination.Length != pixels.Length)
            throw new ArgumentException($"destination holds {destination.Length} values for {pixels.Length} pixels");
        var plane = pixels.Length / channels;
        for (var i = 0; i < pixels.Length; i++)
        {
            var x = pixels[i] * Scale;
            if (HasMeanStd)
            {
                var c = i / plane;
                x = (x - Mean[c]) / Std[c];
            }

            destination[i] = x;
        }
    }

    public bool Equals(InputNormalisation? other) =>
        other is not null && Scale.Equals(other.Scale) && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    public override int GetHashCode() => HashCode.Combine(Scale, Mean.Count, Std.Count);
}
