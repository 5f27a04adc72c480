using AkkaTtfs.App;

namespace AkkaTtfs.Cli.Commands;

/// <summary>Turns the expected failures (bad files, bad specs) into one clear line on stderr and exit code 2.</summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    /// <summary>Exit code of a command stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

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
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted");
            return Interrupted;
        }
    }

    /// <summary>
    /// A token cancelled by the first Ctrl+C, so that a long command (training, a cluster run) stops cleanly and
    /// removes what it made; a second Ctrl+C ends the process at once, as usual.
    /// </summary>
    public static CancellationTokenSource CancelOnCtrlC()
    {
        var source = new CancellationTokenSource();
        ConsoleCancelEventHandler? handler = null;
        handler = (_, e) =>
        {
            Console.CancelKeyPress -= handler;
            e.Cancel = true;
            Console.Error.WriteLine("interrupting (Ctrl+C again to end at once)");
            source.Cancel();
        };
        Console.CancelKeyPress += handler;
        return source;
    }

    /// <summary>The application layer's expected failures (<see cref="ExpectedFailures"/>) and the CLI's own usage errors.</summary>
    public static bool IsExpected(Exception ex) => ex is CliUsageException || ExpectedFailures.IsExpected(ex);

    public static string OneLine(string message) => ExpectedFailures.OneLine(message);
}

/// <summary>An option combination that cannot work; reported like any other bad input.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
