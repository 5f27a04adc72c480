using System.Diagnostics;

namespace AkkaTtfs.Cli.Tests;

/// <summary>Runs the built CLI as a child process (as a user would), with a timeout and guaranteed cleanup.</summary>
internal static class CliProcess
{
    public sealed record Outcome(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";

        /// <summary>Non-empty lines of stderr.</summary>
        public string[] ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Outcome Run(params string[] args) => Run(TimeSpan.FromMinutes(3), args);

    public static Outcome Run(TimeSpan timeout, params string[] args) => RunIn(null, timeout, args);

    /// <summary>Runs in <paramref name="workingDirectory"/>, e.g. to see what a command writes to its default places (runs/...).</summary>
    public static Outcome RunIn(string? workingDirectory, TimeSpan timeout, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "akkattfs.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (!process.WaitForExit(timeout))
                throw new TimeoutException($"akkattfs {string.Join(' ', args)} did not finish within {timeout}");
            process.WaitForExit();
            return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>A temporary folder removed after the test, even when it fails.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "akkattfs-cli-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
