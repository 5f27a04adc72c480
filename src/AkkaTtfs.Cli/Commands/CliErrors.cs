using AkkaTtfs.Core.Data;
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
        catch (Exception ex) when (ex is ModelFileException or DatasetNotFoundException or InvalidDataException or NetworkSpecException
                                       or PartitionPlanException or ArgumentException or FileNotFoundException or DirectoryNotFoundException
                                       or UnauthorizedAccessException or CliUsageException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
    }
}

/// <summary>An option combination that cannot work; reported like any other bad input.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
