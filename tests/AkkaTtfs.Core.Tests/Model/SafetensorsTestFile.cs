using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>
/// An independent reader and editor of safetensors files, written from the safetensors spec and
/// docs/model-file.md only (it shares no code with ModelFile): what a Python reader would do with json and struct.
/// </summary>
internal sealed class SafetensorsTestFile
{
    private SafetensorsTestFile(ulong headerLength, byte[] headerBytes, JsonObject header, byte[] data)
    {
        HeaderLength = headerLength;
        HeaderBytes = headerBytes;
        Header = header;
        Data = data;
    }

    public ulong HeaderLength { get; }

    /// <summary>The header bytes as read, padding included.</summary>
    public byte[] HeaderBytes { get; }

    /// <summary>The parsed header; edit it and call <see cref="Save"/>.</summary>
    public JsonObject Header { get; }

    /// <summary>The data section; edit it in place or replace it.</summary>
    public byte[] Data { get; set; }

    public JsonObject Metadata => Header["__metadata__"]!.AsObject();

    /// <summary>Every header entry except __metadata__, i.e. the tensors.</summary>
    public IEnumerable<KeyValuePair<string, JsonNode?>> TensorEntries => Header.Where(e => e.Key != "__metadata__");

    public static SafetensorsTestFile Load(string path) => Parse(File.ReadAllBytes(path));

    public static SafetensorsTestFile Parse(byte[] bytes)
    {
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var headerBytes = bytes[8..(8 + (int)headerLength)];
        var header = JsonNode.Parse(headerBytes)!.AsObject();
        return new SafetensorsTestFile(headerLength, headerBytes, header, bytes[(8 + (int)headerLength)..]);
    }

    public (long Begin, long End) Offsets(string tensor)
    {
        var offsets = Header[tensor]!["data_offsets"]!.AsArray();
        return (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
    }

    public void SetOffsets(string tensor, long begin, long end) => Header[tensor]!["data_offsets"] = new JsonArray(begin, end);

    public int[] Shape(string tensor) => Header[tensor]!["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();

    /// <summary>A tensor's floats, decoded from its data_offsets as little-endian float32.</summary>
    public float[] Floats(string tensor)
    {
        var (begin, end) = Offsets(tensor);
        var values = new float[(end - begin) / 4];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan((int)begin + (4 * i), 4));
        return values;
    }

    /// <summary>The checksum as docs/model-file.md defines it, computed from this file's current header and data.</summary>
    public string ComputeChecksum()
    {
        var canonical = new StringBuilder();
        foreach (var (key, value) in Metadata.Where(e => e.Key != "checksum").OrderBy(e => e.Key, CodePointOrder.Instance))
            canonical.Append(Netstring(key)).Append(Netstring(value!.GetValue<string>()));
        foreach (var (name, entry) in TensorEntries.OrderBy(e => e.Key, CodePointOrder.Instance))
        {
            var shape = string.Join(",", entry!["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
            var offsets = entry["data_offsets"]!.AsArray();
            canonical.Append(Netstring(name)).Append(Netstring(entry["dtype"]!.GetValue<string>()))
                .Append(Netstring(shape)).Append(Netstring($"{offsets[0]!.GetValue<long>()},{offsets[1]!.GetValue<long>()}"));
        }

        var text = Encoding.UTF8.GetBytes(canonical.ToString());
        return "sha256:" + Convert.ToHexString(SHA256.HashData([.. text, .. Data])).ToLowerInvariant();
    }

    /// <summary>Recomputes the checksum, so an edit reaches the checks that come after the checksum's.</summary>
    public void Resign() => Metadata["checksum"] = ComputeChecksum();

    /// <summary>Writes the header (re-serialised, space-padded to a multiple of 8) and the data.</summary>
    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    public byte[] ToBytes()
    {
        var header = Encoding.UTF8.GetBytes(Header.ToJsonString());
        var padded = new byte[(header.Length + 7) / 8 * 8];
        Array.Fill(padded, (byte)' ');
        header.CopyTo(padded, 0);
        return Assemble((ulong)padded.Length, padded, Data);
    }

    public static byte[] Assemble(ulong headerLength, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static string Netstring(string s) => $"{Encoding.UTF8.GetByteCount(s)}:{s},";

    /// <summary>Unicode code point order, as Python's sorted() on str (and so UTF-8 byte order).</summary>
    private sealed class CodePointOrder : IComparer<string>
    {
        public static readonly CodePointOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = x!.EnumerateRunes().Select(r => r.Value).ToArray();
            var b = y!.EnumerateRunes().Select(r => r.Value).ToArray();
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                if (a[i] != b[i]) return a[i].CompareTo(b[i]);
            }

            return a.Length.CompareTo(b.Length);
        }
    }
}
