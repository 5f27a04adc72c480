using AkkaTtfs.Core.IO;

namespace AkkaTtfs.App.Files;

/// <summary>
/// The files the application writes: every one checked by <see cref="CheckOutputFile"/> before any work
/// starts, and written at the end by Core's <see cref="OutputFile"/> (a regular file through a temporary
/// file and a rename; a device or a pipe written through, never replaced; a folder, socket or disk refused).
/// </summary>
public static class OutputFiles
{
    // This process's bookkeeping (a command runs once per process): which option named a file, which files it created.
    private static readonly List<string> Written = [];
    private static readonly Dictionary<string, string> OptionOf = new(StringComparer.Ordinal);
    private static readonly System.Text.UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Checks, before a run that may take minutes, that <paramref name="option"/>'s file can be written by
    /// <see cref="OutputFile"/>'s rule; a problem is one <see cref="UsageException"/> naming the option and the file.
    /// </summary>
    public static void CheckOutputFile(string path, string option)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(option);
        try
        {
            OutputFile.CheckWritable(path);
        }
        catch (OutputFileException ex)
        {
            throw new UsageException($"{option} {ex.FilePath}: {ex.Problem}");
        }

        lock (Written) OptionOf[Path.GetFullPath(path)] = option;     // so that a failure at the end names the option too
    }

    /// <summary>
    /// Removes the files this process created (new names only, through <see cref="Write"/>), for a command that
    /// failed or was interrupted after writing some of its outputs: a failed command leaves no new file. A file
    /// that existed before was replaced whole and stays replaced; a device or pipe was written through.
    /// </summary>
    public static void RemoveCreated()
    {
        lock (Written)
        {
            foreach (var file in Written)
            {
                try
                {
                    if (File.Exists(file)) File.Delete(file);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The command's own error is the one to report.
                }
            }

            Written.Clear();
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> by <see cref="OutputFile"/>'s rule; <paramref name="write"/> fills the stream.
    /// An interrupt (<see cref="WriteGate"/>) stops the write at the next block of bytes, and the temporary file goes.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var created = !File.Exists(full) && new FileInfo(full).LinkTarget is null;
        var set = OutputSet.Current;
        StagedOutput? staged = null;
        try
        {
            WriteGate.Writing(() => staged = OutputFile.Stage(full, stream =>
            {
                using var interruptible = new InterruptibleStream(stream);
                write(interruptible);
            }));
            if (set is not null)
            {
                set.Add(staged!, created ? full : null);     // renamed into place with the set's other files
                return;
            }

            staged!.Commit();
        }
        catch (OutputFileException ex)
        {
            throw Named(full, ex);
        }
        finally
        {
            if (set is null) staged?.Dispose();
        }

        if (created) Created(full);
    }

    /// <summary>A write failure as a usage error naming the option that gave the file, when one did.</summary>
    internal static Exception Named(string full, OutputFileException ex)
    {
        string? option;
        lock (Written) OptionOf.TryGetValue(full, out option);
        return option is null ? ex : new UsageException($"{option} {ex.FilePath}: {ex.Problem}");
    }

    /// <summary>Records a file this process created, for <see cref="RemoveCreated"/>.</summary>
    internal static void Created(string full)
    {
        lock (Written) Written.Add(full);
    }

    /// <summary>UTF-8 text (no byte-order mark), as <see cref="Write"/>.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true);
            write(writer);
        });
    }

    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteText(path, writer => writer.Write(text));
    }

    public static void WriteBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>Passes writes through to the output file, refusing them once the process is interrupted.</summary>
    private sealed class InterruptibleStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            WriteGate.ThrowIfInterrupted();
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>
/// Whether this process is writing an output file, so that an interrupt (Ctrl+C) knows whether it may end the
/// process at once. Outputs are written only at the end of a command: an interrupt during the work ends it
/// with nothing written; one during a write makes the write stop (<see cref="ThrowIfInterrupted"/> in long
/// writers, the check before every file), so that <see cref="OutputFile"/> removes its temporary file and no
/// further file is started.
/// </summary>
public static class WriteGate
{
    private static readonly Lock Gate = new();
    private static int _writing;
    private static volatile bool _interrupted;

    /// <summary>True once <see cref="Interrupt"/> was called.</summary>
    public static bool Interrupted => _interrupted;

    /// <summary>
    /// Marks the process interrupted: no further write starts. Returns true when no write is in progress, so
    /// the caller may end the process now without leaving a file behind.
    /// </summary>
    public static bool Interrupt()
    {
        lock (Gate)
        {
            _interrupted = true;
            return _writing == 0;
        }
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> once interrupted (long writers call it every few thousand lines).</summary>
    public static void ThrowIfInterrupted()
    {
        if (_interrupted) throw new OperationCanceledException("interrupted while writing an output file");
    }

    /// <summary>
    /// Counts as a write in progress until disposed (refused once interrupted): an <see cref="OutputSet"/> holding
    /// temporary files holds it, so that an interrupt stops the command through its cleanup instead of ending the
    /// process with the temporary files still there.
    /// </summary>
    public static IDisposable Hold()
    {
        lock (Gate)
        {
            ThrowIfInterrupted();
            _writing++;
        }

        var released = 0;
        return new Release(() =>
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
                lock (Gate) _writing--;
        });
    }

    /// <summary>Runs <paramref name="write"/> as a write in progress; refused once interrupted.</summary>
    public static void Writing(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (Gate)
        {
            ThrowIfInterrupted();
            _writing++;
        }

        try
        {
            write();
        }
        finally
        {
            lock (Gate) _writing--;
        }
    }
}

/// <summary>Runs an action once on Dispose.</summary>
internal sealed class Release(Action action) : IDisposable
{
    public void Dispose() => action();
}

/// <summary>
/// A report folder a command is about to create: remembers which folders it made (runs/ too, for the
/// default runs/run-&lt;time&gt;), so that a failed command removes only what it made itself.
/// </summary>
public sealed class OutputFolder
{
    private readonly List<string> _created;

    private OutputFolder(string path, List<string> created)
    {
        Path = path;
        _created = created;
    }

    public string Path { get; }

    public static OutputFolder Create(string path)
    {
        var created = new List<string>();     // innermost first
        for (var d = System.IO.Path.GetFullPath(path); d is not null && !Directory.Exists(d); d = System.IO.Path.GetDirectoryName(d))
            created.Add(d);
        Directory.CreateDirectory(path);
        return new OutputFolder(path, created);
    }

    /// <summary>
    /// Removes the folders this command created, innermost first, but only while they are empty: never
    /// recursively, so a file that something else wrote there meanwhile (another run that picked the same
    /// folder) survives, and the folder with it. Returns a note when a folder could not be removed.
    /// </summary>
    public string? RemoveIfCreated()
    {
        try
        {
            foreach (var folder in _created)
            {
                if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).Any()) break;
                Directory.Delete(folder);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"could not remove the report folder {Path}: {ex.Message}";
        }
    }
}
