namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// The identity of a message that travels in parts: what kind of message it is (a small number the transport
/// assigns), its batch and attempt, and the partition that sent it (-1: the input injector). A receiver merges
/// the parts of one key; the target is the receiver itself, so it is not part of the key.
/// </summary>
public readonly record struct FrameKey(int Kind, int BatchId, int Attempt, int Source);

/// <summary>
/// How a serialized message too large for one frame is cut into parts, and the only way: part i of n covers
/// bytes [i x L, min((i + 1) x L, total)) with L = ceil(total / n), so every part but the last has L bytes and
/// a receiver can check each part's place and length from (index, count, total) alone, without trusting an offset.
/// The parts concatenated in index order are the message, byte for byte.
/// </summary>
public static class FrameSplitter
{
    /// <summary>Parts needed for a message of <paramref name="totalBytes"/> when a part may hold <paramref name="maxPartBytes"/>.</summary>
    public static int PartCount(long totalBytes, int maxPartBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPartBytes, 1);
        return checked((int)((totalBytes + maxPartBytes - 1) / maxPartBytes));
    }

    /// <summary>The bytes of the message that part <paramref name="index"/> of <paramref name="count"/> carries.</summary>
    public static (int Offset, int Length) PartRange(int index, int count, int totalBytes)
    {
        var length = (int)(((long)totalBytes + count - 1) / count);
        var offset = (long)index * length;
        return ((int)Math.Min(offset, totalBytes), (int)Math.Clamp(totalBytes - offset, 0, length));
    }

    /// <summary>The message cut into the fewest parts of at most <paramref name="maxPartBytes"/> bytes, each a copy.</summary>
    public static byte[][] Split(ReadOnlySpan<byte> message, int maxPartBytes)
    {
        var count = PartCount(message.Length, maxPartBytes);
        var parts = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var (offset, length) = PartRange(i, count, message.Length);
            parts[i] = message.Slice(offset, length).ToArray();
        }

        return parts;
    }
}

/// <summary>What <see cref="FrameMerger.Accept"/> did with a part.</summary>
public enum FrameMergeStatus
{
    /// <summary>Stored; more parts of its message are missing.</summary>
    Incomplete,

    /// <summary>The last missing part: <see cref="FrameMergeResult.Message"/> holds the whole message.</summary>
    Complete,

    /// <summary>A copy of a part already stored, or of a message already complete: ignored.</summary>
    Duplicate,

    /// <summary>Its batch has a newer attempt: ignored (and nothing of the old attempt is kept).</summary>
    Stale,
}

/// <summary>The outcome of one part; <paramref name="Message"/> only when <paramref name="Status"/> is Complete.</summary>
public readonly record struct FrameMergeResult(FrameMergeStatus Status, byte[]? Message);

/// <summary>
/// The receiver's side of <see cref="FrameSplitter"/>: collects parts (in any order, duplicates ignored) and hands
/// out each message once, when its last part arrives. Parts of an attempt older than the newest seen for the same
/// batch are dropped, and starting a newer attempt discards what the older one had collected. A part that cannot be
/// one of the splitter's (a position or length that does not fit, a size over <see cref="MaxMessageBytes"/>, a count
/// or size that disagrees with earlier parts of the same message, a copy with other bytes) is a
/// <see cref="PayloadException"/> and changes nothing. Not thread-safe: one per actor.
/// </summary>
public sealed class FrameMerger(int maxMessageBytes)
{
    private readonly Dictionary<FrameKey, Assembly> _pending = [];
    private readonly HashSet<FrameKey> _completed = [];
    private readonly Dictionary<int, int> _newestAttempt = [];

    /// <summary>The largest message this merger assembles; a part claiming more is refused before anything is allocated.</summary>
    public int MaxMessageBytes { get; } = maxMessageBytes > 0 ? maxMessageBytes : throw new ArgumentOutOfRangeException(nameof(maxMessageBytes));

