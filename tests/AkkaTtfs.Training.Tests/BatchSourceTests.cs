using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Tests;

[Collection(LibTorchCollection.Name)]
public class BatchSourceTests
{
    [Fact]
    public void Augmented_samples_are_shifted_and_possibly_flipped_copies_within_4_pixels()
    {
        using var scope = NewDisposeScope();
        var pixels = Enumerable.Range(0, 2 * 3 * 6 * 6).Select(i => (byte)((i * 7) % 251 + 1)).ToArray();
        var data = new Dataset("synthetic", TensorShape.Image(3, 6, 6), pixels, [0, 1], 2);
        using var source = new BatchSource(data, InputNormalisation.UnitRange, keepInputsForAugmentation: true);
        var original = data.NormaliseRange(0, 2, InputNormalisation.UnitRange);
        var random = new SplitMix64(5);
        for (var trial = 0; trial < 20; trial++)
        {
            var batch = source.AugmentedImages([1, 0], random).data<float>().ToArray();
            Assert.Equal(original.Length, batch.Length);
            foreach (var (k, sample) in new[] { (0, 1), (1, 0) })
            {
                var found = false;
                for (var dy = -4; dy <= 4 && !found; dy++)
                for (var dx = -4; dx <= 4 && !found; dx++)
                foreach (var flip in new[] { false, true })
                    found |= Matches(batch.AsSpan(k * 108, 108), original.AsSpan(sample * 108, 108), dy, dx, flip);
                Assert.True(found, $"trial {trial}: batch position {k} is no shifted/flipped copy of sample {sample}");
            }
        }
    }

    [Fact]
    public void Shifted_samples_are_unflipped_copies_within_the_shift_and_every_shift_occurs()
    {
        using var scope = NewDisposeScope();
        var pixels = Enumerable.Range(0, 2 * 3 * 6 * 6).Select(i => (byte)((i * 7) % 251 + 1)).ToArray();
        var data = new Dataset("synthetic", TensorShape.Image(3, 6, 6), pixels, [0, 1], 2);
        using var source = new BatchSource(data, InputNormalisation.UnitRange, keepInputsForAugmentation: true);
        var original = data.NormaliseRange(0, 2, InputNormalisation.UnitRange);
        var random = new SplitMix64(7);
        var seen = new HashSet<(int, int)>();
        for (var trial = 0; trial < 100; trial++)
        {
            var batch = source.AugmentedImages([0], random, maxShift: 1, flip: false).data<float>().ToArray();
            var matches = new List<(int, int)>();
            for (var dy = -3; dy <= 3; dy++)
            for (var dx = -3; dx <= 3; dx++)
            foreach (var flip in new[] { false, true })
            {
                if (Matches(batch.AsSpan(0, 108), original.AsSpan(0, 108), dy, dx, flip)) matches.Add((flip ? 100 + dy : dy, dx));
            }

            // The pixels are all distinct and non-zero, so exactly one shift and orientation reproduces the batch.
            var match = Assert.Single(matches);
            Assert.True(Math.Abs(match.Item1) <= 1 && Math.Abs(match.Item2) <= 1, $"trial {trial}: shift {match} is flipped or beyond 1 pixel");
            seen.Add(match);
        }

        Assert.Equal(9, seen.Count);
    }

    private static bool Matches(ReadOnlySpan<float> actual, ReadOnlySpan<float> source, int dy, int dx, bool flip)
    {
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < 6; y++)
        for (var x = 0; x < 6; x++)
        {
            var sy = y + dy;
            var sx = (flip ? 5 - x : x) + dx;
            var expected = sy is < 0 or >= 6 || sx is < 0 or >= 6 ? 0f : source[(c * 36) + (sy * 6) + sx];
            if (actual[(c * 36) + (y * 6) + x] != expected) return false;
        }

        return true;
    }
}
