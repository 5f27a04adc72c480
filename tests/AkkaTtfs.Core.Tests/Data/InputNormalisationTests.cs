using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class InputNormalisationTests
{
    [Fact]
    public void Statistics_of_a_one_channel_dataset_equal_the_closed_form()
    {
        // Two samples of [1,1,2]: bytes 0, 255, 255, 255, i.e. 0, 1, 1, 1 after scaling by 1/255.
        // Mean 3/4; population variance 1/4 (0 - 3/4)^2 + 3/4 (1 - 3/4)^2 = 3/16; std sqrt(3)/4.
        var d = new Dataset("d", TensorShape.Image(1, 1, 2), [0, 255, 255, 255], [0, 0], 1);

        var n = InputNormalisation.FromStatistics(d);

        Assert.Equal(1f / 255f, n.Scale);
        // Float rounding of the scale 1/255 and of the result: within a few float ulps.
        Assert.Equal(0.75, n.Mean[0], 2e-7);
        Assert.Equal(Math.Sqrt(3) / 4, n.Std[0], 2e-7);
    }

    [Fact]
    public void Statistics_are_per_channel()
    {
        // Two samples of [2,1,2]. Channel 0 holds 2, 4, 6, 8: mean 5, variance (9 + 1 + 1 + 9) / 4 = 5.
        // Channel 1 holds 10, 10, 30, 30: mean 20, variance 100, std 10. With scale 1/2 everything halves.
        var d = new Dataset("d", TensorShape.Image(2, 1, 2), [2, 4, 10, 10, 6, 8, 30, 30], [0, 1], 2);

        var n = InputNormalisation.FromStatistics(d, scale: 0.5f);

        Assert.Equal(0.5f, n.Scale);
        Assert.Equal(new[] { 2.5f, 10f }, n.Mean);
        Assert.Equal(new[] { (float)(Math.Sqrt(5) / 2), 5f }, n.Std);
        n.Validate(2);
    }

    [Fact]
    public void Statistics_do_not_depend_on_sample_order()
    {
        var pixels = Enumerable.Range(0, 7 * 12).Select(i => (byte)((i * 97) % 251)).ToArray();
        var d = new Dataset("d", TensorShape.Image(3, 2, 2), pixels, new byte[7], 1);

        var forward = InputNormalisation.FromStatistics(d);
        var backward = InputNormalisation.FromStatistics(d.Subset([6, 5, 4, 3, 2, 1, 0]));

        Assert.Equal(forward, backward);
    }

    [Fact]
    public void Normalising_with_computed_statistics_gives_zero_mean_and_unit_std()
    {
        var pixels = Enumerable.Range(0, 50 * 8).Select(i => (byte)((i * 31) % 256)).ToArray();
        var d = new Dataset("d", TensorShape.Image(2, 2, 2), pixels, new byte[50], 1);
        var n = InputNormalisation.FromStatistics(d);

        var values = d.NormaliseRange(0, d.Count, n);

        for (var c = 0; c < 2; c++)
        {
            var channel = Enumerable.Range(0, d.Count).SelectMany(s => values.Skip((s * 8) + (c * 4)).Take(4)).Select(v => (double)v).ToList();
            var mean = channel.Average();
            var std = Math.Sqrt(channel.Sum(v => (v - mean) * (v - mean)) / channel.Count);
            Assert.Equal(0, mean, 5);
            Assert.Equal(1, std, 5);
        }
    }

    [Fact]
    public void A_constant_channel_has_no_standard_deviation_and_is_reported()
    {
        var d = new Dataset("flat", TensorShape.Image(2, 1, 1), [7, 1, 7, 2], [0, 0], 1);

        var e = Assert.Throws<ArgumentException>(() => InputNormalisation.FromStatistics(d));

        Assert.Contains("dataset 'flat': channel 0 has the same value (7)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_of_an_empty_dataset_are_refused()
    {
        var d = new Dataset("none", TensorShape.Image(1, 1, 1), [], [], 1);
        var e = Assert.Throws<ArgumentException>(() => InputNormalisation.FromStatistics(d));
        Assert.Contains("dataset 'none' is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_rejects_pixels_that_do_not_split_into_the_channels()
    {
        var e = Assert.Throws<ArgumentException>(() => InputNormalisation.UnitRange.Apply(new byte[5], 2, new float[5]));
        Assert.Contains("5 pixels do not split into 2 equal channel planes", e.Message, StringComparison.Ordinal);
    }
}
