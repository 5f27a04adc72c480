using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using MessagePack;

namespace AkkaTtfs.Cluster.Serialization;

/// <summary>
/// The MessagePack building blocks both protocol serializers share. Every message is one MessagePack
/// array of its fields in declaration order. Bulk arrays are single blocks: byte[] as one bin, float[] as
/// one bin of little-endian float32 (4 bytes per value, no per-element tags); small int/long arrays as
/// MessagePack arrays (1-9 bytes per element, usually 1-3). Nothing on the wire names a CLR type.
/// </summary>
internal static class WireFormat
{
    /// <summary>Serializes with <paramref name="write"/> into a buffer sized from <paramref name="sizeHint"/>.</summary>
    public static byte[] Write<T>(T message, int sizeHint, WriteBody<T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, sizeHint));
        var writer = new MessagePackWriter(buffer);
        write(ref writer, message);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public delegate void WriteBody<in T>(ref MessagePackWriter writer, T message);

    public static void WriteFloats(ref MessagePackWriter writer, float[] values)
    {
        var byteCount = checked(values.Length * sizeof(float));
        writer.WriteBinHeader(byteCount);
        var span = writer.GetSpan(byteCount)[..byteCount];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(span);
        }
        else
        {
            for (var k = 0; k < values.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(span[(4 * k)..], values[k]);
        }

        writer.Advance(byteCount);
    }

    public static void WriteInts(ref MessagePackWriter writer, int[] values)
    {
        writer.WriteArrayHeader(values.Length);
        foreach (var v in values) writer.Write(v);
    }

    public static void WriteLongs(ref MessagePackWriter writer, long[] values)
    {
        writer.WriteArrayHeader(values.Length);
        foreach (var v in values) writer.Write(v);
    }

    public static void WriteStrings(ref MessagePackWriter writer, string[] values)
    {
        writer.WriteArrayHeader(values.Length);
        foreach (var v in values) writer.Write(v);
    }

    /// <summary>Reads the array header of a message and checks it has exactly <paramref name="fields"/> fields.</summary>
    public static void ReadHeader(ref MessagePackReader reader, int fields)
    {
        var count = reader.ReadArrayHeader();
        if (count != fields) throw new WireFormatException($"expected {fields} fields, found {count}");
    }

    public static string ReadString(ref MessagePackReader reader, string field) =>
        reader.ReadString() ?? throw new WireFormatException($"field {field} is nil");

    public static byte[] ReadBytes(ref MessagePackReader reader, string field)
    {
        var bytes = reader.ReadBytes() ?? throw new WireFormatException($"field {field} is nil");
        return bytes.ToArray();
    }

    public static float[] ReadFloats(ref MessagePackReader reader, string field)
    {
        var bytes = reader.ReadBytes() ?? throw new WireFormatException($"field {field} is nil");
        if (bytes.Length % sizeof(float) != 0)
            throw new WireFormatException($"field {field} holds {bytes.Length} bytes, not a whole number of float32 values");
        var values = new float[bytes.Length / sizeof(float)];
        var target = MemoryMarshal.AsBytes(values.AsSpan());
        bytes.CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            for (var k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadSingleLittleEndian(target[(4 * k)..]);
        }

        return values;
    }

    public static int[] ReadInts(ref MessagePackReader reader, string field)
    {
        var values = new int[ReadCount(ref reader, field)];
        for (var k = 0; k < values.Length; k++) values[k] = reader.ReadInt32();
        return values;
    }

    public static long[] ReadLongs(ref MessagePackReader reader, string field)
    {
        var values = new long[ReadCount(ref reader, field)];
        for (var k = 0; k < values.Length; k++) values[k] = reader.ReadInt64();
        return values;
    }

    public static string[] ReadStrings(ref MessagePackReader reader, string field)
    {
        var values = new string[ReadCount(ref reader, field)];
        for (var k = 0; k < values.Length; k++) values[k] = ReadString(ref reader, $"{field}[{k}]");
        return values;
    }

    /// <summary>An array header whose count cannot exceed the bytes left (every element takes at least one byte).</summary>
    public static int ReadCount(ref MessagePackReader reader, string field)
    {
        if (reader.TryReadNil()) throw new WireFormatException($"field {field} is nil");
        var count = reader.ReadArrayHeader();
        var remaining = reader.Sequence.Length - reader.Consumed;
        if (count > remaining) throw new WireFormatException($"field {field} claims {count} elements but only {remaining} bytes are left");
        return count;
    }

    public static void Require(bool condition, string what)
    {
        if (!condition) throw new WireFormatException(what);
    }

    public static void RequireNonNegative(int value, string field)
    {
        if (value < 0) throw new WireFormatException($"field {field} is {value}, expected >= 0");
    }

    public static void RequireSameLength(int a, string fieldA, int b, string fieldB)
    {
        if (a != b) throw new WireFormatException($"{fieldA} has {a} entries but {fieldB} has {b}; they must be parallel");
    }

    /// <summary>Wraps any failure while reading into a <see cref="SerializationException"/> that says what and where.</summary>
    public static object Read(string serializer, string manifest, string messageName, byte[] bytes, ReadBody read)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            var message = read(ref reader);
            if (!reader.End)
                throw new WireFormatException($"{bytes.Length - reader.Consumed} bytes left over after the message");
            return message;
        }
        catch (Exception e) when (e is WireFormatException or MessagePackSerializationException or EndOfStreamException
                                      or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw new SerializationException(
                $"{serializer}: cannot read a {messageName} (manifest '{manifest}', {bytes.Length} bytes): {e.Message}", e);
        }
    }

    public delegate object ReadBody(ref MessagePackReader reader);

    public static SerializationException UnknownManifest(string serializer, string manifest, int byteCount, IEnumerable<string> known) =>
        new($"{serializer}: unknown manifest '{Printable(manifest)}' ({byteCount} bytes); this node knows only " +
            $"[{string.Join(", ", known)}]. The sender speaks another protocol version, or the bytes are not an AkkaTtfs message.");

    public static ArgumentException NotOurs(string serializer, object message) =>
        new($"{serializer} cannot serialize {message.GetType().FullName}; it only handles the AkkaTtfs protocol records", nameof(message));

    // A crafted manifest may be long or hold control characters; keep the log line readable.
    private static string Printable(string manifest)
    {
        var s = manifest.Length > 200 ? manifest[..200] + "..." : manifest;
        return new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}

/// <summary>Bytes that are MessagePack but not a valid protocol message (wrong field count, nil, parallel arrays that differ).</summary>
internal sealed class WireFormatException(string message) : Exception(message);
