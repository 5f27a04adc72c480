using System.Buffers.Binary;
using System.IO.Compression;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Data;

/// <summary>Images of an IDX image file: <see cref="Count"/> grey images of Rows x Columns bytes, [n][y][x].</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>Shape of one image as a one-channel feature map, [1,Rows,Columns].</summary>
    public TensorShape SampleShape => TensorShape.Image(1, Rows, Columns);
}

/// <summary>
/// Reads the IDX files of MNIST-like data sets: idx3 images (magic 0x00000803) and idx1 labels
/// (magic 0x00000801), big-endian headers, raw or gzip-compressed (recognised by the 1f 8b magic bytes,
/// not by the file name). Every format error is an <see cref="InvalidDataException"/> naming the file,
/// what was expected and what was found.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with 3 dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with 1 dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    private const int ImagesHeaderLength = 16;
    private const int LabelsHeaderLength = 8;

    // The payload buffer starts at most this large and grows as data arrives, so a corrupt header that
    // promises gigabytes cannot make a small compressed file allocate them.
    private const int InitialPayloadBuffer = 4 << 20;

    /// <summary>Reads an idx3 image file (raw or gzip).</summary>
    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenDecompressed(path, "IDX image");
        Span<byte> header = stackalloc byte[ImagesHeaderLength];
        ReadHeader(stream, header, ImagesMagic, path, "IDX image");
        var count = ReadDimension(header[4..], path, "image count", minimum: 0);
        var rows = ReadDimension(header[8..], path, "row count", minimum: 1);
        var columns = ReadDimension(header[12..], path, "column count", minimum: 1);
        var expected = (long)count * rows * columns;
        var pixels = ReadPayload(stream, expected, path, $"{count} images x {rows} x {columns} pixels");
        return new IdxImages(count, rows, columns, pixels);
    }

    /// <summary>Reads an idx1 label file (raw or gzip).</summary>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenDecompressed(path, "IDX label");
        Span<byte> header = stackalloc byte[LabelsHeaderLength];
        ReadHeader(stream, header, LabelsMagic, path, "IDX label");
        var count = ReadDimension(header[4..], path, "label count", minimum: 0);
        return ReadPayload(stream, count, path, $"{count} labels x 1 byte");
    }

    /// <summary>
    /// Reads an image file and its label file as one dataset. <paramref name="classCount"/> null means
    /// max(label) + 1: an IDX file does not record the number of classes, and for an MNIST-like file the
    /// highest class is always present. Pass the class count when it is known, so a stray label is an error.
    /// </summary>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, string name, int? classCount = null)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        return Combine(images, imagesPath, labels, labelsPath, name, classCount ?? InferClassCount(labels, labelsPath));
    }

    /// <summary>max(label) + 1 of one label file; the message names the file when it holds no labels.</summary>
    internal static int InferClassCount(byte[] labels, string labelsPath) =>
        labels.Length == 0
            ? throw new InvalidDataException($"{labelsPath}: holds no labels, so the number of classes cannot be inferred; pass the class count")
            : labels.Max() + 1;

    /// <summary>Pairs images with labels after checking that the two files agree and every label fits.</summary>
    internal static Dataset Combine(IdxImages images, string imagesPath, byte[] labels, string labelsPath, string name, int classCount)
    {
        if (images.Count != labels.Length)
            throw new InvalidDataException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels; an image file and its label file must have the same count");
        CheckLabels(labels, classCount, labelsPath);
        return new Dataset(name, images.SampleShape, images.Pixels, labels, classCount);
    }

    /// <summary>Every label must be below <paramref name="classCount"/>; the message names the file, the sample and the value.</summary>
    internal static void CheckLabels(ReadOnlySpan<byte> labels, int classCount, string path)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
                throw new InvalidDataException($"{path}: label of sample {i} is {labels[i]}, expected 0..{classCount - 1} ({classCount} classes)");
        }
    }

    private static Stream OpenDecompressed(string path, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{kind} file {path} does not exist", path);
        var file = File.OpenRead(path);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
                return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the header; the magic number is checked first, so a file of the wrong kind is named as such even when it is short.</summary>
    private static void ReadHeader(Stream stream, Span<byte> header, int expectedMagic, string path, string kind)
    {
        var read = Read(stream, header, path);
        if (read >= 4)
            CheckMagic(BinaryPrimitives.ReadInt32BigEndian(header), expectedMagic, path);
        if (read < header.Length)
            throw new InvalidDataException(
                $"{path}: ends after {read} bytes, inside the {header.Length}-byte {kind} header (empty or truncated file)");
    }

    private static void CheckMagic(int found, int expected, string path)
    {
        if (found == expected)
            return;
        var hint = found switch
        {
            ImagesMagic => " (an IDX image file, not a label file)",
            LabelsMagic => " (an IDX label file, not an image file)",
            _ when (found >> 16) != 0 => " (not an IDX file: the first two bytes of an IDX file are zero)",
            _ when ((found >> 8) & 0xff) != 0x08 => $" (IDX element type 0x{(found >> 8) & 0xff:x2}; only unsigned bytes, 0x08, are supported)",
            _ => $" (an IDX file with {found & 0xff} dimensions)",
        };
        var what = expected == ImagesMagic ? "IDX images: unsigned bytes, 3 dimensions" : "IDX labels: unsigned bytes, 1 dimension";
        throw new InvalidDataException($"{path}: magic number 0x{found:x8}{hint}, expected 0x{expected:x8} ({what})");
    }

    private static int ReadDimension(ReadOnlySpan<byte> bytes, string path, string field, int minimum)
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (value < minimum || value > int.MaxValue)
            throw new InvalidDataException($"{path}: header {field} is {value}, expected {minimum}..{int.MaxValue}");
        return (int)value;
    }

    private static byte[] ReadPayload(Stream stream, long expected, string path, string layout)
    {
        if (expected > Array.MaxLength)
            throw new InvalidDataException($"{path}: header promises {layout} = {expected} bytes, more than one array can hold ({Array.MaxLength})");
        if (stream.CanSeek)
        {
            // A raw file: its length tells at once whether the payload is complete, before anything is allocated.
            var available = stream.Length - stream.Position;
            if (available < expected)
                throw Truncated(path, layout, expected, available);
            if (available > expected)
                throw Trailing(path, layout, expected, available - expected);
        }

        var buffer = new byte[Math.Min(expected, InitialPayloadBuffer)];
        var filled = 0;
        while (filled < expected)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(expected, 2L * buffer.Length));
            var read = Read(stream, buffer.AsSpan(filled), path);
            if (read == 0)
                throw Truncated(path, layout, expected, filled);
            filled += read;
        }

        var trailing = CountRemainingBytes(stream, path);
        if (trailing > 0)
            throw Trailing(path, layout, expected, trailing);
        return buffer;
    }

    private static InvalidDataException Truncated(string path, string layout, long expected, long found) =>
        new($"{path}: truncated payload: the header promises {layout} = {expected} bytes after the header, found only {found}");

    private static InvalidDataException Trailing(string path, string layout, long expected, long extra) =>
        new($"{path}: {extra} unexpected trailing bytes after the payload of {layout} = {expected} bytes; expected the file to end there");

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; a gzip decoding error becomes a message naming the file.</summary>
    private static int Read(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: corrupt gzip data: {e.Message}", e);
        }
    }

    private static long CountRemainingBytes(Stream stream, string path)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long total = 0;
        int read;
        while ((read = Read(stream, scratch, path)) > 0)
            total += read;
        return total;
    }
}
