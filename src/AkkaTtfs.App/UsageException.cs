using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App;

/// <summary>A request that cannot work (an option combination, a file, a spec); reported like any other bad input.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Which failures are the input's fault or the machine's, and so one line for the user rather than a stack trace.</summary>
public static class ExpectedFailures
{
    /// <summary>
    /// Bad files and specs, a file that cannot be written, a folder where a file should be. Plain
    /// <see cref="IOException"/> is included, not only its subclasses: writing to a path that is a folder, or
    /// to a full disk, throws exactly that. Anything else is a bug and keeps its stack trace.
    /// </summary>
    public static bool IsExpected(Exception ex) =>
        ex is ModelFileException or InvalidDataException or NetworkSpecException or PartitionPlanException or ArgumentException
            or IOException or UnauthorizedAccessException or UsageException;

    /// <summary>A message on one line: some library messages list choices on lines of their own.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
