using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Data;

/// <summary>
/// Reads the CIFAR-10 binary version: each record is 1 label byte (0..9) followed by 3072 pixel bytes,
/// the red, green and blue 32x32 planes, row-major, which is already the project's [c][y][x] order.
/// Every format error is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class Cifar10Reader
{
    /// <summary>Number of CIFAR-10 classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Bytes of one image, 3 x 32 x 32.</summary>
    public const int ImageLength = 3 * 32 * 32;

    /// <summary>Bytes of one record: the label byte and the image.</summary>
    public const int RecordLength = 1 + ImageLength;

    /// <summary>Name of the folder inside the official archive.</summary>
    public const string BatchFolderName = "cifar-10-batches-bin";

    /// <summary>Name of the test batch file.</summary>
    public const string TestFileName = "test_batch.bin";

    /// <summary>Names of the five training batch files, in the order they are concatenated.</summary>
    public static IReadOnlyList<string> TrainFileNames { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>Shape of one sample, [3,32,32].</summary>
    public static TensorShape SampleShape { get; } = TensorShape.Image(3, 32, 32);

    /// <summary>
    /// The folder holding the batch files: <paramref name="folder"/> itself or its
    /// <see cref="BatchFolderName"/> subfolder; null when neither holds any CIFAR-10 batch file.
    /// </summary>
    public static string? FindBatchFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string[] candidates = [folder, Path.Combine(folder, BatchFolderName)];
        return candidates.FirstOrDefault(c => AllFileNames().Any(f => File.Exists(Path.Combine(c, f))));
    }

    /// <summary>Reads the five training batches and the test batch of a CIFAR-10 binary folder (or its parent).</summary>
    public static DatasetPair ReadFolder(string folder, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var batchFolder = FindBatchFolder(folder)
            ?? throw new DatasetNotFoundException(
                $"{folder} holds no CIFAR-10 binary batches: looked for {string.Join(", ", AllFileNames())} in it and in its {BatchFolderName} subfolder");
        var missing = AllFileNames().Where(f => !File.Exists(Path.Combine(batchFolder, f))).ToList();
        if (missing.Count > 0)
            throw new DatasetNotFoundException($"CIFAR-10 folder {batchFolder} lacks {string.Join(", ", missing)}; all of {string.Join(", ", AllFileNames())} are needed");
        name ??= "cifar-10";
        var train = ReadBatches(TrainFileNames.Select(f => Path.Combine(batchFolder, f)).ToList(), $"{name}:train");
        var test = ReadBatches([Path.Combine(batchFolder, TestFileName)], $"{name}:test");
        return new DatasetPair(train, test) { Source = batchFolder };
    }

    /// <summary>Reads and concatenates batch files, in the order given.</summary>
    public static Dataset ReadBatches(IReadOnlyList<string> paths, string name)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var recordCounts = new int[paths.Count];
        long total = 0;
        for (var f = 0; f < paths.Count; f++)
        {
            recordCounts[f] = CountRecords(paths[f]);
            total += recordCounts[f];
        }

        if (total * ImageLength > Array.MaxLength)
            throw new InvalidDataException($"{string.Join(", ", paths)}: {total} records are more than one array can hold");
        var pixels = new byte[total * ImageLength];
        var labels = new byte[total];
        var sample = 0;
        for (var f = 0; f < paths.Count; f++)
        {
            ReadRecords(paths[f], recordCounts[f], pixels.AsSpan(sample * ImageLength, recordCounts[f] * ImageLength), labels.AsSpan(sample, recordCounts[f]));
            sample += recordCounts[f];
        }

        return new Dataset(name, SampleShape, pixels, labels, ClassCount);
    }

    private static IEnumerable<string> AllFileNames() => TrainFileNames.Append(TestFileName);

    private static int CountRecords(string path)
    {
        using var file = IdxReader.OpenRegular(path, "CIFAR-10 batch");
        if (file.Length == 0 || file.Length % RecordLength != 0)
            throw new InvalidDataException(
                $"{path}: {file.Length} bytes is not a whole, non-zero number of {RecordLength}-byte CIFAR-10 records (1 label byte + 3x32x32 pixel bytes): " +
                $"{file.Length / RecordLength} records and {file.Length % RecordLength} bytes left over");
        if (file.Length / RecordLength > int.MaxValue)
            throw new InvalidDataException($"{path}: {file.Length / RecordLength} records are more than one dataset can hold");
        return (int)(file.Length / RecordLength);
    }

    private static void ReadRecords(string path, int records, Span<byte> pixels, Span<byte> labels)
    {
        using var stream = IdxReader.OpenRegular(path, "CIFAR-10 batch");
        Span<byte> label = stackalloc byte[1];
        for (var r = 0; r < records; r++)
        {
            var image = pixels.Slice(r * ImageLength, ImageLength);
            if (stream.ReadAtLeast(label, 1, throwOnEndOfStream: false) < 1
                || stream.ReadAtLeast(image, ImageLength, throwOnEndOfStream: false) < ImageLength)
                throw new InvalidDataException($"{path}: ended inside record {r} of {records}; the file changed while it was read");
            if (label[0] >= ClassCount)
                throw new InvalidDataException($"{path}: label of record {r} is {label[0]}, expected 0..{ClassCount - 1}");
            labels[r] = label[0];
        }
    }
}
