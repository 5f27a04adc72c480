using System.CommandLine;
using AkkaTtfs.Cli.Commands;

namespace AkkaTtfs.Cli;

/// <summary>
/// The catch-all around every command. Expected failures are turned into one line and exit code 2 where they
/// happen (<see cref="CliErrors"/>); what reaches here is a bug: named in one line, with a request for a bug
/// report, exit code 1, and no stack trace unless AKKATTFS_DEBUG=1 asks for it.
/// </summary>
internal static class LastLineOfDefence
{
    public const int Bug = 1;

    public const string DebugVariable = "AKKATTFS_DEBUG";

    /// <summary>Without the library's own handler, which would print the whole stack trace: <see cref="Guard"/> decides what is printed.</summary>
    public static InvocationConfiguration Invocation { get; } = new() { EnableDefaultExceptionHandler = false };

    /// <summary>Runs the whole program (parsing too) under the catch-all.</summary>
    public static int Guard(Func<int> program)
    {
        ArgumentNullException.ThrowIfNull(program);
        try
        {
            return program();
        }
        catch (Exception ex)
        {
            Report(ex);
            return Bug;
        }
    }

    private static void Report(Exception ex)
    {
        // The wrappers (a task's, a reflection call's) say nothing; the exception inside them names the problem.
        var inner = ex;
        while (true)
        {
            if (inner is AggregateException aggregate && aggregate.Flatten().InnerExceptions is [var only]) inner = only;
            else if (inner is System.Reflection.TargetInvocationException { InnerException: { } invoked }) inner = invoked;
            else break;
        }

        Console.Error.WriteLine(
            $"error: unexpected {inner.GetType().Name}: {CliErrors.OneLine(inner.Message)} (a bug: please report it with the command line; " +
            $"{DebugVariable}=1 prints the stack trace)");
        if (Environment.GetEnvironmentVariable(DebugVariable) == "1") Console.Error.WriteLine(ex);
    }
}
