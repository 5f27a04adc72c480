using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Tests.IO;

namespace AkkaTtfs.Core.Tests.Data;

/// <summary>
/// Issue 14 on datasets: FIFOs and endless devices refused without blocking, raw and .gz twins never chosen
/// silently, and one class-count rule that refuses a stray label the way every command sees it.
/// </summary>
public sealed class DatasetBadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Folder(string name) => Path.Combine(_temp.Path, name);

    [Fact]
    public void A_FIFO_as_a_dataset_file_is_refused_without_waiting_for_a_writer()
    {
        IdxBytes.WriteFolder(_temp, "d", [0, 1], [1]);
        var labels = Path.Combine(Folder("d"), "train-labels-idx1-ubyte");
        File.Delete(labels);
        SpecialFiles.MakeFifo(labels);

        var error = SpecialFiles.ThrowsWithoutBlocking<InvalidDataException>(labels, () => DatasetCatalog.LoadFolder(Folder("d")));

        Assert.Equal($"{labels}: is a FIFO (named pipe), not a regular file; reading it would wait for a writer, perhaps forever", error.Message);
    }

    [Fact]
    public void A_dataset_file_linked_to_dev_zero_is_refused_not_read_without_end()
    {
        IdxBytes.WriteFolder(_temp, "d", [0, 1], [1]);
        var images = Path.Combine(Folder("d"), "t10k-images-idx3-ubyte");
        File.Delete(images);
        File.CreateSymbolicLink(images, "/dev/zero");

        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadFolder(Folder("d")));

        Assert.StartsWith($"{images}: is a character device, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_FIFO_as_a_CIFAR_batch_is_refused_without_waiting()
    {
        var folder = Directory.CreateDirectory(Folder("cifar")).FullName;
        var batch = SpecialFiles.MakeFifo(Path.Combine(folder, "data_batch_1.bin"));

        var error = SpecialFiles.ThrowsWithoutBlocking<InvalidDataException>(batch, () => Cifar10Reader.ReadBatches([batch], "x"));

        Assert.StartsWith($"{batch}: is a FIFO (named pipe)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gzip_data_that_inflates_past_the_payload_is_counted_only_so_far()
    {
        var labels = IdxBytes.Labels([0, 1, 2]);
        var path = _temp.Write("labels.gz", IdxBytes.Gzip([.. labels, .. new byte[3 << 20]]));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("more than 1048576 unexpected trailing bytes after the payload of 3 labels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_and_gz_twins_with_the_same_data_load_as_one()
    {
        IdxBytes.WriteFolder(_temp, "twins", [0, 1, 2], [2, 1]);
        IdxBytes.WriteFolder(_temp, "twins", [0, 1, 2], [2, 1], gzip: true);
        IdxBytes.WriteFolder(_temp, "raw", [0, 1, 2], [2, 1]);

        var twins = DatasetCatalog.LoadFolder(Folder("twins"));
        var raw = DatasetCatalog.LoadFolder(Folder("raw"));

        Assert.Equal(raw.Train.PixelBytes.ToArray(), twins.Train.PixelBytes.ToArray());
        Assert.Equal(raw.Test.LabelBytes.ToArray(), twins.Test.LabelBytes.ToArray());
        Assert.Equal(3, twins.Train.ClassCount);
    }

    [Fact]
    public void Raw_and_gz_twins_that_differ_in_a_label_are_refused_naming_both()
    {
        IdxBytes.WriteFolder(_temp, "twins", [0, 1, 2], [2, 1]);
        IdxBytes.WriteFolder(_temp, "twins", [0, 1, 2], [2, 2], gzip: true);
        var raw = Path.Combine(Folder("twins"), "t10k-labels-idx1-ubyte");

        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadFolder(Folder("twins")));

        Assert.Equal($"{raw} and {raw}.gz are both present but hold different data (label 1 is 1 in one and 2 in the other); remove the one that is out of date", error.Message);
    }

    [Fact]
    public void Raw_and_gz_twins_that_differ_in_size_are_refused()
    {
        IdxBytes.WriteFolder(_temp, "twins", [0, 1, 2], [2, 1]);
        var raw = Path.Combine(Folder("twins"), "train-images-idx3-ubyte");
        File.WriteAllBytes(raw + ".gz", IdxBytes.Gzip(IdxBytes.Images(4, 3, 2, IdxBytes.Pattern)));

        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadFolder(Folder("twins")));

        Assert.Contains($"{raw} holds 3 images of 3x2, {raw}.gz 4 of 3x2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stray_label_255_among_ten_digits_is_refused_not_taken_for_256_classes()
    {
        byte[] train = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 3];
        IdxBytes.WriteFolder(_temp, "stray", train, [1, 2]);
        var labels = Path.Combine(Folder("stray"), "train-labels-idx1-ubyte");

        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadFolder(Folder("stray")));

        Assert.Equal(
            $"{labels}: label of sample 10 is 255, but no sample has class 10..254; " +
            "the class count of IDX data is the highest label + 1 (256) and every class from 1 up to it must occur (a damaged label?)",
            error.Message);
    }

    [Fact]
    public void The_same_rule_holds_for_one_file_pair()
    {
        var images = _temp.Write("img", IdxBytes.Images(4, 2, 2, IdxBytes.Pattern));
        var labels = _temp.Write("lab", IdxBytes.Labels([0, 1, 5, 1]));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, "x"));

        Assert.Contains("label of sample 2 is 5, but no sample has class 2..4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classes_numbered_from_one_are_accepted_with_class_zero_unused()
    {
        // EMNIST letters label its 26 classes 1..26.
        IdxBytes.WriteFolder(_temp, "letters", [1, 2, 3, 26, .. Enumerable.Range(4, 22).Select(i => (byte)i)], [26, 1]);

        var pair = DatasetCatalog.LoadFolder(Folder("letters"));

        Assert.Equal(27, pair.Train.ClassCount);
        Assert.Equal(0, pair.Train.ClassHistogram()[0]);
    }

    [Fact]
    public void Classes_are_counted_over_train_and_test_together()
    {
        // Class 3 occurs only in the test half: no gap over both.
        IdxBytes.WriteFolder(_temp, "split", [0, 1, 2, 4], [3, 0]);

        Assert.Equal(5, DatasetCatalog.LoadFolder(Folder("split")).Test.ClassCount);
    }
}
