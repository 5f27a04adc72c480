using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Tests.Data;

namespace AkkaTtfs.Core.Tests.IO;

/// <summary>FileProbe reads statx(2) through a hand-written buffer layout: its answers are checked against stat(1).</summary>
public sealed class FileProbeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static FileKind FromStatText(string text) => text switch
    {
        "regular file" or "regular empty file" => FileKind.Regular,
        "directory" => FileKind.Directory,
        "character special file" => FileKind.CharacterDevice,
        "block special file" => FileKind.BlockDevice,
        "fifo" => FileKind.Fifo,
        "socket" => FileKind.Socket,
        "symbolic link" => FileKind.SymbolicLink,
        _ => throw new ArgumentException($"stat(1) said '{text}'"),
    };

    [Fact]
    public void Every_kind_agrees_with_stat()
    {
        var regular = _temp.Write("data.bin", new byte[12345]);
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Path, "pipe"));
        var socketPath = Path.Combine(_temp.Path, "socket");
        using var socket = SpecialFiles.BindSocket(socketPath);
        var link = Path.Combine(_temp.Path, "link");
        File.CreateSymbolicLink(link, fifo);
        string?[] paths = [regular, fifo, socketPath, link, _temp.Path, "/dev/null", "/dev/zero", "/proc/self/status", SpecialFiles.FindBlockDevice()];

        foreach (var path in paths.OfType<string>())
        {
            Assert.Equal(FromStatText(SpecialFiles.KindByStat(path)), FileProbe.Stat(path).Kind);
            Assert.Equal(FromStatText(SpecialFiles.KindByStat(path, followLinks: false)), FileProbe.LinkStat(path).Kind);
        }
    }

    [Fact]
    public void Size_and_inode_agree_with_the_file_system()
    {
        var path = _temp.Write("data.bin", new byte[12345]);
        var copy = _temp.Write("copy.bin", new byte[12345]);
        var link = Path.Combine(_temp.Path, "link");
        File.CreateSymbolicLink(link, path);

        var status = FileProbe.Stat(path);

        Assert.Equal(12345, status.Size);
        Assert.Equal(SpecialFiles.InodeByStat(path), status.Inode);
        Assert.True(status.SameFileAs(FileProbe.Stat(link)));
        Assert.False(status.SameFileAs(FileProbe.Stat(copy)));
    }

    [Fact]
    public void Missing_paths_and_link_loops_are_told_apart()
    {
        var file = _temp.Write("file", [1]);
        var a = Path.Combine(_temp.Path, "a");
        File.CreateSymbolicLink(a, a);

        Assert.Equal(FileKind.Missing, FileProbe.Stat(Path.Combine(_temp.Path, "none")).Kind);
        Assert.Equal(FileKind.Missing, FileProbe.Stat(Path.Combine(file, "under-a-file")).Kind);
        var loop = FileProbe.Stat(a);
        Assert.Equal(FileKind.Unknown, loop.Kind);
        Assert.Contains("symbolic links", loop.Error, StringComparison.Ordinal);
    }
}
