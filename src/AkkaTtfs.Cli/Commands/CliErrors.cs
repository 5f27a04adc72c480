using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cli.Commands;

/// <summary>Turns the expected failures (bad files, bad specs) into one clear line on stderr and exit code 2.</summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            Console.Error.WriteLine($"error: {OneLine(ex.Message)}");
            return BadInput;
        }
    }

    /// <summary>
    /// Failures that are the input's fault or the machine's (a file that cannot be written, a folder where a
    /// file should be): reported in one line. Anything else is a bug and keeps its stack trace.
    /// Plain <see cref="IOException"/> is included, not only its subclasses: writing to a path that is a
    /// folder, or to a full disk, throws exactly that.
    /// </summary>
    public static bool IsExpected(Exception ex) =>
        ex is ModelFileException or InvalidDataException or NetworkSpecException or PartitionPlanException or ArgumentException
            or IOException or UnauthorizedAccessException or CliUsageException;

    /// <summary>A message on one line: some library messages list choices on lines of their own.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>An option combination that cannot work; reported like any other bad input.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
