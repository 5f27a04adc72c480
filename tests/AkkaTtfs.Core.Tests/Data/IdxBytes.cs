using System.IO.Compression;

namespace AkkaTtfs.Core.Tests.Data;

/// <summary>
/// Builds IDX files byte by byte from the format's definition (big-endian 32-bit magic and dimensions,
/// then the payload), independently of the reader under test.
/// </summary>
internal static class IdxBytes
{
    public static byte[] Images(int count, int rows, int columns, Func<int, int, int, byte> pixel, int magic = 0x00000803)
    {
        var bytes = new List<byte>();
        AddBigEndian(bytes, magic);
        AddBigEndian(bytes, count);
        AddBigEndian(bytes, rows);
        AddBigEndian(bytes, columns);
        for (var n = 0; n < count; n++)
        {
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < columns; x++)
                    bytes.Add(pixel(n, y, x));
            }
        }

        return [.. bytes];
    }

    public static byte[] Labels(byte[] labels, int magic = 0x00000801)
    {
        var bytes = new List<byte>();
        AddBigEndian(bytes, magic);
        AddBigEndian(bytes, labels.Length);
        bytes.AddRange(labels);
        return [.. bytes];
    }

    /// <summary>A deterministic pixel pattern that differs between samples, rows and columns.</summary>
    public static byte Pattern(int n, int y, int x) => (byte)((n * 37) + (y * 11) + (x * 3) + 1);

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(raw);
        return output.ToArray();
    }

    /// <summary>Writes the four files of an MNIST-style folder (raw, or .gz when <paramref name="gzip"/>).</summary>
    public static void WriteFolder(TempFolder temp, string folder, byte[] trainLabels, byte[] testLabels, bool gzip = false, int rows = 3, int columns = 2)
    {
        Write(temp, Path.Combine(folder, "train-images-idx3-ubyte"), Images(trainLabels.Length, rows, columns, Pattern), gzip);
        Write(temp, Path.Combine(folder, "train-labels-idx1-ubyte"), Labels(trainLabels), gzip);
        Write(temp, Path.Combine(folder, "t10k-images-idx3-ubyte"), Images(testLabels.Length, rows, columns, Pattern), gzip);
        Write(temp, Path.Combine(folder, "t10k-labels-idx1-ubyte"), Labels(testLabels), gzip);
    }

    private static void Write(TempFolder temp, string relative, byte[] raw, bool gzip) =>
        temp.Write(gzip ? relative + ".gz" : relative, gzip ? Gzip(raw) : raw);

    private static void AddBigEndian(List<byte> bytes, int value)
    {
        bytes.Add((byte)(value >> 24));
        bytes.Add((byte)(value >> 16));
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}
