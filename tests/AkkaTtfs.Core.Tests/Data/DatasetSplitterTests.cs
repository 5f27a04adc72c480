using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class DatasetSplitterTests
{
    /// <summary>Samples whose two pixel bytes spell their own index, so every split part can be traced back.</summary>
    private static Dataset Numbered(List<byte> labels, int classCount)
    {
        var pixels = new byte[labels.Count * 2];
        for (var i = 0; i < labels.Count; i++)
        {
            pixels[2 * i] = (byte)(i & 0xff);
            pixels[(2 * i) + 1] = (byte)(i >> 8);
        }

        return new Dataset("numbered", TensorShape.Image(1, 1, 2), pixels, [.. labels], classCount);
    }

    private static int[] OriginalIndices(Dataset part) =>
        [.. Enumerable.Range(0, part.Count).Select(k => part.Pixels(k)[0] | (part.Pixels(k)[1] << 8))];

    /// <summary>Class sizes 10, 7 and 3, interleaved.</summary>
    private static Dataset ThreeClasses()
    {
        var labels = Enumerable.Repeat((byte)0, 10).Concat(Enumerable.Repeat((byte)1, 7)).Concat(Enumerable.Repeat((byte)2, 3)).ToList();
        // Interleave deterministically so the classes are not in blocks.
        var interleaved = labels.Select((l, i) => (l, key: (i * 7) % 20)).OrderBy(p => p.key).Select(p => p.l).ToList();
        return Numbered(interleaved, 3);
    }

    [Fact]
    public void Each_class_gives_its_share_with_largest_remainders_rounding()
    {
        // f = 0.25 of 20 = 5 held out. Exact shares 2.5, 1.75, 0.75 -> floors 2, 1, 0 (3), and the two
        // left over go to the largest remainders, classes 1 and 2 (0.75 each): 2, 2, 1.
        var (train, validation) = DatasetSplitter.Split(ThreeClasses(), 0.25, seed: 1);

        Assert.Equal([2, 2, 1], validation.ClassHistogram());
        Assert.Equal([8, 5, 2], train.ClassHistogram());
    }

    [Fact]
    public void Stratified_on_a_large_dataset_every_class_within_one_of_its_share()
    {
        var labels = Enumerable.Range(0, 5000).Select(i => (byte)((i * i + (i / 3)) % 10)).ToList();
        var d = Numbered(labels, 10);

        var (_, validation) = DatasetSplitter.Split(d, 0.1, seed: 20261127);

        Assert.Equal(500, validation.Count);
        var all = d.ClassHistogram();
        var held = validation.ClassHistogram();
        for (var c = 0; c < 10; c++)
            Assert.InRange(held[c] - (0.1 * all[c]), -1.0, 1.0);
    }

    [Fact]
    public void Parts_are_disjoint_cover_the_dataset_and_keep_the_original_order()
    {
        var d = ThreeClasses();

        var (train, validation) = DatasetSplitter.Split(d, 0.3, seed: 5);

        var t = OriginalIndices(train);
        var v = OriginalIndices(validation);
        Assert.Empty(t.Intersect(v));
        Assert.Equal(Enumerable.Range(0, d.Count), t.Concat(v).Order());
        Assert.Equal(t.Order(), t);
        Assert.Equal(v.Order(), v);
        Assert.All(Enumerable.Range(0, train.Count), k => Assert.Equal(d.Label(t[k]), train.Label(k)));
        Assert.All(Enumerable.Range(0, validation.Count), k => Assert.Equal(d.Label(v[k]), validation.Label(k)));
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        var labels = Enumerable.Range(0, 300).Select(i => (byte)(i % 4)).ToList();
        var d = Numbered(labels, 4);

        var first = OriginalIndices(DatasetSplitter.Split(d, 0.2, seed: 123).Validation);
        var again = OriginalIndices(DatasetSplitter.Split(d, 0.2, seed: 123).Validation);
        var other = OriginalIndices(DatasetSplitter.Split(d, 0.2, seed: 124).Validation);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(first.Length, other.Length);
    }

    [Fact]
    public void The_split_for_a_seed_matches_an_independent_implementation_of_the_documented_algorithm()
    {
        // Computed by a separate Python script following the Split summary (SplitMix64 from the seed,
        // Fisher-Yates per class in label order with j = high 64 bits of next() * (i + 1), largest-remainder
        // quotas). The same seed must keep giving this set on every machine and .NET version.
        var validation = DatasetSplitter.Split(ThreeClasses(), 0.25, seed: 1).Validation;

        Assert.Equal([0, 4, 16, 18, 19], OriginalIndices(validation));
    }

    [Fact]
    public void Fraction_zero_keeps_everything_for_training()
    {
        var d = ThreeClasses();
        var (train, validation) = DatasetSplitter.Split(d, 0, seed: 9);

        Assert.Equal(0, validation.Count);
        Assert.Equal(d.PixelBytes.ToArray(), train.PixelBytes.ToArray());
        Assert.Equal(3, validation.ClassCount);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Fraction_outside_0_to_1_is_refused_with_its_value(double fraction)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplitter.Split(ThreeClasses(), fraction, seed: 1));
        Assert.Contains("validation fraction must be in [0, 1)", e.Message, StringComparison.Ordinal);
        Assert.Equal(fraction, e.ActualValue);
    }
}
