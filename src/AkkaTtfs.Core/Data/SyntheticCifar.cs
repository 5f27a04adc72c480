namespace AkkaTtfs.Core.Data;

/// <summary>
/// A seeded, generated stand-in for CIFAR-10 that needs no download: 32x32 RGB images in 10 classes, made
/// in memory (never written to the repository). Each class has its own colour and an oriented sine grating
/// of its own orientation and frequency; each sample draws a phase, an amplitude, a colour jitter and
/// per-pixel noise. It has CIFAR-10's shape and class count, so CIFAR networks (vgg16) run on it and a
/// classifier can learn it; it is not natural images, and accuracies on it say nothing about CIFAR-10.
/// </summary>
public static class SyntheticCifar
{
    /// <summary>The dataset name <see cref="DatasetCatalog"/> resolves to this generator.</summary>
    public const string Name = "synthetic-cifar";

    /// <summary>Training samples of the named dataset (a tenth of CIFAR-10's).</summary>
    public const int DefaultTrainCount = 5000;

    /// <summary>Test samples of the named dataset.</summary>
    public const int DefaultTestCount = 1000;

    /// <summary>The named dataset's seed: the same images on every machine.</summary>
    public const ulong DefaultSeed = 1;

    /// <summary>Number of classes, as CIFAR-10.</summary>
    public const int ClassCount = Cifar10Reader.ClassCount;

    private const int Side = 32;
    private const int Channels = 3;

    /// <summary>
    /// Generates the train and test sets. Labels cycle through the classes (balanced) and are then shuffled;
    /// the test set continues the same random stream, so no test image repeats a training image.
    /// </summary>
    public static DatasetPair Create(int trainCount = DefaultTrainCount, int testCount = DefaultTestCount, ulong seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(testCount, 1);
        var rng = new SplitMix64(seed);
        var classes = Enumerable.Range(0, ClassCount).Select(c => ClassPattern.Draw(c, rng)).ToArray();
        var train = Generate($"{Name}:train", trainCount, classes, rng);
        var test = Generate($"{Name}:test", testCount, classes, rng);
        return new DatasetPair(train, test) { Source = $"generated in memory ({Name}, seed {seed})" };
    }

    private static Dataset Generate(string name, int count, ClassPattern[] classes, SplitMix64 rng)
    {
        var labels = new byte[count];
        for (var i = 0; i < count; i++) labels[i] = (byte)(i % ClassCount);
        rng.Shuffle(labels.AsSpan());
        var pixels = new byte[(long)count * Cifar10Reader.ImageLength];
        for (var i = 0; i < count; i++)
            classes[labels[i]].Render(rng, pixels.AsSpan(i * Cifar10Reader.ImageLength, Cifar10Reader.ImageLength));
        return new Dataset(name, Cifar10Reader.SampleShape, pixels, labels, ClassCount);
    }

    /// <summary>One class: a base colour, a grating direction and frequency, and how the grating tints each channel.</summary>
    private sealed record ClassPattern(double[] Colour, double CosTheta, double SinTheta, double Frequency, double[] Tint)
    {
        public static ClassPattern Draw(int classIndex, SplitMix64 rng)
        {
            var colour = new double[Channels];
            var tint = new double[Channels];
            for (var c = 0; c < Channels; c++)
            {
                colour[c] = 0.25 + (0.5 * rng.NextDouble());
                tint[c] = 0.4 + (0.6 * rng.NextDouble());
            }

            // Orientations a tenth of a half-turn apart and three frequencies: no two classes share both.
            var theta = Math.PI * classIndex / ClassCount;
            var frequency = 2.0 + (1.5 * (classIndex % 3));
            return new ClassPattern(colour, Math.Cos(theta), Math.Sin(theta), frequency, tint);
        }

        public void Render(SplitMix64 rng, Span<byte> image)
        {
            var phase = 2 * Math.PI * rng.NextDouble();
            var amplitude = 0.15 + (0.15 * rng.NextDouble());
            Span<double> jitter = stackalloc double[Channels];
            for (var c = 0; c < Channels; c++) jitter[c] = 0.2 * (rng.NextDouble() - 0.5);
            for (var y = 0; y < Side; y++)
            {
                for (var x = 0; x < Side; x++)
                {
                    var wave = Math.Sin((2 * Math.PI * Frequency * ((x * CosTheta) + (y * SinTheta)) / Side) + phase);
                    for (var c = 0; c < Channels; c++)
                    {
                        var noise = 0.16 * (rng.NextDouble() - 0.5);
                        var value = Colour[c] + jitter[c] + (amplitude * Tint[c] * wave) + noise;
                        image[(((c * Side) + y) * Side) + x] = (byte)Math.Round(255 * Math.Clamp(value, 0, 1));
                    }
                }
            }
        }
    }
}
