using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>Save then Load gives back every float bit-exactly and every string unchanged.</summary>
public sealed class ModelFileRoundTripTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1, "d7-d3", "5", InputMode.Analog, false, true)]
    [InlineData(2, "d6-d4-d3", "2,3,3", InputMode.Ttfs, true, true)]
    [InlineData(3, "c3k3p-p2-c4k3-d5", "2,8,8", InputMode.Analog, true, true)]
    [InlineData(4, "c3k3s2p1-p2-f-d4", "1,8,8", InputMode.Ttfs, false, false)]
    [InlineData(5, "c4k3-p2-p2-d3", "3,10,10", InputMode.Ttfs, true, true)]
    [InlineData(6, "mnist-cnn", "1,28,28", InputMode.Analog, false, true)]
    [InlineData(7, "d1", "1", InputMode.Analog, false, false)]
    public void Save_then_load_is_bit_identical(int seed, string architecture, string inputShape, InputMode inputMode, bool meanStd, bool provenance)
    {
        var model = RandomModels.Create(seed, architecture, inputShape, inputMode, meanStd, provenance);
        var path = _folder.File("model.safetensors");

        ModelFile.Save(model, path);
        var loaded = ModelFile.Load(path);

        ModelAssert.BitIdentical(model, loaded);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(TemporalKernel.MaxWindow)]
    public void The_window_extremes_round_trip(int t)
    {
        var model = RandomModels.Create(11, "c2k3-p2-d3", "1,6,6", InputMode.Ttfs, meanStd: true, t: t);
        var path = _folder.File("model.safetensors");

        ModelFile.Save(model, path);

        ModelAssert.BitIdentical(model, ModelFile.Load(path));
    }

    [Fact]
    public void Many_random_models_round_trip_through_a_stream()
    {
        string[] architectures = ["d5-d2", "c2k3-d3", "c3k3p-p2-d4-d2", "c2k2s2-p2-d2"];
        for (var seed = 0; seed < 40; seed++)
        {
            var model = RandomModels.Create(100 + seed, architectures[seed % architectures.Length], seed % 2 == 0 ? "2,8,8" : "1,8,8",
                seed % 3 == 0 ? InputMode.Ttfs : InputMode.Analog, meanStd: seed % 4 < 2);
            using var stream = new MemoryStream();

            ModelFile.Write(model, stream);
            stream.Position = 0;
            var loaded = ModelFile.Read(stream, $"random model {seed}");

            ModelAssert.BitIdentical(model, loaded);
        }
    }

    [Fact]
    public void A_non_seekable_stream_reads_the_same_model()
    {
        var model = RandomModels.Create(21, "c3k3p-p2-d4", "2,6,6", InputMode.Ttfs, meanStd: true);
        using var buffer = new MemoryStream();
        ModelFile.Write(model, buffer);
        using var forwardOnly = new ForwardOnlyStream(new MemoryStream(buffer.ToArray()));

        ModelAssert.BitIdentical(model, ModelFile.Read(forwardOnly, "pipe"));
    }

    [Fact]
    public void Saving_the_same_model_twice_gives_the_same_bytes()
    {
        var model = RandomModels.Create(31, "c3k3p-p2-d4", "2,6,6", InputMode.Analog, meanStd: true);
        ModelFile.Save(model, _folder.File("a.safetensors"));
        ModelFile.Save(model, _folder.File("b.safetensors"));

        Assert.Equal(File.ReadAllBytes(_folder.File("a.safetensors")), File.ReadAllBytes(_folder.File("b.safetensors")));
    }

    [Fact]
    public void A_loaded_model_saves_to_the_same_bytes()
    {
        var model = RandomModels.Create(41, "mnist-cnn", "1,28,28", InputMode.Ttfs, meanStd: true);
        var first = _folder.File("first.safetensors");
        var second = _folder.File("second.safetensors");
        ModelFile.Save(model, first);

        ModelFile.Save(ModelFile.Load(first), second);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void ReadInfo_reports_the_header_without_the_data()
    {
        var model = RandomModels.Create(51, "c3k3p-p2-d4-d2", "2,6,6", InputMode.Ttfs, meanStd: true);
        var path = _folder.File("model.safetensors");
        ModelFile.Save(model, path);

        var info = ModelFile.ReadInfo(path);

        Assert.Equal(path, info.Source);
        Assert.Equal(ModelFile.FormatVersion, info.FormatVersion);
        Assert.Equal("c3k3p1-p2-d4-d2", info.Architecture);
        Assert.Equal(model.Network.Input, info.InputShape);
        Assert.Equal(model.T, info.T);
        Assert.Equal(InputMode.Ttfs, info.InputMode);
        Assert.Equal(model.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal), info.Provenance.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(
            ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"],
            info.Tensors.Select(t => t.Name));
        Assert.Equal([3, 2, 3, 3], info.Tensors[0].Shape);
        Assert.Equal([2, 4], info.Tensors[4].Shape);
        Assert.All(info.Tensors, t => Assert.Equal("F32", t.DType));
        Assert.Equal(model.Network.ParameterCount * 4, info.DataLength);
        Assert.Equal(new FileInfo(path).Length, 8 + info.HeaderLength + info.DataLength);
        Assert.StartsWith("sha256:", info.Checksum, StringComparison.Ordinal);
        Assert.Equal("akkattfs-snn", info.HeaderMetadata["format"]);
    }

    [Fact]
    public void ReadInfo_does_not_read_the_data_so_a_damaged_data_byte_shows_only_on_Load()
    {
        var path = _folder.File("model.safetensors");
        ModelFile.Save(RandomModels.Create(61, "d4-d2", "3"), path);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        Assert.Equal("d4-d2", ModelFile.ReadInfo(path).Architecture);
        Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
    }

    /// <summary>A stream that cannot seek or report its length, like a pipe.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
