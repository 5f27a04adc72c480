using AkkaTtfs.Core.Partitioning;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Distributed;

/// <summary>A payload that cannot be decoded: the message says what is wrong and where.</summary>
public sealed class PayloadException(string message) : Exception(message);

/// <summary>
/// Compact wire encoding of spike batches and analog input batches, so that a data-plane message is a
/// few arrays, never one object per spike. Layout of a spike payload for S samples:
/// S varint spike counts, then every neuron index as a varint delta (first of a sample absolute, then
/// the gap minus one, since indices are strictly ascending), then one byte per spike time. Dense spike
/// sets cost about two bytes per spike. Analog payloads replace the time bytes by little-endian float32 values.
/// Only a batch with copies (<see cref="SpikeBatch.Multiplicities"/>, from a duplicate fault) appends a copies
/// section after the times: a varint D &gt;= 1 (spikes with more than one copy), then per such spike, in
/// ascending position in the batch (all samples in a row), the position as a varint delta (first absolute,
/// then the gap minus one) and the multiplicity minus 2. A batch without copies writes no section, so
/// fault-free payloads are byte for byte what they were before copies existed.
/// Varints are unsigned LEB128 of at most 32 bits in their shortest form; the decoder refuses any other form, and
/// checks every size a payload claims against the bytes it has before allocating for it.
/// </summary>
/// <remarks>
/// The loops run millions of times in a run of a fraction of a second, before tiered compilation would have promoted
/// them (a run's first batches ran them unoptimized or instrumented): they are compiled optimized at once, with the
/// varint reads and writes inlined.
/// </remarks>
public static class SpikeCodec
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] Encode(SpikeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var writer = new PayloadWriter(batch.SampleCount + (batch.SpikeCount * 3));
        WriteIndex(ref writer, batch.SampleOffsets, batch.Neurons);
        writer.WriteBytes(batch.Times);
        if (batch.Multiplicities is { } multiplicities) WriteCopies(ref writer, multiplicities);
        return writer.ToArray();
    }

    /// <summary>
    /// Decodes and validates: indices below <paramref name="neuronLimit"/>, times below <paramref name="window"/>,
    /// a copies section (if any) that names each spike at most once with a multiplicity in 2..255, no bytes left over.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SpikeBatch Decode(ReadOnlySpan<byte> payload, int sampleCount, int neuronLimit, int window)
    {
        var reader = new PayloadReader(payload);
        var (offsets, neurons) = ReadIndex(ref reader, sampleCount, neuronLimit, MinBytesPerSpike, "spikes");
        var times = reader.ReadBytes(neurons.Length, "spike times").ToArray();
        var multiplicities = reader.AtEnd ? null : ReadCopies(ref reader, neurons.Length);
        reader.ExpectEnd();
        foreach (var t in times)
        {
            if (t >= window) throw new PayloadException($"spike time {t} is outside the window of {window} steps");
        }

        return new SpikeBatch(offsets, neurons, times, multiplicities);
    }

    /// <summary>
    /// The length of <see cref="Encode"/>'s payload for <paramref name="batch"/>, byte for byte, without writing it: what a
    /// message that carries the spikes in process (never encoded) would have put on the wire, for the traffic counters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int EncodedLength(SpikeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long length = IndexLength(batch.SampleOffsets, batch.Neurons) + batch.Times.Length;
        if (batch.Multiplicities is { } multiplicities)
        {
            uint duplicated = 0;
            var previous = -1;
            long copies = 0;
            for (var k = 0; k < multiplicities.Length; k++)
            {
                if (multiplicities[k] <= 1) continue;
                duplicated++;
                copies += VarintLength((uint)(k - previous - 1)) + VarintLength((uint)(multiplicities[k] - 2));
                previous = k;
            }

            length += VarintLength(duplicated) + copies;     // a batch's multiplicities are null unless some spike has copies
        }

        return checked((int)length);
    }

    /// <summary>
    /// The checks <see cref="Decode"/> makes, on spikes that reach a partition in process (never encoded): the sample count
    /// the message claims, indices below <paramref name="neuronLimit"/> (the batch's constructor already checked that they
    /// ascend), times below <paramref name="window"/>. What the decoder could refuse beyond this (a malformed varint, bytes
    /// left over) has no in-process form.
    /// </summary>
    /// <exception cref="PayloadException">The batch breaks one of the checks; the message names it.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Check(SpikeBatch batch, int sampleCount, int neuronLimit, int window)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.SampleCount != sampleCount)
            throw new PayloadException($"the message claims {sampleCount} samples but carries spikes of {batch.SampleCount}");
        var offsets = batch.SampleOffsets;
        for (var s = 0; s < sampleCount; s++)
        {
            var count = offsets[s + 1] - offsets[s];
            if (count > neuronLimit) throw new PayloadException($"sample {s} claims {count} events but the source has {neuronLimit} neurons");
            if (count == 0) continue;
            var (first, last) = (batch.Neurons[offsets[s]], batch.Neurons[offsets[s + 1] - 1]);
            if (first < 0 || last >= neuronLimit)
                throw new PayloadException($"sample {s}: neuron {(first < 0 ? first : last)} is outside the source's {neuronLimit} neurons");
        }

        foreach (var t in batch.Times)
        {
            if (t >= window) throw new PayloadException($"spike time {t} is outside the window of {window} steps");
        }
    }

    private static long IndexLength(int[] offsets, int[] neurons)
    {
        long length = 0;
        for (var s = 0; s + 1 < offsets.Length; s++)
        {
            length += VarintLength((uint)(offsets[s + 1] - offsets[s]));
            var previous = -1;
            for (var k = offsets[s]; k < offsets[s + 1]; k++)
            {
                length += VarintLength((uint)(neurons[k] - previous - 1));
                previous = neurons[k];
            }
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int VarintLength(uint value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;

    private static void WriteCopies(ref PayloadWriter writer, byte[] multiplicities)
    {
        var duplicated = 0u;
        foreach (var m in multiplicities)
        {
            if (m > 1) duplicated++;
        }

        writer.WriteVarint(duplicated);
        var previous = -1;
        for (var k = 0; k < multiplicities.Length; k++)
        {
            if (multiplicities[k] <= 1) continue;
            writer.WriteVarint((uint)(k - previous - 1));
            writer.WriteVarint((uint)(multiplicities[k] - 2));
            previous = k;
        }
    }

    private static byte[] ReadCopies(ref PayloadReader reader, int spikes)
    {
        var start = reader.Position;
        var duplicated = reader.ReadVarint("count of duplicated spikes");
        if (duplicated == 0)
            throw new PayloadException($"{reader.Length - start} unexpected bytes after the spike times (a copies section lists at least one spike)");
        if (duplicated > spikes)
            throw new PayloadException($"the copies section claims {duplicated} duplicated spikes but the payload has {spikes} spikes");
        var multiplicities = new byte[spikes];
        multiplicities.AsSpan().Fill(1);
        long previous = -1;
        for (var d = 0; d < duplicated; d++)
        {
            var position = previous + 1 + reader.ReadVarint("duplicated spike position");
            if (position >= spikes)
                throw new PayloadException($"copies section: spike position {position} is outside the payload's {spikes} spikes");
            var multiplicity = 2L + reader.ReadVarint("multiplicity");
            if (multiplicity > byte.MaxValue)
                throw new PayloadException($"copies section: spike {position} has multiplicity {multiplicity}, more than {byte.MaxValue}");
            multiplicities[position] = (byte)multiplicity;
            previous = position;
        }

        return multiplicities;
    }

    /// <summary>
    /// The most bytes <see cref="Encode"/> can produce for <paramref name="samples"/> samples of at most
    /// <paramref name="spikesPerSample"/> spikes each, from a source of <paramref name="indexSpace"/> neurons (with
    /// <paramref name="copies"/>, every spike duplicated), for the frame checks made before a run. A varint of value d is
    /// at most 1 + d / 128 bytes long, and the gaps of one sample add up to less than the index space, so the index of a
    /// sample takes at most spikes + space / 128 + 1 bytes; the copies section's gaps add up to less than the batch's spikes.
    /// </summary>
    public static long MaxEncodedBytes(int samples, int spikesPerSample, int indexSpace, bool copies)
    {
        long s = samples, n = spikesPerSample;
        var perSample = MaxVarintBytes + n + (indexSpace / 128) + 1 + n;          // count, index, times
        var copiesSection = copies ? MaxVarintBytes + (s * (n + (n / 128) + 1 + (2 * n))) : 0;   // D, then per spike a position gap and a multiplicity of at most 2 bytes
        return (s * perSample) + copiesSection;
    }

    /// <summary>The most bytes <see cref="EncodeAnalog"/> can produce (every input nonzero); see <see cref="MaxEncodedBytes"/>.</summary>
    public static long MaxEncodedAnalogBytes(int samples, int valuesPerSample, int indexSpace) =>
        (long)samples * (MaxVarintBytes + valuesPerSample + (indexSpace / 128) + 1 + (4L * valuesPerSample));

    private const int MaxVarintBytes = 5;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] EncodeAnalog(InputEvents events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var writer = new PayloadWriter(events.SampleCount + (events.EventCount * 6));
        WriteIndex(ref writer, events.SampleOffsets, events.Neurons);
        foreach (var v in events.Values) writer.WriteSingle(v);
        return writer.ToArray();
    }

    /// <summary>Decodes and validates an analog payload: indices below <paramref name="neuronLimit"/>, finite values, no bytes left over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InputEvents DecodeAnalog(ReadOnlySpan<byte> payload, int sampleCount, int neuronLimit)
    {
        var reader = new PayloadReader(payload);
        var (offsets, neurons) = ReadIndex(ref reader, sampleCount, neuronLimit, MinBytesPerAnalogEvent, "analog events");
        var values = new float[neurons.Length];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = reader.ReadSingle();
            if (!float.IsFinite(values[k])) throw new PayloadException($"analog input value {k} is not finite");
        }

        reader.ExpectEnd();
        return InputEvents.Create(offsets, neurons, values);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteIndex(ref PayloadWriter writer, int[] offsets, int[] neurons)
    {
        for (var s = 0; s + 1 < offsets.Length; s++) writer.WriteVarint((uint)(offsets[s + 1] - offsets[s]));
        for (var s = 0; s + 1 < offsets.Length; s++)
        {
            var previous = -1;
            for (var k = offsets[s]; k < offsets[s + 1]; k++)
            {
                writer.WriteVarint((uint)(neurons[k] - previous - 1));
                previous = neurons[k];
            }
        }
    }

    // Least bytes an entry takes after the counts: a varint index delta (one byte at least) and a time byte, or a float32.
    private const int MinBytesPerSpike = 2;
    private const int MinBytesPerAnalogEvent = 5;

    /// <summary>
    /// Reads the counts and the indices. Sizes claimed by the payload (or by the caller's sample count) are checked
    /// against the bytes that remain before anything of that size is allocated, so that a short, corrupt or forged
    /// payload costs its own size to reject, not what it claims.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Offsets, int[] Neurons) ReadIndex(ref PayloadReader reader, int sampleCount, int neuronLimit, int minBytesPerEntry, string entries)
    {
        if (sampleCount < 0) throw new PayloadException($"sample count {sampleCount} is negative");
        if (sampleCount > reader.Remaining)
            throw new PayloadException($"payload truncated: {sampleCount} samples need at least {sampleCount} bytes of counts, the payload has {reader.Remaining}");
        // The counts first, summed in long (they may add up past int.MaxValue), the offsets only once the sum is known to fit.
        var offsets = new int[sampleCount + 1];
        long total = 0;
        for (var s = 0; s < sampleCount; s++)
        {
            var count = reader.ReadVarint("spike count");
            if (count > neuronLimit) throw new PayloadException($"sample {s} claims {count} events but the source has {neuronLimit} neurons");
            offsets[s + 1] = (int)count;
            total += count;
        }

        if (total > reader.Remaining / minBytesPerEntry)
            throw new PayloadException($"payload truncated: the counts of {sampleCount} samples claim {total} {entries}, which take at least {minBytesPerEntry} bytes each, and {reader.Remaining} bytes are left");
        for (var s = 0; s < sampleCount; s++) offsets[s + 1] += offsets[s];

        var neurons = new int[total];
        for (var s = 0; s < sampleCount; s++)
        {
            long previous = -1;
            for (var k = offsets[s]; k < offsets[s + 1]; k++)
            {
                var neuron = previous + 1 + reader.ReadVarint("neuron index");
                if (neuron >= neuronLimit) throw new PayloadException($"sample {s}: neuron {neuron} is outside the source's {neuronLimit} neurons");
                neurons[k] = (int)neuron;
                previous = neuron;
            }
        }

        return (offsets, neurons);
    }

    private ref struct PayloadWriter(int capacity)
    {
        private byte[] _buffer = new byte[Math.Max(16, capacity)];
        private int _length;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void WriteVarint(uint value)
        {
            Ensure(5);
            while (value >= 0x80)
            {
                _buffer[_length++] = (byte)(value | 0x80);
                value >>= 7;
            }

            _buffer[_length++] = (byte)value;
        }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void WriteSingle(float value)
        {
            Ensure(4);
            BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), value);
            _length += 4;
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        private void Ensure(int more)
        {
            if (_length + more <= _buffer.Length) return;
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }

    private ref struct PayloadReader(ReadOnlySpan<byte> payload)
    {
        private readonly ReadOnlySpan<byte> _payload = payload;
        private int _position;

        /// <summary>
        /// An unsigned LEB128 value of at most 32 bits, in its shortest form (what the writer produces): a fifth
        /// byte may hold 4 bits only, and a last byte of 0 after the first would make a second encoding of the value.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint ReadVarint(string what)
        {
            var start = _position;
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                if (_position >= _payload.Length) throw new PayloadException($"payload truncated while reading a {what} at byte {_position}");
                var b = _payload[_position++];
                if (shift == 28 && b > 0x0F)
                    throw new PayloadException($"malformed varint ({what}) at byte {start}: it holds more than 32 bits");
                value |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) != 0) continue;
                if (b == 0 && shift > 0) throw new PayloadException($"malformed varint ({what}) at byte {start}: over-long (a trailing zero byte)");
                return value;
            }

            throw new PayloadException($"malformed varint ({what}) at byte {start}: it holds more than 32 bits");
        }

        public ReadOnlySpan<byte> ReadBytes(int count, string what)
        {
            if (_payload.Length - _position < count) throw new PayloadException($"payload truncated: {count} bytes of {what} expected, {_payload.Length - _position} left");
            var span = _payload.Slice(_position, count);
            _position += count;
            return span;
        }

        public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(ReadBytes(4, "analog values"));

        public readonly bool AtEnd => _position == _payload.Length;

        public readonly int Position => _position;

        public readonly int Length => _payload.Length;

        public readonly int Remaining => _payload.Length - _position;

        public readonly void ExpectEnd()
        {
            if (_position != _payload.Length) throw new PayloadException($"{_payload.Length - _position} unexpected bytes after the payload");
        }
    }
}
