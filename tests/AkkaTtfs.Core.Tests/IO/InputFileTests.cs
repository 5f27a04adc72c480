using System.Text;
using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Tests.Data;

namespace AkkaTtfs.Core.Tests.IO;

/// <summary>Only regular files are opened for reading, and no read goes past the size a file can have.</summary>
public sealed class InputFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_regular_file_and_a_link_to_one_are_read()
    {
        var path = _temp.Write("plan.json", Encoding.UTF8.GetBytes("{}"));
        var link = Path.Combine(_temp.Path, "link.json");
        File.CreateSymbolicLink(link, path);

        Assert.Equal("{}", InputFile.ReadAllText(path, "fault plan", 100));
        Assert.Equal("{}", InputFile.ReadAllText(link, "fault plan", 100));
    }

    [Fact]
    public void A_FIFO_is_refused_before_it_is_opened_so_nothing_blocks()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Path, "model.safetensors"));

        var error = SpecialFiles.ThrowsWithoutBlocking<InputFileException>(fifo, () => InputFile.OpenRead(fifo, "model file"));

        Assert.Equal($"model file {fifo}: is a FIFO (named pipe), not a regular file; reading it would wait for a writer, perhaps forever", error.Message);
        Assert.Equal(FileKind.Fifo, error.Kind);
        Assert.Equal("fifo", SpecialFiles.KindByStat(fifo));
    }

    [Fact]
    public void A_link_to_a_FIFO_is_refused_too()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Path, "pipe"));
        var link = Path.Combine(_temp.Path, "plan.json");
        File.CreateSymbolicLink(link, fifo);

        var error = SpecialFiles.ThrowsWithoutBlocking<InputFileException>(fifo, () => InputFile.ReadAllBytes(link, "fault plan", 1000));

        Assert.Contains($"fault plan {link}: is a FIFO", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/dev/null")]
    public void A_character_device_is_refused_not_read_until_memory_runs_out(string device)
    {
        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes(device, "fault plan", long.MaxValue));

        Assert.StartsWith($"fault plan {device}: is a character device, not a regular file", error.Message, StringComparison.Ordinal);
        Assert.Equal(FileKind.CharacterDevice, error.Kind);
    }

    [Fact]
    public void A_socket_is_refused()
    {
        var path = Path.Combine(_temp.Path, "socket");
        using var socket = SpecialFiles.BindSocket(path);

        var error = Assert.Throws<InputFileException>(() => InputFile.OpenRead(path, "IDX image file"));

        Assert.Equal($"IDX image file {path}: is a socket, not a regular file", error.Message);
    }

    [Fact]
    public void A_folder_and_a_missing_file_are_named()
    {
        var missingFolder = Path.Combine(_temp.Path, "nowhere");

        var folder = Assert.Throws<InputFileException>(() => InputFile.OpenRead(_temp.Path, "model file"));
        var missing = Assert.Throws<InputFileException>(() => InputFile.OpenRead(Path.Combine(_temp.Path, "none.bin"), "model file"));
        var inMissingFolder = Assert.Throws<InputFileException>(() => InputFile.OpenRead(Path.Combine(missingFolder, "none.bin"), "model file"));

        Assert.Equal($"model file {_temp.Path}: is a folder, not a file", folder.Message);
        Assert.Equal(FileKind.Missing, missing.Kind);
        Assert.EndsWith(": does not exist", missing.Message, StringComparison.Ordinal);
        Assert.EndsWith($"does not exist (there is no folder {missingFolder})", inMissingFolder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_is_read_up_to_its_limit_and_refused_one_byte_past_it()
    {
        var path = _temp.Write("plan.json", new byte[100]);

        Assert.Equal(100, InputFile.ReadAllBytes(path, "fault plan", 100).Length);
        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes(path, "fault plan", 99));

        Assert.Equal($"fault plan {path}: is 100 bytes, more than the 99 bytes a fault plan can be", error.Message);
    }

    [Fact]
    public void A_proc_file_that_reports_no_length_is_still_bounded()
    {
        // /proc files are regular but report length 0; only the bounded read catches their size.
        Assert.Equal("regular empty file", SpecialFiles.KindByStat("/proc/self/status"));

        var all = InputFile.ReadAllText("/proc/self/status", "status", 1 << 20);
        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes("/proc/self/status", "status", 16));

        Assert.Contains("Pid:", all, StringComparison.Ordinal);
        Assert.Equal("status /proc/self/status: holds more than the 16 bytes a status can be", error.Message);
    }

    [Fact]
    public void A_stream_without_end_is_cut_at_the_limit()
    {
        using var endless = new EndlessStream();

        var error = Assert.Throws<InputFileException>(() => InputFile.ReadToEnd(endless, "x", "data section", 1_000_000));

        Assert.Contains("holds more than the 1,000,000 bytes", error.Message, StringComparison.Ordinal);
        Assert.InRange(endless.Served, 1_000_001, 1_000_001 + (1 << 16));
    }

    [Fact]
    public void Text_that_is_not_UTF8_is_refused_and_a_byte_order_mark_skipped()
    {
        var bad = _temp.Write("bad.json", [(byte)'{', 0xFF, (byte)'}']);
        var third = _temp.Write("third.json", [(byte)'{', (byte)'\n', (byte)'\n', (byte)'"', 0xC3, (byte)'}']);
        var bom = _temp.Write("bom.json", [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']);

        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllText(bad, "fault plan", 100));
        var onThirdLine = Assert.Throws<InputFileException>(() => InputFile.ReadAllText(third, "fault plan", 100));

        Assert.Equal($"fault plan {bad}: is not UTF-8 text (invalid bytes at offset 1, line 1)", error.Message);
        Assert.Equal($"fault plan {third}: is not UTF-8 text (invalid bytes at offset 4, line 3)", onThirdLine.Message);
        Assert.Equal("{}", InputFile.ReadAllText(bom, "fault plan", 100));
    }

    /// <summary>Zeros without end, counting what it served: /dev/zero without the device.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Served += count;
            return count;
        }
    }
}
