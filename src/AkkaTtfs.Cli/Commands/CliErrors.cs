using AkkaTtfs.App;

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

    /// <summary>The application layer's expected failures (<see cref="ExpectedFailures"/>) and the CLI's own usage errors.</summary>
    public static bool IsExpected(Exception ex) => ex is CliUsageException || ExpectedFailures.IsExpected(ex);

    public static string OneLine(string message) => ExpectedFailures.OneLine(message);
}

/// <summary>An option combination that cannot work; reported like any other bad input.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
