using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace AkkaTtfs.App.Bench;

/// <summary>
/// The <c>akkattfs node</c> child processes of case (d): started from this very executable, their addresses read from
/// their "node up at" line, their output drained asynchronously. Stopped with SIGTERM (they leave the cluster) and,
/// on any failure or when this process exits, killed with their whole tree.
/// </summary>
public sealed class ChildNodes : IDisposable
{
    /// <summary>Generous: a loaded 2-core machine can take many seconds to start a .NET process.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private const string NodeUpPrefix = "node up at ";
    private readonly List<Process> _processes = [];
    private readonly List<string> _addresses = [];
    private readonly Dictionary<Process, StringBuilder> _output = [];
    private readonly EventHandler _onExit;
    private readonly List<PosixSignalRegistration> _signals = [];

    public ChildNodes()
    {
        // A normal exit raises ProcessExit; SIGTERM and SIGINT end a .NET process without it (exit 143/130), so they get
        // their own handlers, which kill the nodes and let the signal's default action go on. (A SIGKILL cannot be caught:
        // then the nodes stay; they are ordinary `akkattfs node` processes.)
        _onExit = (_, _) => KillAll();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
        if (!OperatingSystem.IsWindows())
        {
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
                _signals.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
        }
    }

    public IReadOnlyList<string> Addresses => _addresses;

    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_processes) return _processes.Where(p => !p.HasExited).Select(p => p.Id).ToList();
        }
    }

    /// <summary>Starts <c>akkattfs args</c> and waits for its "node up at ADDRESS" line; returns the address.</summary>
    public string Start(string name, params string[] args)
    {
        var info = SelfStartInfo(args);
        var process = new Process { StartInfo = info };
        var log = new StringBuilder();
        var up = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                up.TrySetException(new UsageException($"the {name} node process ended before it was up: {Tail(log)}"));
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
                if (log.Length > 64_000) log.Remove(0, log.Length - 32_000);
            }

            if (line.StartsWith(NodeUpPrefix, StringComparison.Ordinal)) up.TrySetResult(line[NodeUpPrefix.Length..].Trim());
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
        };
        if (!process.Start()) throw new UsageException($"could not start {info.FileName} {string.Join(' ', info.ArgumentList)}");
        lock (_processes)
        {
            _processes.Add(process);
            _output[process] = log;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = up.Task.WaitAsync(StartTimeout).GetAwaiter().GetResult();
            _addresses.Add(address);
            return address;
        }
        catch (TimeoutException)
        {
            throw new UsageException($"the {name} node process did not print its address within {StartTimeout.TotalSeconds:F0} s: {Tail(log)}");
        }
    }

    /// <summary>SIGTERM to every node, newest first (they leave the cluster and exit 0); whatever does not exit in time is killed.</summary>
    public void StopGracefully(IAppEvents events)
    {
        foreach (var p in Enumerable.Reverse(_processes))
        {
            if (p.HasExited) continue;
            if (OperatingSystem.IsWindows() || SendSignal(p.Id, Sigterm) != 0) continue;    // Dispose kills it
            if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
                events?.Status($"node process {p.Id} did not exit within 30 s of SIGTERM; killing it");
            else if (p.ExitCode != 0)
                events?.Status($"node process {p.Id} exited with code {p.ExitCode}: {Tail(_output[p])}");
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        foreach (var registration in _signals) registration.Dispose();
        KillAll();
        foreach (var p in _processes) p.Dispose();
    }

    private void KillAll()
    {
        Process[] all;
        lock (_processes) all = [.. _processes];
        foreach (var p in Enumerable.Reverse(all))
        {
            try
            {
                if (p.HasExited) continue;
                p.Kill(entireProcessTree: true);
                p.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }
    }

    private static string Tail(StringBuilder log)
    {
        lock (log)
        {
            var text = log.ToString();
            return text.Length <= 2000 ? text : "..." + text[^2000..];
        }
    }

    /// <summary>This executable again: the apphost (akkattfs), or `dotnet akkattfs.dll` when run through the dotnet host.</summary>
    private static ProcessStartInfo SelfStartInfo(string[] args)
    {
        var host = Environment.ProcessPath ?? throw new UsageException("cannot find this process's executable to start node processes");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var entry = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entry)) throw new UsageException("cannot find the akkattfs assembly to start node processes");
            info.ArgumentList.Add(entry);
        }

        foreach (var a in args) info.ArgumentList.Add(a);
        // Node processes run their hot paths for a few seconds only: with tiered PGO they spent whole benchmark runs in
        // instrumented code (docs/benchmarks.md, issue 12). Only the children: the CLI itself keeps PGO, which the
        // reference kernel's dense case gains from. An explicit setting of the user's environment wins.
        if (Environment.GetEnvironmentVariable(TieredPgoVariable) is null) info.Environment[TieredPgoVariable] = "0";
        return info;
    }

    /// <summary>The runtime's switch for tiered profile-guided optimization, off in the node processes this bench starts.</summary>
    public const string TieredPgoVariable = "DOTNET_TieredPGO";

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
