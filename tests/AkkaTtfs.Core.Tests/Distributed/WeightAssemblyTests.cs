using System.Security.Cryptography;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>Chunk assembly against values cut by hand and a checksum computed here with SHA256.HashData.</summary>
public class WeightAssemblyTests
{
    private static readonly float[] Weights = [1f, -2.5f, 3e-7f, float.MaxValue, -0f, 6f, 7f];
    private static readonly float[] Biases = [0.25f, -8f];

    /// <summary>The checksum as the protocol defines it, written independently: little-endian float32 bytes, weights then biases.</summary>
    private static string Oracle(float[] weights, float[] biases)
    {
        var bytes = weights.Concat(biases).SelectMany(v => BitConverter.IsLittleEndian ? BitConverter.GetBytes(v) : BitConverter.GetBytes(v).Reverse().ToArray()).ToArray();
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static float[][] Cut(float[] all, int size) => all.Chunk(size).ToArray();

    [Fact]
    public void Chunks_in_any_order_with_repeats_assemble_to_the_parameters()
    {
        var all = Weights.Concat(Biases).ToArray();
        var chunks = Cut(all, 4);   // 4 + 4 + 1
        var assembly = new WeightAssembly(Weights.Length, Biases.Length, Oracle(Weights, Biases), 4);
        Assert.Equal(3, assembly.ChunkCount);
        Assert.True(assembly.Add(2, 3, chunks[2]));
        Assert.True(assembly.Add(0, 3, chunks[0]));
        Assert.False(assembly.Add(0, 3, chunks[0]));   // a resend is ignored
        Assert.False(assembly.IsComplete);
        Assert.Throws<WeightAssemblyException>(() => assembly.Complete());
        Assert.True(assembly.Add(1, 3, chunks[1]));
        Assert.True(assembly.IsComplete);
        Assert.Equal(all.Select(BitConverter.SingleToInt32Bits), assembly.Complete().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void The_checksum_matches_an_independent_sha256_and_depends_on_order_and_every_bit()
    {
        Assert.Equal(Oracle(Weights, Biases), WeightAssembly.Sha256Hex(Weights, Biases));
        Assert.NotEqual(Oracle(Weights, Biases), WeightAssembly.Sha256Hex(Biases, Weights));
        var big = Enumerable.Range(0, 3000).Select(i => i * 0.5f).ToArray();   // more than one 4 KiB block of the hasher
        Assert.Equal(Oracle(big, []), WeightAssembly.Sha256Hex(big, []));
        var flipped = (float[])Weights.Clone();
        flipped[4] = 0f;   // -0 -> +0: equal as floats, different bits
        Assert.NotEqual(Oracle(Weights, Biases), WeightAssembly.Sha256Hex(flipped, Biases));
    }

    [Fact]
    public void A_changed_value_fails_the_checksum_naming_both_sums()
    {
        var all = Weights.Concat(Biases).ToArray();
        all[3] = 1f;
        var assembly = new WeightAssembly(Weights.Length, Biases.Length, Oracle(Weights, Biases), 16);
        Assert.True(assembly.Add(0, 1, all));
        var ex = Assert.Throws<WeightAssemblyException>(() => assembly.Complete());
        Assert.Contains("checksum mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Oracle(Weights, Biases), ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 3, 4, "outside")]       // no chunk 3 of 3
    [InlineData(-1, 3, 4, "outside")]
    [InlineData(0, 2, 4, "it has 3")]  // disagrees on the count
    [InlineData(0, 3, 3, "must hold 4")]   // too short
    [InlineData(2, 3, 2, "must hold 1")]   // the last chunk overruns
    public void A_chunk_that_does_not_fit_the_deployment_is_refused(int index, int count, int length, string expected)
    {
        var assembly = new WeightAssembly(Weights.Length, Biases.Length, Oracle(Weights, Biases), 4);
        var ex = Assert.Throws<WeightAssemblyException>(() => assembly.Add(index, count, new float[length]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, assembly.Missing);
    }

    [Fact]
    public void An_empty_deployment_is_one_empty_chunk()
    {
        Assert.Equal(1, WeightAssembly.ChunkCountFor(0, 8));
        Assert.Equal(1, WeightAssembly.ChunkCountFor(8, 8));
        Assert.Equal(2, WeightAssembly.ChunkCountFor(9, 8));
        var assembly = new WeightAssembly(0, 0, Oracle([], []), 8);
        Assert.True(assembly.Add(0, 1, []));
        Assert.Empty(assembly.Complete());
    }
}
