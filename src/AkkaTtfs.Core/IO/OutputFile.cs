using System.Text;

namespace AkkaTtfs.Core.IO;

/// <summary>How <see cref="OutputFile"/> writes a path (see the rule on <see cref="OutputFile"/>).</summary>
public enum OutputMethod
{
    /// <summary>A temporary file in the target's folder, flushed to disk, renamed over the target.</summary>
    ReplaceThroughTemporary,

    /// <summary>Opened and written as it is, never created, renamed over or truncated (a device, a pipe).</summary>
    WriteThrough,

    /// <summary>Appended to: a regular file reached through a descriptor link such as /dev/stdout or /dev/fd/N.</summary>
    AppendThroughDescriptor,

    /// <summary>Truncated and written in place: a symbolic link whose target could not be pinned down by name.</summary>
    OverwriteInPlace,
}

/// <summary>Where and how a path will be written: <see cref="Target"/> is the file that receives the bytes.</summary>
public sealed record OutputPlan(string Path, string Target, OutputMethod Method);

/// <summary>
/// The one way the program writes an output file (reports, CSVs, plots, model files), so that a failure
/// never leaves half a file and a special file is never replaced by a renamed regular one.
/// </summary>
/// <remarks>
/// <para>The rule, by what the kernel opens at the path (symbolic links followed):</para>
/// <list type="bullet">
/// <item>a folder, a socket, a block device (a disk: a report written there would destroy its file
/// system) or a file of unknown kind: refused, nothing written;</item>
/// <item>a character device (/dev/null, /dev/full, a terminal) or a FIFO (a pipe; /dev/stdout or a shell's
/// <c>&gt;(...)</c> when they lead to one): written through: opened as it is, never created, renamed over
/// or truncated; a write error (/dev/full) is reported;</item>
/// <item>a regular file reached through a descriptor link (/dev/stdout, /dev/fd/N, /proc/self/fd/N: a
/// file the shell opened, as in <c>--report /dev/stdout &gt; out.json</c>): appended to, as the program's
/// own output on that descriptor would be;</item>
/// <item>otherwise a regular file or a new name: written to a temporary file in the same folder, flushed to
/// disk and renamed over the target, so a failure leaves the old file or none. An ordinary symbolic link
/// is followed to its final target, which is replaced that way; the link stays.</item>
/// </list>
/// <para><see cref="CheckWritable"/> applies the same rule without writing, so a command can check every
/// output before it starts any work.</para>
/// </remarks>
public static class OutputFile
{
    private const int MaxLinkDepth = 40;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Checks, without writing anything, that <paramref name="path"/> can be written by the rule above: not a
    /// folder, a socket or a block device, in a folder that exists and may be written. Throws an
    /// <see cref="OutputFileException"/> naming the path and the problem.
    /// </summary>
    public static void CheckWritable(string path) => Plan(path);

    /// <summary>How <paramref name="path"/> would be written, or an <see cref="OutputFileException"/> if it cannot be.</summary>
    public static OutputPlan Plan(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var status = FileProbe.Stat(full);
        switch (status.Kind)
        {
            case FileKind.Directory:
                throw new OutputFileException(full, "it is a folder; give a file name");
            case FileKind.Socket:
                throw new OutputFileException(full, "it is a socket, which cannot be written as a file");
            case FileKind.BlockDevice:
                throw new OutputFileException(full, "it is a block device (a disk or partition); writing a file onto it would destroy what it holds");
            case FileKind.Unknown or FileKind.SymbolicLink:
                throw new OutputFileException(full, $"it cannot be examined: {status.Error ?? "unknown file type"}");
            case FileKind.CharacterDevice or FileKind.Fifo:
                RequireWritable(full, full, status.Kind);
                return new OutputPlan(full, full, OutputMethod.WriteThrough);
            default:
                return PlanFile(full, status);
        }
    }

