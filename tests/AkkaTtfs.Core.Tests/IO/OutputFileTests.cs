using System.Text;
using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Tests.Data;

namespace AkkaTtfs.Core.Tests.IO;

/// <summary>
/// The output rule: regular files replaced whole through a temporary file; devices and pipes written through
/// and never replaced; folders, sockets and block devices refused. What a path is afterwards is asked of
/// stat(1), not of the code under test.
/// </summary>
public sealed class OutputFileTests : IDisposable
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"schema_version\":1}\n");
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] Entries() => Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_new_file_is_written_through_a_temporary_file_and_nothing_else_is_left()
    {
        var path = Path.Combine(_temp.Path, "report.json");

        Assert.Equal(OutputMethod.ReplaceThroughTemporary, OutputFile.Plan(path).Method);
        OutputFile.WriteBytes(path, Payload);

        Assert.Equal(Payload, File.ReadAllBytes(path));
        Assert.Equal(["report.json"], Entries());
    }

    [Fact]
    public void An_existing_file_is_replaced_by_a_new_one_not_rewritten_in_place()
    {
        var path = _temp.Write("report.json", Encoding.UTF8.GetBytes("old content that is longer than the new one"));
        var before = SpecialFiles.InodeByStat(path);

        OutputFile.WriteText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.NotEqual(before, SpecialFiles.InodeByStat(path));   // a rename put a new file there
        Assert.Equal(["report.json"], Entries());
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_old_file_and_no_temporary_file()
    {
        var path = _temp.Write("report.json", Payload);

        var error = Assert.Throws<OutputFileException>(() => OutputFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal($"cannot write {path}: writing failed: disk full (simulated)", error.Message);
        Assert.Equal(Payload, File.ReadAllBytes(path));
        Assert.Equal(["report.json"], Entries());
    }

    [Fact]
    public void An_exception_of_the_caller_passes_unchanged_and_leaves_nothing()
    {
        var path = Path.Combine(_temp.Path, "report.json");

        Assert.Throws<InvalidOperationException>(() => OutputFile.Write(path, _ => throw new InvalidOperationException("bug")));

        Assert.Empty(Entries());
    }

    [Fact]
    public void A_staged_file_appears_only_when_committed_and_a_discarded_one_leaves_the_old_file()
    {
        var kept = _temp.Write("kept.json", Encoding.UTF8.GetBytes("old"));
        var fresh = Path.Combine(_temp.Path, "fresh.json");

        using (var staged = OutputFile.Stage(kept, s => s.Write(Payload)))
        using (var other = OutputFile.Stage(fresh, s => s.Write(Payload)))
        {
            // Both written, neither in place: the old file unchanged, the new name absent, two temporary files.
            Assert.Equal("old", File.ReadAllText(kept));
            Assert.False(File.Exists(fresh));
            Assert.Equal(3, Entries().Length);     // kept.json and the two temporary files
            Assert.All(new[] { staged.Temporary, other.Temporary }, t => Assert.True(File.Exists(t)));
            other.Commit();
            Assert.Equal(Payload, File.ReadAllBytes(fresh));
        }

        // The uncommitted one was discarded on dispose: its temporary file gone, the old file intact.
        Assert.Equal("old", File.ReadAllText(kept));
        Assert.Equal(["fresh.json", "kept.json"], Entries());
    }

    [Fact]
    public void A_staged_write_to_a_character_device_happens_at_once_with_nothing_to_commit()
    {
        using var staged = OutputFile.Stage("/dev/null", s => s.Write(Payload));
        Assert.Equal(OutputMethod.WriteThrough, staged.Plan.Method);
        Assert.Null(staged.Temporary);
        staged.Commit();
        Assert.Equal("character special file", SpecialFiles.KindByStat("/dev/null"));
    }

    [Fact]
    public void A_folder_is_refused_and_left_alone()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "out")).FullName;

        var error = Assert.Throws<OutputFileException>(() => OutputFile.CheckWritable(folder));

        Assert.Equal($"cannot write {folder}: it is a folder; give a file name", error.Message);
        Assert.Throws<OutputFileException>(() => OutputFile.WriteBytes(folder, Payload));
        Assert.Equal("directory", SpecialFiles.KindByStat(folder));
    }

    [Fact]
    public void A_missing_folder_is_named_and_not_created()
    {
        var folder = Path.Combine(_temp.Path, "missing");
        var path = Path.Combine(folder, "report.json");

        var error = Assert.Throws<OutputFileException>(() => OutputFile.WriteBytes(path, Payload));

        Assert.Equal($"cannot write {path}: the folder {folder} does not exist", error.Message);
        Assert.Empty(Entries());
    }

    [Fact]
    public void A_file_where_the_folder_should_be_is_named()
    {
        var file = _temp.Write("plain.txt", Payload);
        var path = Path.Combine(file, "report.json");

        var error = Assert.Throws<OutputFileException>(() => OutputFile.CheckWritable(path));

        Assert.Contains($"{file} is a regular file, not a folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_null_is_written_through_and_stays_a_character_device()
    {
        var plan = OutputFile.Plan("/dev/null");

        OutputFile.WriteBytes("/dev/null", Payload);
        OutputFile.WriteText("/dev/null", "text");

        Assert.Equal(OutputMethod.WriteThrough, plan.Method);
        Assert.Equal("character special file", SpecialFiles.KindByStat("/dev/null"));
    }

    [Fact]
    public void A_character_device_is_planned_as_write_through_not_replacement()
    {
        // Only planned: tests write to no device but /dev/null.
        Assert.Equal(new OutputPlan("/dev/full", "/dev/full", OutputMethod.WriteThrough), OutputFile.Plan("/dev/full"));
        Assert.Equal(OutputMethod.WriteThrough, OutputFile.Plan("/dev/zero").Method);
    }

    [Fact]
    public void A_FIFO_is_written_through_to_its_reader_and_stays_a_FIFO()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Path, "pipe"));

        var received = SpecialFiles.ReadWhile(fifo, () => OutputFile.WriteBytes(fifo, Payload));

        Assert.Equal(Payload, received);
        Assert.Equal("fifo", SpecialFiles.KindByStat(fifo));
        Assert.Equal(["pipe"], Entries());
    }

    [Fact]
    public void A_socket_is_refused_and_stays_a_socket()
    {
        var path = Path.Combine(_temp.Path, "socket");
        using var socket = SpecialFiles.BindSocket(path);

        var error = Assert.Throws<OutputFileException>(() => OutputFile.WriteBytes(path, Payload));

        Assert.Contains("it is a socket", error.Message, StringComparison.Ordinal);
        Assert.Equal("socket", SpecialFiles.KindByStat(path));
        Assert.Equal(["socket"], Entries());
    }

    [Fact]
    public void A_block_device_is_refused_by_the_check_without_writing()
    {
        var device = BlockDevice();

        var error = Assert.Throws<OutputFileException>(() => OutputFile.CheckWritable(device));

        Assert.Contains("block device", error.Message, StringComparison.Ordinal);
        Assert.Equal("block special file", SpecialFiles.KindByStat(device));
    }

    [Fact]
    public void A_symbolic_link_to_a_file_is_kept_and_its_target_replaced()
    {
        var target = _temp.Write("real.json", Encoding.UTF8.GetBytes("old"));
        var link = Path.Combine(_temp.Path, "link.json");
        File.CreateSymbolicLink(link, "real.json");

        var plan = OutputFile.Plan(link);
        OutputFile.WriteBytes(link, Payload);

        Assert.Equal(new OutputPlan(link, target, OutputMethod.ReplaceThroughTemporary), plan);
        Assert.Equal("symbolic link", SpecialFiles.KindByStat(link, followLinks: false));
        Assert.Equal("real.json", new FileInfo(link).LinkTarget);
        Assert.Equal(Payload, File.ReadAllBytes(target));
        Assert.Equal(["link.json", "real.json"], Entries());
    }

    [Fact]
    public void A_dangling_symbolic_link_gets_its_target_created()
    {
        var link = Path.Combine(_temp.Path, "link.json");
        File.CreateSymbolicLink(link, Path.Combine(_temp.Path, "new.json"));

        OutputFile.WriteBytes(link, Payload);

        Assert.Equal("symbolic link", SpecialFiles.KindByStat(link, followLinks: false));
        Assert.Equal(Payload, File.ReadAllBytes(Path.Combine(_temp.Path, "new.json")));
    }

    [Fact]
    public void A_symbolic_link_to_a_FIFO_is_written_through_to_the_FIFO()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Path, "pipe"));
        var link = Path.Combine(_temp.Path, "out.json");
        File.CreateSymbolicLink(link, fifo);

        var received = SpecialFiles.ReadWhile(fifo, () => OutputFile.WriteBytes(link, Payload));

        Assert.Equal(Payload, received);
        Assert.Equal("fifo", SpecialFiles.KindByStat(fifo));
        Assert.Equal("symbolic link", SpecialFiles.KindByStat(link, followLinks: false));
    }

    [Fact]
    public void A_symbolic_link_loop_is_refused()
    {
        var a = Path.Combine(_temp.Path, "a");
        var b = Path.Combine(_temp.Path, "b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);

        var error = Assert.Throws<OutputFileException>(() => OutputFile.WriteBytes(a, Payload));

        Assert.StartsWith($"cannot write {a}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic links", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], Entries());
    }

    [Theory]
    [InlineData("/proc/self/fd/{0}")]
    [InlineData("/dev/fd/{0}")]
    public void A_file_reached_through_a_descriptor_link_is_appended_to_not_replaced(string pattern)
    {
        // As "--report /dev/stdout > out.json": the shell opened the file; the descriptor's file stays the same.
        var file = _temp.Write("out.json", Encoding.UTF8.GetBytes("printed before\n"));
        var inode = SpecialFiles.InodeByStat(file);
        using var descriptor = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, descriptor.SafeFileHandle.DangerousGetHandle());

        var plan = OutputFile.Plan(path);
        OutputFile.WriteBytes(path, Payload);

        Assert.Equal(OutputMethod.AppendThroughDescriptor, plan.Method);
        Assert.Equal([.. Encoding.UTF8.GetBytes("printed before\n"), .. Payload], File.ReadAllBytes(file));
        Assert.Equal(inode, SpecialFiles.InodeByStat(file));
        Assert.Equal(["out.json"], Entries());
    }

    /// <summary>
    /// A block device to check against (never written): one in /dev if the machine has any, else a node made
    /// here as root with major number 240 ("local/experimental use", bound to no driver).
    /// </summary>
    private string BlockDevice()
    {
        var inDev = SpecialFiles.FindBlockDevice();
        if (inDev is not null)
            return inDev;
        var node = Path.Combine(_temp.Path, "block");
        var make = System.Diagnostics.Process.Start("mknod", [node, "b", "240", "0"]);
        make.WaitForExit();
        Assert.True(make.ExitCode == 0, "this machine has no block device in /dev and mknod (root only) failed: the block-device rule cannot be checked here");
        return node;
    }
}
