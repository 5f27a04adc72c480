using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AkkaTtfs.Core.Distributed;

/// <summary>A parameter chunk that does not fit its deployment, or parameters whose checksum does not match.</summary>
public sealed class WeightAssemblyException(string message) : Exception(message);

/// <summary>
/// Collects a partition's parameters (weights then biases) from numbered chunks of at most
/// <c>maxChunkValues</c> values, in any order and possibly repeated, and checks the whole against the
/// announced SHA-256 before handing it out. The wire only carries the chunks; every rule lives here.
/// </summary>
public sealed class WeightAssembly
{
    private readonly float[] _values;
    private readonly bool[] _seen;
    private readonly int _maxChunkValues;
    private readonly string _sha256;

    /// <param name="weightCount">Weights announced (they come first).</param>
    /// <param name="biasCount">Biases announced.</param>
    /// <param name="sha256">Lower-case hex SHA-256 of the values as little-endian float32 (<see cref="Sha256Hex"/>).</param>
    /// <param name="maxChunkValues">Values per chunk; every chunk but the last holds exactly this many.</param>
    public WeightAssembly(int weightCount, int biasCount, string sha256, int maxChunkValues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weightCount);
        ArgumentOutOfRangeException.ThrowIfNegative(biasCount);
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkValues, 1);
        WeightCount = weightCount;
        _values = new float[(long)weightCount + biasCount <= Array.MaxLength
            ? weightCount + biasCount
            : throw new ArgumentOutOfRangeException(nameof(biasCount), "more parameters than an array can hold")];
        _sha256 = sha256;
        _maxChunkValues = maxChunkValues;
        _seen = new bool[ChunkCountFor(_values.Length, maxChunkValues)];
        Missing = _seen.Length;
    }

    public int WeightCount { get; }

    /// <summary>Chunks of the whole deployment.</summary>
    public int ChunkCount => _seen.Length;

    /// <summary>Chunks not yet received.</summary>
    public int Missing { get; private set; }

    public bool IsComplete => Missing == 0;

    /// <summary>Chunks needed for <paramref name="valueCount"/> values; at least one, so an empty deployment still completes.</summary>
    public static int ChunkCountFor(int valueCount, int maxChunkValues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkValues, 1);
        return Math.Max(1, (int)(((long)valueCount + maxChunkValues - 1) / maxChunkValues));
    }

    /// <summary>
    /// Stores chunk <paramref name="index"/>; returns false when it was already stored (a resend: harmless, ignored).
    /// A chunk at a position the deployment does not have, of another chunk count, or of the wrong length throws.
    /// </summary>
    public bool Add(int index, int chunkCount, ReadOnlySpan<float> values)
    {
        if (chunkCount != _seen.Length)
            throw new WeightAssemblyException($"weight chunk {index} says the deployment has {chunkCount} chunks; it has {_seen.Length}");
        if (index < 0 || index >= _seen.Length)
            throw new WeightAssemblyException($"weight chunk {index} is outside the deployment's chunks 0..{_seen.Length - 1}");
        var offset = index * _maxChunkValues;
        var expected = Math.Min(_maxChunkValues, _values.Length - offset);
        if (values.Length != expected)
            throw new WeightAssemblyException($"weight chunk {index} holds {values.Length} values; at its position it must hold {expected} of the {_values.Length} announced");
        if (_seen[index]) return false;
        values.CopyTo(_values.AsSpan(offset));
        _seen[index] = true;
        Missing--;
        return true;
    }

    /// <summary>The parameters (weights then biases) once every chunk is in and the checksum matches; throws otherwise.</summary>
    public float[] Complete()
    {
        if (!IsComplete) throw new WeightAssemblyException($"{Missing} of {ChunkCount} weight chunks are still missing");
        var sha = Sha256Hex(_values.AsSpan(0, WeightCount), _values.AsSpan(WeightCount));
        if (!string.Equals(sha, _sha256, StringComparison.Ordinal))
            throw new WeightAssemblyException($"parameter checksum mismatch: expected {_sha256}, received {sha}");
        return _values;
    }

    /// <summary>Lower-case hex SHA-256 of the values as little-endian float32, weights then biases.</summary>
    public static string Sha256Hex(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, weights);
        Append(hash, biases);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<float> values)
    {
        Span<byte> buffer = stackalloc byte[4096];
        while (!values.IsEmpty)
        {
            var n = Math.Min(values.Length, buffer.Length / 4);
            for (var k = 0; k < n; k++) BinaryPrimitives.WriteSingleLittleEndian(buffer[(4 * k)..], values[k]);
            hash.AppendData(buffer[..(4 * n)]);
            values = values[n..];
        }
    }
}