    /// <summary>Writes <paramref name="path"/> by the rule above; <paramref name="write"/> fills the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        using var staged = Stage(path, write);
        staged.Commit();
    }

    /// <summary>
    /// Writes <paramref name="path"/> by the rule above, but leaves a regular file's temporary file unrenamed:
    /// <see cref="StagedOutput.Commit"/> puts it in place, disposing without a commit removes it. A command with
    /// several outputs stages them all and commits them together, so a failure or an interrupt between two
    /// files leaves none of them. A device, a pipe or a descriptor link is written at once (nothing to rename).
    /// </summary>
    public static StagedOutput Stage(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var plan = Plan(path);
        if (plan.Method != OutputMethod.ReplaceThroughTemporary)
        {
            WriteInPlace(plan, write);
            return new StagedOutput(plan, null);
        }

        return new StagedOutput(plan, WriteTemporary(plan, write));
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> by the rule above.</summary>
    public static void WriteBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>Writes UTF-8 text (no byte-order mark) to <paramref name="path"/> by the rule above.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true);
            write(writer);
        });
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> by the rule above.</summary>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteText(path, writer => writer.Write(text));
    }

    /// <summary>A regular file or a new name: where the bytes land and whether a rename can put them there.</summary>
    private static OutputPlan PlanFile(string full, FileStatus status)
    {
        var (target, throughDescriptor) = FollowLinks(full);
        if (throughDescriptor)
        {
            if (status.Kind == FileKind.Missing)
                throw new OutputFileException(full, "it is a descriptor link to no open file");
            RequireWritable(full, full, status.Kind);
            return new OutputPlan(full, full, OutputMethod.AppendThroughDescriptor);
        }

        if (status.Kind == FileKind.Regular && !FileProbe.Stat(target).SameFileAs(status))
        {
            // A relative link through a linked folder can lead elsewhere than its text says: the kernel's
            // file is written in place rather than a wrong one replaced.
            RequireWritable(full, full, status.Kind);
            return new OutputPlan(full, full, OutputMethod.OverwriteInPlace);
        }

        var folder = System.IO.Path.GetDirectoryName(target)
            ?? throw new OutputFileException(full, "it names no file inside a folder");
        var folderStatus = FileProbe.Stat(folder);
        var via = target == full ? "" : $" (the target of the link {full})";
        if (folderStatus.Kind == FileKind.Missing)
            throw new OutputFileException(full, $"the folder {folder}{via} does not exist");
        if (folderStatus.Kind != FileKind.Directory)
            throw new OutputFileException(full, $"{folder}{via} is {FileProbe.Describe(folderStatus.Kind)}, not a folder");
        if (!FileProbe.CanWrite(folder))
            throw new OutputFileException(full, $"the folder {folder}{via} is not writable (the file is written to a temporary file there, then renamed)");
        if (status.Kind == FileKind.Regular)
            RequireWritable(full, target, status.Kind);
        return new OutputPlan(full, target, OutputMethod.ReplaceThroughTemporary);
    }

    /// <summary>
    /// Follows the symbolic links of <paramref name="full"/> by name to the final target. A link that lives
    /// in /proc (where /dev/stdout and /dev/fd/N lead) names an open descriptor, not a place for a new file:
    /// that is reported instead of a target.
    /// </summary>
    private static (string Target, bool ThroughDescriptor) FollowLinks(string full)
    {
        var procDevice = FileProbe.LinkStat("/proc/self").Device;
        var current = full;
        for (var depth = 0; depth < MaxLinkDepth; depth++)
        {
            var link = FileProbe.LinkStat(current);
            if (link.Kind != FileKind.SymbolicLink)
                return (current, false);
            if (link.Device != 0 && link.Device == procDevice)
                return (current, true);
            var linkTarget = new FileInfo(current).LinkTarget;
            if (linkTarget is null)
                return (current, false);
            current = System.IO.Path.GetFullPath(linkTarget, System.IO.Path.GetDirectoryName(current)!);
        }

        throw new OutputFileException(full, $"it is a chain of more than {MaxLinkDepth} symbolic links (a loop?)");
    }

    private static void RequireWritable(string full, string target, FileKind kind)
    {
        if (!FileProbe.CanWrite(target))
            throw new OutputFileException(full, $"{(target == full ? "it" : target)} is {FileProbe.Describe(kind)} this user may not write");
    }

    /// <summary>Writes a temporary file next to the plan's target, flushed to disk; on failure it is removed.</summary>
    private static string WriteTemporary(OutputPlan plan, Action<Stream> write)
    {
        var folder = System.IO.Path.GetDirectoryName(plan.Target)!;
        var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(plan.Target)}.{Guid.NewGuid():N}.tmp");
        FileStream file;
        try
        {
            file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFileException(plan.Path, $"cannot create a temporary file in {folder}: {e.Message}", e);
        }

        try
        {
            Fill(file, plan.Path, write, flushToDisk: true);
            return temporary;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Renames a staged temporary file over its target; the temporary file is gone afterwards either way.</summary>
    internal static void CommitTemporary(OutputPlan plan, string temporary)
    {
        try
        {
            // The target may have changed kind since the plan (another process): never rename over a special file.
            var now = FileProbe.Stat(plan.Target).Kind;
            if (now is not (FileKind.Regular or FileKind.Missing))
                throw new OutputFileException(plan.Path, $"{plan.Target} became {FileProbe.Describe(now)} while it was being written; it was left alone");
            try
            {
                File.Move(temporary, plan.Target, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputFileException(plan.Path, $"renaming the temporary file over it failed: {e.Message}", e);
            }
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private static void WriteInPlace(OutputPlan plan, Action<Stream> write)
    {
        var mode = plan.Method switch
        {
            OutputMethod.AppendThroughDescriptor => FileMode.Append,
            OutputMethod.OverwriteInPlace => FileMode.Create,
            _ => FileMode.Open,
        };
        FileStream stream;
        try
        {
            // FileShare.ReadWrite: no advisory lock on a device or pipe that others use at the same time.
            stream = new FileStream(plan.Target, mode, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFileException(plan.Path, $"it cannot be opened for writing: {e.Message}", e);
        }

        Fill(stream, plan.Path, write, flushToDisk: false);
    }

    /// <summary>
    /// Runs <paramref name="write"/> on <paramref name="stream"/>, flushes and closes it. A plain
    /// <see cref="IOException"/> while writing (a full disk, /dev/full) becomes an <see cref="OutputFileException"/>
    /// naming the path; after a failure the stream is closed without a second flush, whose error would hide the first.
    /// </summary>
    private static void Fill(FileStream stream, string path, Action<Stream> write, bool flushToDisk)
    {
        try
        {
            write(stream);
            stream.Flush(flushToDisk);
        }
        catch (Exception e)
        {
            DisposeQuietly(stream);
            if (e.GetType() == typeof(IOException))
                throw new OutputFileException(path, $"writing failed: {e.Message}", e);
            throw;
        }

        stream.Dispose();
    }

    private static void DisposeQuietly(Stream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The bytes still buffered failed to write once already; the first error is the one reported.
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one to report; a stray temporary file is named by its .tmp suffix.
        }
    }
}

/// <summary>
/// An output written by <see cref="OutputFile.Stage"/> but not yet in place: <see cref="Commit"/> renames its
/// temporary file over the target; <see cref="Dispose"/> without a commit removes the temporary file.
/// </summary>
public sealed class StagedOutput : IDisposable
{
    private string? _temporary;

    internal StagedOutput(OutputPlan plan, string? temporary)
    {
        Plan = plan;
        _temporary = temporary;
    }

    /// <summary>Where and how the output goes.</summary>
    public OutputPlan Plan { get; }

    /// <summary>The temporary file waiting for <see cref="Commit"/>; null once committed or discarded, or when the output was written at once.</summary>
    public string? Temporary => _temporary;

    /// <summary>Puts the output in place (a rename); nothing to do for an output written at once.</summary>
    public void Commit()
    {
        if (_temporary is not { } temporary) return;
        _temporary = null;
        OutputFile.CommitTemporary(Plan, temporary);
    }

    /// <summary>Removes the temporary file unless it was committed.</summary>
    public void Dispose()
    {
        if (_temporary is not { } temporary) return;
        _temporary = null;
        OutputFile.TryDelete(temporary);
    }
}
