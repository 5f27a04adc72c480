using System.Globalization;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>Random models whose every float is an arbitrary finite bit pattern, so a lossy path cannot hide.</summary>
internal static class RandomModels
{
    /// <summary>Values a decimal round trip or an endianness slip would break first.</summary>
    private static readonly float[] AwkwardValues =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-40f, 0.1f, 1f / 3f,
        BitConverter.UInt32BitsToSingle(0x3f800001), BitConverter.UInt32BitsToSingle(0x007fffff),
    ];

    public static SnnModel Create(
        int seed,
        string architecture,
        string inputShape,
        InputMode inputMode = InputMode.Analog,
        bool meanStd = false,
        bool provenance = true,
        int? t = null)
    {
        var rng = new Random(seed);
        var network = ArchitectureParser.Build(architecture, ParseShape(inputShape));
        var window = t ?? rng.Next(1, TemporalKernel.MaxWindow + 1);
        var layers = network.Stages
            .Select(s => new LayerParameters(Floats(rng, s.WeightCount), Floats(rng, s.BiasCount), s.IsOutput ? null : Kernel(rng, window)))
            .ToArray();
        var channels = network.Input.Channels == network.Input.Size ? 1 : network.Input.Channels;
        var normalisation = Normalisation(rng, meanStd, channels);
        var inputKernel = inputMode == InputMode.Ttfs ? Kernel(rng, window) : null;
        return new SnnModel(network, window, layers, normalisation, inputMode, inputKernel, provenance ? Provenance(seed) : null);
    }

    public static TensorShape ParseShape(string dims) =>
        TensorShape.FromDims(dims.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray());

    /// <summary>Provenance with text that stresses JSON escaping and UTF-8 (quotes, newlines, non-BMP characters).</summary>
    public static Dictionary<string, string> Provenance(int seed) => new(StringComparer.Ordinal)
    {
        ["dataset"] = "mnist-10k",
        ["preset"] = "SR+TR+TB",
        ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        ["dnn_accuracy"] = "0.9825",
        ["note"] = "quote \" backslash \\ newline \n tab \t <html> & 'single'",
        ["unicode ключ"] = "значение \u00e9\u00df",
        ["emoji \U0001F600"] = "\U0001F9E0 brain",
        ["\uFB01 ligature"] = "sorts after the emoji in UTF-16 but before it in UTF-8",
        ["empty"] = "",
    };

    public static float AnyFinite(Random rng)
    {
        switch (rng.Next(4))
        {
            case 0:
                return AwkwardValues[rng.Next(AwkwardValues.Length)];
            case 1:
                return (float)((rng.NextDouble() * 2) - 1);
            default:
                float value;
                do
                {
                    value = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
                }
                while (!float.IsFinite(value));
                return value;
        }
    }

    private static float[] Floats(Random rng, int count) => Enumerable.Range(0, count).Select(_ => AnyFinite(rng)).ToArray();

    private static float Positive(Random rng)
    {
        float value;
        do
        {
            value = Math.Abs(AnyFinite(rng));
        }
        while (!(value > 0));
        return value;
    }

    /// <summary>
    /// Arbitrary bit patterns again, but only a normalisation that maps every pixel value to a finite input is a
    /// model's (SnnModel refuses the others): candidates are drawn until one passes.
    /// </summary>
    private static InputNormalisation Normalisation(Random rng, bool meanStd, int channels)
    {
        while (true)
        {
            var candidate = meanStd
                ? new InputNormalisation(Positive(rng), Floats(rng, channels), Enumerable.Range(0, channels).Select(_ => Positive(rng)).ToArray())
                : new InputNormalisation(Positive(rng), [], []);
            try
            {
                candidate.Validate(channels);
                return candidate;
            }
            catch (ArgumentException)
            {
                // Overflows to infinity for some pixel value: draw again.
            }
        }
    }

    private static TemporalKernel Kernel(Random rng, int t) => new(Positive(rng), AnyFinite(rng), t);
}

/// <summary>Bit-exact comparison of two models: every float by its bits, every string by ordinal equality.</summary>
internal static class ModelAssert
{
    public static void BitIdentical(SnnModel expected, SnnModel actual)
    {
        Assert.Equal(expected.Network.Architecture, actual.Network.Architecture);
        Assert.Equal(expected.Network.Input, actual.Network.Input);
        Assert.Equal(expected.T, actual.T);
        Assert.Equal(expected.InputMode, actual.InputMode);
        KernelBits(expected.InputKernel, actual.InputKernel, "input kernel");
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (var i = 0; i < expected.Layers.Count; i++)
        {
            Assert.Equal(Bits(expected.Layers[i].Weights), Bits(actual.Layers[i].Weights));
            Assert.Equal(Bits(expected.Layers[i].Bias), Bits(actual.Layers[i].Bias));
            KernelBits(expected.Layers[i].Kernel, actual.Layers[i].Kernel, $"layer {i}");
        }

        Assert.Equal(Bits([expected.Normalisation.Scale]), Bits([actual.Normalisation.Scale]));
        Assert.Equal(Bits(expected.Normalisation.Mean), Bits(actual.Normalisation.Mean));
        Assert.Equal(Bits(expected.Normalisation.Std), Bits(actual.Normalisation.Std));
        Assert.Equal(expected.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    public static uint[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    private static void KernelBits(TemporalKernel? expected, TemporalKernel? actual, string what)
    {
        Assert.True((expected is null) == (actual is null), $"{what}: one model has a kernel, the other not");
        if (expected is null || actual is null) return;
        Assert.Equal(BitConverter.SingleToUInt32Bits(expected.Tau), BitConverter.SingleToUInt32Bits(actual.Tau));
        Assert.Equal(BitConverter.SingleToUInt32Bits(expected.Td), BitConverter.SingleToUInt32Bits(actual.Td));
        Assert.Equal(expected.T, actual.T);
        Assert.Equal(Bits(expected.DecodeTable.ToArray()), Bits(actual.DecodeTable.ToArray()));
    }
}

/// <summary>A fresh folder under the system temp folder, deleted with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("akkattfs-model-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the test over it would hide the real result.
        }
    }
}
