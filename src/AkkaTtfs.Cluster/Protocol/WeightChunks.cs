namespace AkkaTtfs.Cluster.Protocol;

/// <summary>Cutting a partition's parameters into <see cref="WeightChunk"/>s and the checksum that <see cref="DeployPartition"/> carries.</summary>
public static class WeightChunks
{
    /// <summary>Chunks needed for <paramref name="valueCount"/> values; at least one, so an empty deployment still completes.</summary>
    public static int CountFor(int valueCount, int maxValues = FrameBudget.MaxWeightChunkValues)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxValues, FrameBudget.MaxWeightChunkValues);
        return Core.Distributed.WeightAssembly.ChunkCountFor(valueCount, maxValues);
    }

    /// <summary>Cuts weights followed by biases into chunks of at most <paramref name="maxValues"/> values, in order.</summary>
    public static WeightChunk[] Split(string runId, int partitionId, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases,
        int maxValues = FrameBudget.MaxWeightChunkValues)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var total = weights.Length + biases.Length;
        var count = CountFor(total, maxValues);
        var chunks = new WeightChunk[count];
        for (var c = 0; c < count; c++)
        {
            var start = c * maxValues;
            var values = new float[Math.Min(maxValues, total - start)];
            // A chunk holds weights, biases or the weights' tail and the biases' head: two block copies at most.
            var fromWeights = Math.Clamp(weights.Length - start, 0, values.Length);
            if (fromWeights > 0) weights.Slice(start, fromWeights).CopyTo(values);
            var biasStart = Math.Max(0, start - weights.Length);
            biases.Slice(biasStart, values.Length - fromWeights).CopyTo(values.AsSpan(fromWeights));

            chunks[c] = new WeightChunk(runId, partitionId, c, count, values);
        }

        return chunks;
    }

    /// <summary>Lower-case hex SHA-256 of the values as little-endian float32, weights then biases (Core's <see cref="Core.Distributed.WeightAssembly.Sha256Hex"/>).</summary>
    public static string Sha256Hex(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases) => Core.Distributed.WeightAssembly.Sha256Hex(weights, biases);
}
