using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class SyntheticCifarTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Has_cifar_shape_ten_balanced_classes_and_the_documented_counts()
    {
        var pair = DatasetCatalog.Load(SyntheticCifar.Name, new DatasetSearchPaths(null, [_temp.Path], _temp.Path));
        Assert.Equal(TensorShape.Image(3, 32, 32), pair.Train.SampleShape);
        Assert.Equal(10, pair.Train.ClassCount);
        Assert.Equal(5000, pair.Train.Count);
        Assert.Equal(1000, pair.Test.Count);
        Assert.All(pair.Train.ClassHistogram(), n => Assert.Equal(500, n));
        Assert.All(pair.Test.ClassHistogram(), n => Assert.Equal(100, n));
        Assert.Equal("synthetic-cifar:train", pair.Train.Name);
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_other_bytes()
    {
        var a = SyntheticCifar.Create(40, 20, seed: 7);
        var b = SyntheticCifar.Create(40, 20, seed: 7);
        var c = SyntheticCifar.Create(40, 20, seed: 8);
        Assert.True(a.Train.PixelBytes.Span.SequenceEqual(b.Train.PixelBytes.Span));
        Assert.True(a.Test.LabelBytes.Span.SequenceEqual(b.Test.LabelBytes.Span));
        Assert.False(a.Train.PixelBytes.Span.SequenceEqual(c.Train.PixelBytes.Span));
    }

    [Fact]
    public void Images_use_the_pixel_range_and_no_test_image_repeats_a_training_image()
    {
        var pair = SyntheticCifar.Create(200, 100);
        var pixels = pair.Train.PixelBytes.Span;
        var min = byte.MaxValue;
        var max = byte.MinValue;
        foreach (var p in pixels)
        {
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }

        Assert.True(min < 40 && max > 215, $"pixel range {min}..{max}");
        var train = Enumerable.Range(0, pair.Train.Count).Select(i => Convert.ToBase64String(pair.Train.Pixels(i))).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, pair.Test.Count), i => train.Contains(Convert.ToBase64String(pair.Test.Pixels(i))));
    }

    /// <summary>
    /// The classes are learnable (else training tests on it would prove nothing): the nearest class mean of the
    /// training images, written here, labels most test images; chance is 10%.
    /// </summary>
    [Fact]
    public void A_nearest_class_mean_classifier_beats_chance_by_far()
    {
        var pair = SyntheticCifar.Create(1000, 300);
        var size = pair.Train.SampleSize;
        var means = new double[10, size];
        var counts = pair.Train.ClassHistogram();
        for (var i = 0; i < pair.Train.Count; i++)
        {
            var image = pair.Train.Pixels(i);
            var label = pair.Train.Label(i);
            for (var p = 0; p < size; p++) means[label, p] += image[p] / (double)counts[label];
        }

        var correct = 0;
        for (var i = 0; i < pair.Test.Count; i++)
        {
            var image = pair.Test.Pixels(i);
            var best = -1;
            var bestDistance = double.MaxValue;
            for (var c = 0; c < 10; c++)
            {
                double distance = 0;
                for (var p = 0; p < size; p++) distance += Math.Pow(image[p] - means[c, p], 2);
                if (distance < bestDistance) (best, bestDistance) = (c, distance);
            }

            if (best == pair.Test.Label(i)) correct++;
        }

        Assert.True(correct > pair.Test.Count / 2, $"{correct} of {pair.Test.Count} test images nearest to their class mean");
    }
}
