using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class DatasetTests
{
    /// <summary>Three samples of [2,1,2]: sample n holds bytes 10n+1 .. 10n+4 in [c][y][x] order.</summary>
    private static Dataset Tiny() => new(
        "tiny",
        TensorShape.Image(2, 1, 2),
        [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24],
        [2, 0, 1],
        classCount: 3);

    [Fact]
    public void Exposes_samples_labels_and_shape()
    {
        var d = Tiny();

        Assert.Equal((3, 4, 3), (d.Count, d.SampleSize, d.ClassCount));
        Assert.Equal(new byte[] { 11, 12, 13, 14 }, d.Pixels(1).ToArray());
        Assert.Equal(1, d.Label(2));
        Assert.Equal([1, 1, 1], d.ClassHistogram());
        Assert.Equal("tiny: 3 samples of [2,1,2], 3 classes", d.ToString());
    }

    [Fact]
    public void Index_out_of_range_names_dataset_and_count()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().Pixels(3).Length);
        Assert.Contains("dataset 'tiny' has 3 samples", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().Label(-1));
    }

    [Fact]
    public void Constructor_rejects_a_pixel_array_of_the_wrong_length()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset("d", TensorShape.Image(1, 2, 2), new byte[7], [0, 1], 2));
        Assert.Contains("dataset 'd'", e.Message, StringComparison.Ordinal);
        Assert.Contains("7 bytes, expected 2 samples x [1,2,2] = 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_rejects_a_label_not_below_the_class_count()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset("d", TensorShape.Image(1, 1, 1), new byte[2], [0, 5], 5));
        Assert.Contains("label of sample 1 is 5, expected < class count 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_rejects_vector_shapes_and_bad_class_counts()
    {
        var shape = Assert.Throws<ArgumentException>(() => new Dataset("d", TensorShape.Vector(4), new byte[4], [0], 1));
        Assert.Contains("[C,H,W], got [4]", shape.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset("d", TensorShape.Image(1, 1, 1), [], [], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset("d", TensorShape.Image(1, 1, 1), [], [], 257));
    }

    [Fact]
    public void Subset_copies_the_chosen_samples_in_order_with_repeats()
    {
        var subset = Tiny().Subset([2, 0, 2], "picked");

        Assert.Equal("picked", subset.Name);
        Assert.Equal(3, subset.ClassCount);
        Assert.Equal(new byte[] { 21, 22, 23, 24, 1, 2, 3, 4, 21, 22, 23, 24 }, subset.PixelBytes.ToArray());
        Assert.Equal(new byte[] { 1, 2, 1 }, subset.LabelBytes.ToArray());
        Assert.Equal(0, Tiny().Subset([]).Count);
    }

    [Fact]
    public void Subset_index_out_of_range_names_position_and_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().Subset([0, 3]));
        Assert.Contains("subset index at position 1 is 3, expected 0..2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Take_keeps_the_first_samples()
    {
        var first = Tiny().Take(2);

        Assert.Equal(2, first.Count);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 11, 12, 13, 14 }, first.PixelBytes.ToArray());
        Assert.Equal(0, first.Label(1));
        Assert.Equal(0, Tiny().Take(0).Count);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().Take(4));
        Assert.Contains("cannot take 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_scale_only_matches_hand_values()
    {
        var d = new Dataset("d", TensorShape.Image(1, 1, 3), [0, 51, 255], [0], 1);
        var values = new float[3];

        d.Normalise(0, InputNormalisation.UnitRange, values);

        // 51/255 = 0.2 and 255/255 = 1, to float precision.
        Assert.Equal(0f, values[0]);
        Assert.Equal(0.2f, values[1], 6);
        Assert.Equal(1f, values[2], 6);
    }

    [Fact]
    public void Normalise_with_mean_and_std_applies_each_channel_its_own()
    {
        // Scale 1/4, channel 0: mean 0.5, std 2; channel 1: mean 1, std 0.5 (all exact in binary).
        var n = new InputNormalisation(0.25f, [0.5f, 1f], [2f, 0.5f]);
        var values = new float[4];

        Tiny().Normalise(1, n, values);

        // Sample 1 holds 11, 12 (channel 0) and 13, 14 (channel 1).
        Assert.Equal(new[] { (2.75f - 0.5f) / 2f, (3f - 0.5f) / 2f, (3.25f - 1f) / 0.5f, (3.5f - 1f) / 0.5f }, values);
        Assert.Equal(new[] { 1.125f, 1.25f, 4.5f, 5f }, values);
    }

    [Fact]
    public void NormaliseRange_lays_samples_out_one_after_another()
    {
        var n = new InputNormalisation(1f, [1f, 3f], [1f, 1f]);

        var values = Tiny().NormaliseRange(1, 2, n);

        Assert.Equal(new[] { 10f, 11f, 10f, 11f, 20f, 21f, 20f, 21f }, values);
        Assert.Empty(Tiny().NormaliseRange(3, 0, n));
    }

    [Fact]
    public void Normalise_rejects_wrong_destination_range_and_channel_count()
    {
        var d = Tiny();
        var wrongSize = Assert.Throws<ArgumentException>(() => d.Normalise(0, InputNormalisation.UnitRange, new float[5]));
        Assert.Contains("destination holds 5 floats, expected one sample of [2,1,2] = 4", wrongSize.Message, StringComparison.Ordinal);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => d.NormaliseRange(2, 2, InputNormalisation.UnitRange));
        Assert.Contains("range start 2, count 2 does not fit", range.Message, StringComparison.Ordinal);

        var oneChannel = new InputNormalisation(1f, [0f], [1f]);
        var channels = Assert.Throws<ArgumentException>(() => d.Normalise(0, oneChannel, new float[4]));
        Assert.Contains("1 channel means for data with 2 channels", channels.Message, StringComparison.Ordinal);
    }
}