    /// <summary>Messages with some but not all parts.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Bytes held by messages with some but not all parts.</summary>
    public long PendingBytes => _pending.Values.Sum(a => (long)a.Buffer.Length);

    public FrameMergeResult Accept(FrameKey key, int index, int count, int totalBytes, ReadOnlySpan<byte> bytes)
    {
        Validate(key, index, count, totalBytes, bytes.Length);
        if (!_newestAttempt.TryGetValue(key.BatchId, out var newest)) _newestAttempt[key.BatchId] = key.Attempt;
        else if (key.Attempt < newest) return new(FrameMergeStatus.Stale, null);
        else if (key.Attempt > newest) StartAttempt(key.BatchId, key.Attempt);
        if (_completed.Contains(key)) return new(FrameMergeStatus.Duplicate, null);

        var (offset, _) = FrameSplitter.PartRange(index, count, totalBytes);
        if (_pending.TryGetValue(key, out var assembly))
        {
            if (assembly.Count != count || assembly.Buffer.Length != totalBytes)
                throw new PayloadException($"part {index} of {count} ({totalBytes} bytes) of {Describe(key)} disagrees with its earlier parts ({assembly.Count} parts, {assembly.Buffer.Length} bytes)");
            if (assembly.Have[index])
            {
                if (!bytes.SequenceEqual(assembly.Buffer.AsSpan(offset, bytes.Length)))
                    throw new PayloadException($"part {index} of {count} of {Describe(key)} arrived twice with different bytes");
                return new(FrameMergeStatus.Duplicate, null);
            }
        }
        else
        {
            assembly = new Assembly(count, new byte[totalBytes], new bool[count]);
            _pending[key] = assembly;
        }

        bytes.CopyTo(assembly.Buffer.AsSpan(offset));
        assembly.Have[index] = true;
        if (++assembly.Received < count) return new(FrameMergeStatus.Incomplete, null);
        _pending.Remove(key);
        _completed.Add(key);
        return new(FrameMergeStatus.Complete, assembly.Buffer);
    }

    private void Validate(FrameKey key, int index, int count, int totalBytes, int length)
    {
        if (count < 2) throw new PayloadException($"{Describe(key)}: a message in {count} part(s) is not split (at least 2 parts)");
        if (index < 0 || index >= count) throw new PayloadException($"{Describe(key)}: part {index} is not a part of {count}");
        if (totalBytes > MaxMessageBytes)
            throw new PayloadException($"{Describe(key)}: {totalBytes} bytes is more than the {MaxMessageBytes} bytes a message in parts may have");
        if (totalBytes < count) throw new PayloadException($"{Describe(key)}: {totalBytes} bytes cannot make {count} non-empty parts");
        var (_, expected) = FrameSplitter.PartRange(index, count, totalBytes);
        if (length != expected || expected == 0)
            throw new PayloadException($"{Describe(key)}: part {index} of {count} of a {totalBytes}-byte message has {length} bytes, expected {expected}");
    }

    /// <summary>A newer attempt of a batch: what older attempts of it collected (pending or complete) is forgotten.</summary>
    private void StartAttempt(int batchId, int attempt)
    {
        _newestAttempt[batchId] = attempt;
        foreach (var old in _pending.Keys.Where(k => k.BatchId == batchId && k.Attempt < attempt).ToArray()) _pending.Remove(old);
        _completed.RemoveWhere(k => k.BatchId == batchId && k.Attempt < attempt);
    }

    private static string Describe(FrameKey key) =>
        $"message kind {key.Kind} of batch {key.BatchId} attempt {key.Attempt} from {(key.Source < 0 ? "the input injector" : $"partition {key.Source}")}";

    private sealed class Assembly(int count, byte[] buffer, bool[] have)
    {
        public int Count { get; } = count;

        public byte[] Buffer { get; } = buffer;

        public bool[] Have { get; } = have;

        public int Received { get; set; }
    }
}
