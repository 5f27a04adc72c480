using AkkaTtfs.Core.IO;

namespace AkkaTtfs.App.Files;

/// <summary>
/// The outputs of one command, put in place together. While a set is open, <see cref="OutputFiles.Write"/>
/// leaves every regular file as a temporary file next to its target; <see cref="Commit"/> renames them all at
/// the end. A failure or an interrupt (Ctrl+C) before the commit disposes the set: the temporary files and the
/// folders it was told about go, and no output of the command appears, so a command with several files never
/// leaves some of them. (A device or pipe is written through at once: there is nothing to rename.)
/// </summary>
/// <remarks>
/// One set at a time per process (a command runs once per process). From its first temporary file to its end
/// the set holds the <see cref="WriteGate"/>, so that a Ctrl+C makes the next write or the commit fail (and the
/// command clean up and exit 130) instead of ending the process with temporary files left on disk.
/// </remarks>
public sealed class OutputSet : IDisposable
{
    private static OutputSet? _current;

    private readonly Lock _lock = new();
    private readonly List<(StagedOutput Staged, string? CreatedPath)> _staged = [];
    private readonly List<OutputFolder> _folders = [];
    private IDisposable? _gate;
    private bool _ended;

    private OutputSet()
    {
    }

    /// <summary>The open set, or null: outputs are then put in place one by one.</summary>
    internal static OutputSet? Current => Volatile.Read(ref _current);

    /// <summary>Opens the set of this command's outputs; dispose it (after <see cref="Commit"/> or on failure).</summary>
    public static OutputSet Begin()
    {
        var set = new OutputSet();
        if (Interlocked.CompareExchange(ref _current, set, null) is not null)
            throw new InvalidOperationException("an output set is already open in this process");
        return set;
    }

    /// <summary>A folder this command created for its outputs: removed again (if still empty) when the set is not committed.</summary>
    public void AddFolder(OutputFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        lock (_lock) _folders.Add(folder);
    }

    internal void Add(StagedOutput staged, string? createdPath)
    {
        lock (_lock)
        {
            if (staged.Temporary is not null && _gate is null)
            {
                try
                {
                    _gate = WriteGate.Hold();
                }
                catch
                {
                    staged.Dispose();
                    throw;
                }
            }

            _staged.Add((staged, createdPath));
        }
    }

    /// <summary>
    /// Renames every staged file into place, in the order written. Refused once interrupted (nothing is put in
    /// place). A rename that fails leaves the files renamed before it in place (new ones are removed again by
    /// the command's cleanup, <see cref="OutputFiles.RemoveCreated"/>) and the rest unwritten.
    /// </summary>
    public void Commit()
    {
        lock (_lock)
        {
            WriteGate.ThrowIfInterrupted();
            foreach (var (staged, createdPath) in _staged)
            {
                try
                {
                    staged.Commit();
                }
                catch (OutputFileException ex)
                {
                    throw OutputFiles.Named(staged.Plan.Path, ex);
                }

                if (createdPath is not null) OutputFiles.Created(createdPath);
            }

            _staged.Clear();
            _folders.Clear();
        }
    }

    /// <summary>Removes what was not committed (temporary files, then the folders it made) and closes the set.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_ended) return;
            _ended = true;
            foreach (var (staged, _) in _staged) staged.Dispose();
            _staged.Clear();
            for (var i = _folders.Count - 1; i >= 0; i--) _folders[i].RemoveIfCreated();
            _folders.Clear();
            _gate?.Dispose();
            _gate = null;
        }

        Interlocked.CompareExchange(ref _current, null, this);
    }
}
