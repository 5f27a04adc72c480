using System.Text;

namespace AkkaTtfs.App.Files;

/// <summary>
/// Files the application writes, checked before any work starts, and written so that a failure never
/// leaves half a file behind. (Moved from the CLI as it was; Core's safe-output helper will replace WriteText.)
/// </summary>
public static class OutputFiles
{
    /// <summary>
    /// A file an option will write: not a folder, and in a folder that exists (checked before a run that
    /// may take minutes, not after it).
    /// </summary>
    public static void CheckOutputFile(string path, string option)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"{option} {full} is a folder; give a file name");
        var folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder)) throw new UsageException($"{option} {full}: the folder {folder} does not exist");
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file in the same folder and a rename, so that an
    /// error midway (a full disk, a bug) leaves the old file or none, never a truncated one.
    /// </summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        if (File.Exists(full) && (new FileInfo(full).LinkTarget is not null || full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal)))
        {
            // /dev/stdout, /dev/fd/N (a shell's >(...)), a symlink the user made: written through, not replaced by a renamed file.
            using var direct = new StreamWriter(full, false, new UTF8Encoding(false));
            write(direct);
            return;
        }

        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                using (var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true))
                    write(writer);
                stream.Flush(flushToDisk: true);   // on disk before the rename makes it the file, as ModelFile.Save does
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static void WriteText(string path, string text) => WriteText(path, w => w.Write(text));

    /// <summary>Writes binary content (a PNG) through the same temporary file and rename as <see cref="WriteText(string, Action{TextWriter})"/>.</summary>
    public static void WriteBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
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
