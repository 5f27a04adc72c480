namespace AkkaTtfs.Core.IO;

/// <summary>
/// A file that cannot be read as asked: missing, not a regular file, too large, unreadable. The message
/// reads "{what} {path}: {problem}". It is an <see cref="IOException"/>, so every caller that reports a
/// file it cannot read reports this one too.
/// </summary>
public sealed class InputFileException : IOException
{
    public InputFileException(string what, string path, FileKind kind, string problem, Exception? innerException = null)
        : base($"{what} {path}: {problem}", innerException)
    {
        What = what;
        FilePath = path;
        Kind = kind;
        Problem = problem;
    }

    /// <summary>What the file was meant to be ("model file", "fault plan").</summary>
    public string What { get; }

    public string FilePath { get; }

    /// <summary>What the path turned out to be (<see cref="FileKind.Missing"/> when it does not exist).</summary>
    public FileKind Kind { get; }

    /// <summary>What is wrong, without the file in front.</summary>
    public string Problem { get; }
}

/// <summary>
/// A path that cannot be written, or a write that failed: the message reads "cannot write {path}: {problem}".
/// An <see cref="IOException"/>, so callers that report a file they cannot write report it too.
/// </summary>
public sealed class OutputFileException : IOException
{
    public OutputFileException(string path, string problem, Exception? innerException = null)
        : base($"cannot write {path}: {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>What is wrong, without the file in front (for callers that name the option instead).</summary>
    public string Problem { get; }
}
