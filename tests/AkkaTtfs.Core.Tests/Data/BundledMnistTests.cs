using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

/// <summary>Loads the bundled subset once, the way a program started from this test's bin folder finds it.</summary>
public sealed class BundledMnistFixture
{
    public BundledMnistFixture()
    {
        var searchFromBinFolder = new DatasetSearchPaths(null, [AppContext.BaseDirectory], DatasetCatalog.FashionMnistSystemFolder);
        Pair = DatasetCatalog.Load(DatasetCatalog.DefaultName, searchFromBinFolder);
    }

    public DatasetPair Pair { get; }
}

public sealed partial class BundledMnistTests(BundledMnistFixture fixture) : IClassFixture<BundledMnistFixture>
{
    private Dataset Train => fixture.Pair.Train;

    private Dataset Test => fixture.Pair.Test;

    [Fact]
    public void Loads_8000_train_and_2000_test_digits_of_1x28x28_in_10_classes()
    {
        Assert.Equal(Path.GetFullPath(RepoPaths.BundledMnist), fixture.Pair.Source);
        Assert.Equal(8000, Train.Count);
        Assert.Equal(2000, Test.Count);
        Assert.Equal(TensorShape.Image(1, 28, 28), Train.SampleShape);
        Assert.Equal(TensorShape.Image(1, 28, 28), Test.SampleShape);
        Assert.Equal(10, Train.ClassCount);
        Assert.Equal(10, Test.ClassCount);
        Assert.Equal("mnist-10k:train", Train.Name);
    }

    [Fact]
    public void Every_class_is_present_and_the_histograms_sum_to_the_counts()
    {
        var train = Train.ClassHistogram();
        var test = Test.ClassHistogram();

        Assert.All(train, n => Assert.True(n > 0));
        Assert.All(test, n => Assert.True(n > 0));
        Assert.Equal(Train.Count, train.Sum());
        Assert.Equal(Test.Count, test.Sum());
        // Counted independently with Python's gzip module over the same files.
        Assert.Equal([801, 902, 793, 826, 784, 690, 811, 856, 755, 782], train);
        Assert.Equal([200, 225, 198, 206, 196, 173, 203, 214, 189, 196], test);
    }

    [Fact]
    public void The_split_is_stratified_80_20_per_class_as_the_readme_says()
    {
        var train = Train.ClassHistogram();
        var test = Test.ClassHistogram();
        for (var c = 0; c < 10; c++)
            Assert.InRange(test[c] - (0.2 * (train[c] + test[c])), -1.0, 1.0);
    }

    [Fact]
    public void First_labels_match_an_independent_reader()
    {
        // Python: gzip.open('train-labels-idx1-ubyte.gz').read()[8:18] and the same for t10k.
        Assert.Equal([0, 7, 8, 6, 4, 8, 4, 9, 8, 6], Enumerable.Range(0, 10).Select(Train.Label));
        Assert.Equal([0, 7, 7, 9, 2, 1, 1, 6, 5, 0], Enumerable.Range(0, 10).Select(Test.Label));
    }

    [Fact]
    public void Pixel_values_span_0_to_255()
    {
        var pixels = Train.PixelBytes.Span;
        var min = pixels[0];
        var max = pixels[0];
        foreach (var p in pixels)
        {
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }

        Assert.Equal((0, 255), (min, max));
        // Digits are drawn on a black background: most pixels are 0, yet each digit has some ink.
        Assert.All(Enumerable.Range(0, 100), i => Assert.Contains(Train.Pixels(i).ToArray(), p => p > 128));
    }

    [Fact]
    public void Unit_range_normalisation_of_a_real_digit_lies_in_0_to_1()
    {
        var values = new float[784];
        Train.Normalise(0, InputNormalisation.UnitRange, values);

        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(Train.Pixels(0).ToArray().Count(p => p == 255), values.Count(v => v == 1f));
    }

    [Fact]
    public void Statistics_match_an_independent_computation_and_are_close_to_full_mnist()
    {
        var statistics = InputNormalisation.FromStatistics(Train);

        // Python, in float64 over the train file: mean 0.13095555784813925, std 0.3085228717608847.
        Assert.Equal(0.13095555784813925, statistics.Mean[0], 6);
        Assert.Equal(0.3085228717608847, statistics.Std[0], 6);
        // The figures usually quoted for all 60,000 MNIST training digits: 0.1307, 0.3081.
        Assert.InRange(statistics.Mean[0], 0.125, 0.136);
        Assert.InRange(statistics.Std[0], 0.303, 0.313);
    }

    [Fact]
    public void Bundled_files_match_the_sha256_listed_in_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.BundledMnist, "README.md"));
        var listed = ChecksumLine().Matches(readme).ToDictionary(m => m.Groups["file"].Value, m => m.Groups["hash"].Value);

        Assert.Equal(
            ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"],
            listed.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, hash) in listed)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(RepoPaths.BundledMnist, file))));
            Assert.True(actual == hash, $"{file}: sha256 {actual}, README lists {hash}");
        }
    }

    [GeneratedRegex(@"^(?<hash>[0-9a-f]{64})\s+(?<file>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ChecksumLine();
}
