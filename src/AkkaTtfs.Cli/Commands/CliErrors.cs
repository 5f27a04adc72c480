using AkkaTtfs.App;
using AkkaTtfs.App.Files;

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
    /// <see cref="Run"/> for a long command whose work cannot watch a token: Ctrl+C as <see cref="EndOnCtrlC"/> says.
    /// A failed or interrupted command removes the output files it created before the failure.
    /// </summary>
    public static int RunEndingOnCtrlC(Func<int> action)
    {
        var exit = Run(() =>
        {
            using var interrupt = EndOnCtrlC();
            try
            {
                return action();
            }
            catch
            {
                OutputFiles.RemoveCreated();
                throw;
            }
        });
        return exit;
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

    /// <summary>
    /// Ctrl+C for a command whose work cannot watch a token (the Core engines, a campaign, a benchmark). Its
    /// outputs are written only at the end, so the first Ctrl+C during the work ends the process at once, as
    /// Ctrl+C does, with nothing written; during a write it stops the write instead (<see cref="WriteGate"/>: the
    /// temporary file is removed and no further file starts) and the command exits with 130. Dispose to detach.
    /// </summary>
    public static IDisposable EndOnCtrlC()
    {
        ConsoleCancelEventHandler? handler = null;
        handler = (_, e) =>
        {
            Console.CancelKeyPress -= handler;
            if (WriteGate.Interrupt())
            {
                Console.Error.WriteLine("interrupted");
                return;     // e.Cancel stays false: the runtime ends the process as SIGINT does (exit status 130)
            }

            e.Cancel = true;
            Console.Error.WriteLine("interrupting: the file being written is removed (Ctrl+C again to end at once)");
        };
        Console.CancelKeyPress += handler;
        return new Detach(() => Console.CancelKeyPress -= handler);
    }

    /// <summary>The application layer's expected failures (<see cref="ExpectedFailures"/>) and the CLI's own usage errors.</summary>
    public static bool IsExpected(Exception ex) => ex is CliUsageException || ExpectedFailures.IsExpected(ex);

    public static string OneLine(string message) => ExpectedFailures.OneLine(message);
}

/// <summary>Runs an action on Dispose (detaching a Ctrl+C handler).</summary>
internal sealed class Detach(Action action) : IDisposable
{
    public void Dispose() => action();
}

/// <summary>An option combination that cannot work; reported like any other bad input.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
