using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false, "images.idx3")]
    [InlineData(true, "images.idx3")] // gzip without a .gz name: the content decides
    [InlineData(false, "images.idx3.gz")] // raw despite a .gz name
    [InlineData(true, "images.idx3.gz")]
    public void Images_round_trip_raw_and_gzip(bool gzip, string fileName)
    {
        var raw = IdxBytes.Images(3, 4, 5, IdxBytes.Pattern);
        var path = _temp.Write(fileName, gzip ? IdxBytes.Gzip(raw) : raw);

        var images = IdxReader.ReadImages(path);

        Assert.Equal((3, 4, 5), (images.Count, images.Rows, images.Columns));
        Assert.Equal(TensorShape.Image(1, 4, 5), images.SampleShape);
        Assert.Equal(raw.AsSpan(16).ToArray(), images.Pixels);
        Assert.Equal(IdxBytes.Pattern(2, 3, 4), images.Pixels[(2 * 20) + (3 * 5) + 4]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_round_trip_raw_and_gzip(bool gzip)
    {
        byte[] labels = [3, 0, 9, 9, 1];
        var raw = IdxBytes.Labels(labels);
        var path = _temp.Write("labels", gzip ? IdxBytes.Gzip(raw) : raw);

        Assert.Equal(labels, IdxReader.ReadLabels(path));
    }

    [Fact]
    public void A_file_with_zero_samples_reads_as_empty()
    {
        var images = IdxReader.ReadImages(_temp.Write("i", IdxBytes.Images(0, 28, 28, IdxBytes.Pattern)));
        Assert.Equal(0, images.Count);
        Assert.Empty(images.Pixels);
        Assert.Empty(IdxReader.ReadLabels(_temp.Write("l", IdxBytes.Labels([]))));
    }

    [Fact]
    public void Dataset_pairs_images_with_labels_and_infers_class_count_as_max_label_plus_one()
    {
        var images = _temp.Write("img", IdxBytes.Gzip(IdxBytes.Images(6, 2, 3, IdxBytes.Pattern)));
        var labels = _temp.Write("lab", IdxBytes.Labels([2, 0, 5, 1, 4, 3]));

        var dataset = IdxReader.ReadDataset(images, labels, "tiny");

        Assert.Equal("tiny", dataset.Name);
        Assert.Equal(6, dataset.Count);
        Assert.Equal(6, dataset.ClassCount);
        Assert.Equal(TensorShape.Image(1, 2, 3), dataset.SampleShape);
        Assert.Equal(5, dataset.Label(2));
        Assert.Equal(IdxBytes.Pattern(3, 1, 2), dataset.Pixels(3)[(1 * 3) + 2]);
    }

    [Fact]
    public void Wrong_magic_label_file_read_as_images_names_file_and_both_numbers()
    {
        var path = _temp.Write("train-labels-idx1-ubyte", IdxBytes.Labels([1, 2]));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("magic number 0x00000801", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 0x00000803", e.Message, StringComparison.Ordinal);
        Assert.Contains("label file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_magic_image_file_read_as_labels_names_file_and_both_numbers()
    {
        var path = _temp.Write("images", IdxBytes.Images(1, 1, 1, IdxBytes.Pattern));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("magic number 0x00000803", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 0x00000801", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_idx_content_is_reported_as_not_an_idx_file()
    {
        var path = _temp.Write("notes.txt", "hello, this is not IDX data"u8.ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not an IDX file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_payload_names_file_expected_and_found_lengths(bool gzip)
    {
        var raw = IdxBytes.Images(3, 4, 5, IdxBytes.Pattern);
        var cut = raw.AsSpan(0, raw.Length - 7).ToArray(); // 60 payload bytes promised, 53 present
        var path = _temp.Write("cut", gzip ? IdxBytes.Gzip(cut) : cut);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 images x 4 x 5 pixels = 60 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("found only 53", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_label_payload_is_reported()
    {
        var raw = IdxBytes.Labels([1, 2, 3, 4]);
        var path = _temp.Write("labels", raw.AsSpan(0, raw.Length - 1).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("4 labels x 1 byte = 4 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("found only 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_shorter_than_its_header_is_reported()
    {
        var path = _temp.Write("short", [0, 0, 8, 3, 0]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("ends after 5 bytes, inside the 16-byte", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trailing_bytes_name_file_and_their_count(bool gzip)
    {
        byte[] raw = [.. IdxBytes.Labels([1, 2, 3]), 0xde, 0xad, 0xbe];
        var path = _temp.Write("labels", gzip ? IdxBytes.Gzip(raw) : raw);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("3 unexpected trailing bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 labels x 1 byte = 3 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_rows_in_the_header_is_reported()
    {
        var path = _temp.Write("images", IdxBytes.Images(2, 0, 28, IdxBytes.Pattern));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("row count is 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Count_mismatch_between_images_and_labels_names_both_files_and_counts()
    {
        var images = _temp.Write("img", IdxBytes.Images(3, 2, 2, IdxBytes.Pattern));
        var labels = _temp.Write("lab", IdxBytes.Labels([1, 2]));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, "x"));

        Assert.Contains($"{images} holds 3 images", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{labels} holds 2 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_out_of_range_names_file_sample_and_value()
    {
        var images = _temp.Write("img", IdxBytes.Images(3, 2, 2, IdxBytes.Pattern));
        var labels = _temp.Write("lab", IdxBytes.Labels([1, 10, 2]));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, "x", classCount: 10));

        Assert.Contains(labels, e.Message, StringComparison.Ordinal);
        Assert.Contains("label of sample 1 is 10, expected 0..9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(_temp.Path, "no-such-file-idx3-ubyte.gz");

        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_data_names_the_file()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Images(20, 8, 8, IdxBytes.Pattern));
        // Keep the 10-byte gzip header (so the file is recognised as gzip) and overwrite the deflate data.
        for (var i = 10; i < gzip.Length - 8; i++)
            gzip[i] = 0xff;
        var path = _temp.Write("images.gz", gzip);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt gzip data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gzip_stream_cut_short_is_reported_with_the_file()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Images(50, 10, 10, IdxBytes.Pattern));
        var path = _temp.Write("images.gz", gzip.AsSpan(0, gzip.Length / 2).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.True(
            e.Message.Contains("corrupt gzip data", StringComparison.Ordinal) || e.Message.Contains("truncated", StringComparison.Ordinal),
            e.Message);
    }
}
