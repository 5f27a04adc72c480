using System.Buffers.Binary;
using System.IO.Compression;
using AkkaTtfs.Core.IO;
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

    // Trailing bytes after the payload are counted up to this many: enough to name the problem, and a
    // compressed file that inflates without end is not decompressed to its end just to count them.
    private const int MaxTrailingCount = 1 << 20;

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
    /// Reads an image file and its label file as one dataset. <paramref name="classCount"/> null means the
    /// count <see cref="InferClassCount"/> finds. Pass the class count when it is known, so a stray label is an error.
    /// </summary>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, string name, int? classCount = null)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        return Combine(images, imagesPath, labels, labelsPath, name, classCount ?? InferClassCount([(labels, labelsPath)]));
    }

    /// <summary>
    /// The class count of IDX data, which the files do not record: the highest label + 1, over all the label
    /// files of one dataset together (train and test), so both halves agree. Every class from 1 up to the
    /// highest label must occur in some file (class 0 may be unused: some sets, EMNIST letters for one, number
    /// their classes from 1): a label of 255 among digits 0..9 is a damaged label, not 256 classes, and is
    /// refused naming the file, the sample and the classes that have no sample. The one rule every command
    /// that reads IDX data without a known class count goes through (dataset, simulate, evaluate, run).
    /// </summary>
    public static int InferClassCount(IReadOnlyList<(byte[] Labels, string Path)> labelFiles)
    {
        ArgumentNullException.ThrowIfNull(labelFiles);
        var present = new bool[256];
        var highest = -1;
        var highestAt = (File: "", Sample: -1);
        foreach (var (labels, path) in labelFiles)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                present[labels[i]] = true;
                if (labels[i] > highest)
                    (highest, highestAt) = (labels[i], (path, i));
            }
        }

        if (highest < 0)
        {
            var files = string.Join(" and ", labelFiles.Select(f => f.Path));
            throw new InvalidDataException($"{files}: holds no labels, so the number of classes cannot be inferred; pass the class count");
        }

        var missing = Enumerable.Range(1, Math.Max(0, highest - 1)).Where(c => !present[c]).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"{highestAt.File}: label of sample {highestAt.Sample} is {highest}, but no sample has class {DescribeClasses(missing)}; " +
                $"the class count of IDX data is the highest label + 1 ({highest + 1}) and every class from 1 up to it must occur (a damaged label?)");
        }

        return highest + 1;
    }

    /// <summary>Class numbers as ranges: "10..254" or "3, 5..7".</summary>
    private static string DescribeClasses(List<int> classes)
    {
        var parts = new List<string>();
        for (var i = 0; i < classes.Count;)
        {
            var j = i;
            while (j + 1 < classes.Count && classes[j + 1] == classes[j] + 1)
                j++;
            parts.Add(i == j ? $"{classes[i]}" : $"{classes[i]}..{classes[j]}");
            i = j + 1;
        }

        return parts.Count <= 4 ? string.Join(", ", parts) : $"{string.Join(", ", parts.Take(4))} and {parts.Count - 4} more ranges";
    }

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
        var file = OpenRegular(path, kind);
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

    /// <summary>
    /// Opens a dataset file if it is a regular file: a FIFO would block and a device never end, so both are
    /// refused (an <see cref="InvalidDataException"/> naming the file and what it is); a missing file is a
    /// <see cref="FileNotFoundException"/>.
    /// </summary>
    internal static FileStream OpenRegular(string path, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return InputFile.OpenRead(path, $"{kind} file");
        }
        catch (InputFileException e) when (e.Kind == FileKind.Missing)
        {
            throw new FileNotFoundException($"{kind} file {path} does not exist", path, e);
        }
        catch (InputFileException e)
        {
            throw new InvalidDataException($"{path}: {e.Problem}", e);
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
        new($"{path}: {(extra > MaxTrailingCount ? $"more than {MaxTrailingCount}" : extra)} unexpected trailing bytes after the payload of {layout} = {expected} bytes; expected the file to end there");

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

    /// <summary>Bytes left in the stream, counted up to just past <see cref="MaxTrailingCount"/>.</summary>
    private static long CountRemainingBytes(Stream stream, string path)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long total = 0;
        int read;
        while (total <= MaxTrailingCount && (read = Read(stream, scratch, path)) > 0)
            total += read;
        return total;
    }
}
