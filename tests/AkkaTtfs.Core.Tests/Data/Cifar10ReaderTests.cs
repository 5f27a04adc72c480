using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class Cifar10ReaderTests : IDisposable
{
    // Records per file: data_batch_1..5, then test_batch.
    private static readonly int[] RecordsPerFile = [2, 3, 1, 2, 2, 3];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Label of the global record number r (train records first, then test).</summary>
    private static byte LabelOf(int r) => (byte)((r * 3) % 10);

    /// <summary>Pixel (c, y, x) of global record r, laid out by the CIFAR-10 binary definition: R, G, B planes of 32 rows of 32.</summary>
    private static byte PixelOf(int r, int c, int y, int x) => (byte)((r * 29) + (c * 101) + (y * 7) + x);

    private static byte[] Record(int r, byte? label = null)
    {
        var bytes = new byte[3073];
        bytes[0] = label ?? LabelOf(r);
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 32; y++)
            {
                for (var x = 0; x < 32; x++)
                    bytes[1 + (c * 1024) + (y * 32) + x] = PixelOf(r, c, y, x);
            }
        }

        return bytes;
    }

    private string WriteBatches(string folder)
    {
        string[] names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
        var r = 0;
        for (var f = 0; f < names.Length; f++)
        {
            var file = new List<byte>();
            for (var k = 0; k < RecordsPerFile[f]; k++)
                file.AddRange(Record(r++));
            _temp.Write(Path.Combine(folder, names[f]), [.. file]);
        }

        return Path.Combine(_temp.Path, folder);
    }

    [Theory]
    [InlineData("cifar-10-batches-bin", "")] // the parent of the archive's folder
    [InlineData("cifar-10-batches-bin", "cifar-10-batches-bin")] // the archive's folder itself
    [InlineData("my-cifar", "my-cifar")] // batches in a folder of any name
    public void Reads_train_and_test_batches_in_order(string batchFolder, string folderToOpen)
    {
        WriteBatches(batchFolder);

        var pair = Cifar10Reader.ReadFolder(Path.Combine(_temp.Path, folderToOpen));

        Assert.Equal(10, pair.Train.Count);
        Assert.Equal(3, pair.Test.Count);
        Assert.Equal(TensorShape.Image(3, 32, 32), pair.Train.SampleShape);
        Assert.Equal(10, pair.Train.ClassCount);
        Assert.Equal(Path.Combine(_temp.Path, batchFolder), pair.Source);
        for (var i = 0; i < 13; i++)
        {
            var (set, k) = i < 10 ? (pair.Train, i) : (pair.Test, i - 10);
            Assert.Equal(LabelOf(i), set.Label(k));
            var pixels = set.Pixels(k);
            Assert.Equal(PixelOf(i, 0, 0, 0), pixels[0]);
            Assert.Equal(PixelOf(i, 1, 5, 9), pixels[1024 + (5 * 32) + 9]);
            Assert.Equal(PixelOf(i, 2, 31, 31), pixels[3071]);
        }
    }

    [Fact]
    public void The_catalog_recognises_a_cifar_folder()
    {
        WriteBatches(Path.Combine("data", "cifar-10-batches-bin"));

        var pair = DatasetCatalog.LoadFolder(Path.Combine(_temp.Path, "data"));

        Assert.Equal((10, 3), (pair.Train.Count, pair.Test.Count));
        Assert.Equal("cifar-10:train", pair.Train.Name);
    }

    [Fact]
    public void Length_not_a_multiple_of_the_record_names_file_and_leftover()
    {
        var path = _temp.Write("data_batch_1.bin", [.. Record(0), .. Record(1), 1, 2, 3, 4, 5]);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.ReadBatches([path], "x"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("6151 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("3073-byte", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 records and 5 bytes left over", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_batch_file_is_reported()
    {
        var path = _temp.Write("test_batch.bin", []);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.ReadBatches([path], "x"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("0 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_10_names_file_record_and_value()
    {
        var path = _temp.Write("data_batch_3.bin", [.. Record(0), .. Record(1), .. Record(2, label: 10)]);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.ReadBatches([path], "x"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("label of record 2 is 10, expected 0..9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_batch_files_are_listed()
    {
        var folder = WriteBatches("cifar");
        File.Delete(Path.Combine(folder, "test_batch.bin"));
        File.Delete(Path.Combine(folder, "data_batch_4.bin"));

        var e = Assert.Throws<DatasetNotFoundException>(() => Cifar10Reader.ReadFolder(folder));

        Assert.Contains(folder, e.Message, StringComparison.Ordinal);
        Assert.Contains("lacks data_batch_4.bin, test_batch.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_batch_file_in_an_explicit_list_names_the_path()
    {
        var path = Path.Combine(_temp.Path, "data_batch_9.bin");

        var e = Assert.Throws<FileNotFoundException>(() => Cifar10Reader.ReadBatches([path], "x"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
