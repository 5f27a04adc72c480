using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>Save goes through a temporary file: the target is replaced whole or not at all.</summary>
public sealed class ModelFileSaveTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static SnnModel ModelA => RandomModels.Create(1, "c3k3p-p2-d4", "1,6,6", InputMode.Analog);

    private static SnnModel ModelB => RandomModels.Create(2, "c3k3p-p2-d4", "1,6,6", InputMode.Ttfs, meanStd: true);

    [Fact]
    public void Saving_into_a_missing_folder_names_the_folder_and_creates_nothing()
    {
        var folder = _folder.File("not-there");
        var path = Path.Combine(folder, "model.safetensors");

        var error = Assert.Throws<OutputFileException>(() => ModelFile.Save(ModelA, path));

        Assert.Equal($"cannot write {path}: the folder {folder} does not exist", error.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Saving_onto_a_folder_is_refused()
    {
        var path = _folder.File("a-folder");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<OutputFileException>(() => ModelFile.Save(ModelA, path));

        Assert.Equal($"cannot write {path}: it is a folder; give a file name", error.Message);
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void Saving_over_an_existing_model_replaces_it_and_leaves_no_temporary_file()
    {
        var path = _folder.File("model.safetensors");
        ModelFile.Save(ModelA, path);

        ModelFile.Save(ModelB, path);

        ModelAssert.BitIdentical(ModelB, ModelFile.Load(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_save_that_fails_midway_leaves_the_existing_model_untouched()
    {
        var path = _folder.File("model.safetensors");
        ModelFile.Save(ModelA, path);
        var before = File.ReadAllBytes(path);
        var targetUnchangedDuringWrite = false;

        var error = Assert.Throws<OutputFileException>(() => ModelFile.Save(ModelB, path, file => new FailingStream(file, failAfterBytes: 300, onWrite: () =>
        {
            // While the new model is being written, the target still holds the complete old one.
            targetUnchangedDuringWrite = File.ReadAllBytes(path).AsSpan().SequenceEqual(before);
        })));

        Assert.Equal($"cannot write {path}: writing failed: {FailingStream.Message}", error.Message);
        Assert.True(targetUnchangedDuringWrite);
        Assert.Equal(before, File.ReadAllBytes(path));
        ModelAssert.BitIdentical(ModelA, ModelFile.Load(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_save_that_fails_midway_creates_no_file()
    {
        var path = _folder.File("model.safetensors");

        Assert.Throws<OutputFileException>(() => ModelFile.Save(ModelB, path, file => new FailingStream(file, failAfterBytes: 100, onWrite: () => { })));

        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, int failAfterBytes, Action onWrite) : Stream
    {
        public const string Message = "no space left on device (simulated)";
        private int _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            onWrite();
            var allowed = Math.Min(buffer.Length, failAfterBytes - _written);
            inner.Write(buffer[..allowed]);
            _written += allowed;
            if (allowed < buffer.Length)
            {
                inner.Flush();
                throw new IOException(Message);
            }
        }
    }
}
