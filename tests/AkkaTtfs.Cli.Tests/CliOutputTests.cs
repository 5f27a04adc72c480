using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// Issue 14 in the CLI: special files are written through or refused, never replaced; a failed command leaves
/// no output it created; every numeric option is range-checked before any work; an unexpected exception is one
/// line; an interrupted command (a real SIGINT to the child process) leaves no output and no temporary file.
/// </summary>
public sealed class CliOutputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string RandomModelFile(string arch = "d100-d10") => CliAssert.RandomModelFile(_temp, arch);

    private static void AssertRefused(CliProcess.Outcome run, string expected) => CliAssert.Refused(run, expected);

    /// <summary>Files and folders of the temp folder other than the model files the tests made.</summary>
    private string[] Leftovers() =>
        Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Where(n => !n!.EndsWith(".safetensors", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()!;

    [Theory]
    [InlineData("simulate", "--batch", "2147483647", "--batch must be >= 1 and <= 4096")]
    [InlineData("simulate", "--batch", "0", "--batch must be >= 1")]
    [InlineData("simulate", "--limit", "-5", "--limit must be >= 1")]
    [InlineData("simulate", "--nodes", "40", "--nodes must be >= 1 and <= 16")]
    [InlineData("simulate", "--nodes", "100000", "--nodes must be >= 1 and <= 1024")]
    [InlineData("simulate", "--join-timeout", "2147483647", "--join-timeout must be >= 1 and <= 3600")]
    [InlineData("simulate", "--in-flight", "100000", "--in-flight must be >= 1 and <= 256")]
    [InlineData("simulate", "--e-ac", "NaN", "--e-ac: energy constant E_AC")]
    [InlineData("simulate", "--e-ac", "-1", "--e-ac: energy constant E_AC")]
    [InlineData("simulate", "--e-mac", "Infinity", "--e-mac: energy constant E_MAC")]
    [InlineData("simulate", "--e-mac", "1e400", "--e-mac: energy constant E_MAC")]
    [InlineData("evaluate", "--threads", "100000", "--threads must be >= 1 and <= ")]
    [InlineData("evaluate", "--e-ac", "NaN", "--e-ac: energy constant E_AC")]
    [InlineData("faults", "--repeat", "0", "--repeat must be >= 1")]
    [InlineData("run", "--epochs", "0", "--epochs must be >= 1")]
    [InlineData("run", "--nodes", "17", "--nodes must be >= 1 and <= 16")]
    [InlineData("run", "--port", "99999", "--port must be >= 0 and <= 65535")]
    [InlineData("model", "--tau", "NaN", "--tau must be a finite number > 0")]
    [InlineData("model", "--tau", "0", "--tau must be a finite number > 0")]
    [InlineData("model", "--tau", "1e39", "--tau must be a finite number > 0 (steps), got Infinity")]
    [InlineData("model", "--td", "-Infinity", "--td must be a number from -256 to 256")]
    [InlineData("model", "--td", "300", "--td must be a number from -256 to 256")]
    [InlineData("model", "--positive-shift", "2", "--positive-shift must be a number from -1 to 1")]
    [InlineData("model", "--positive-shift", "NaN", "--positive-shift must be a number from -1 to 1")]
    [InlineData("model", "--T", "0", "--T must be >= 1 and <= 256")]
    [InlineData("faults", "--rates", "0.1,NaN", "--rates must be a number from 0 to 1, got NaN")]
    [InlineData("faults", "--rates", "-0.5", "--rates must be a number from 0 to 1, got -0.5")]
    [InlineData("faults", "--rates", "0.1,abc", "--rates: 'abc' is not a number")]
    [InlineData("faults", "--steps", "1,256", "--steps must be >= 0 and <= 255")]
    [InlineData("faults", "--factor", "Infinity", "--factor must be a finite number > 0, got Infinity")]
    [InlineData("faults", "--factor", "-1", "--factor must be a finite number > 0, got -1")]
    public void Every_numeric_option_is_range_checked_before_any_work(string command, string option, string value, string expected)
    {
        var report = _temp.File("report.json");
        string[] args = command switch
        {
            "model" => ["model", "random", "--arch", "d100-d10", "--out", _temp.File("random.model"), option, value],
            "simulate" => ["simulate", "--model", RandomModelFile(), "--report", report, "--cluster-free", option, value],
            "evaluate" => ["evaluate", "--model", RandomModelFile(), "--report", report, option, value],
            "faults" => ["faults", "--model", RandomModelFile(), "--kind", "drop", "--layer", "0", "--out", _temp.File("campaign"), option, value],
            _ => ["run", "--model", RandomModelFile(), "--out", _temp.File("run"), option, value],
        };
        args = args.Where(a => a != "--cluster-free").ToArray();
        var run = CliProcess.Run(args);
        AssertRefused(run, expected);
        Assert.DoesNotContain("simulating", run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("evaluating", run.StdErr, StringComparison.Ordinal);
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void The_ranges_are_documented_in_help()
    {
        var help = CliProcess.Run("simulate", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("[1..4096]", help.StdOut, StringComparison.Ordinal);
        Assert.Contains("1..16 embedded", help.StdOut, StringComparison.Ordinal);
        Assert.Contains("[a finite number >= 0]", help.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_late_write_failure_names_the_option_and_removes_the_outputs_written_before_it()
    {
        // /dev/full passes every check (a character device is written through) and fails only when written.
        var spikes = _temp.File("ok.csv");
        var run = CliProcess.Run("simulate", "--model", RandomModelFile(), "--limit", "20", "--spikes-out", spikes, "--report", "/dev/full");
        AssertRefused(run, "--report /dev/full: writing failed");
        Assert.False(File.Exists(spikes));
        Assert.Empty(Leftovers());
        Assert.True(new FileInfo("/dev/full").Attributes.HasFlag(FileAttributes.Device) || File.Exists("/dev/full"));
    }

    [Fact]
    public void An_unwritable_report_target_is_refused_before_the_work_and_nothing_is_written()
    {
        var spikes = _temp.File("ok.csv");
        var run = CliProcess.Run("simulate", "--model", RandomModelFile(), "--limit", "20", "--spikes-out", spikes, "--report", _temp.File("no/such/folder/r.json"));
        AssertRefused(run, "--report");
        Assert.DoesNotContain("simulating", run.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(spikes));
    }

    [Fact]
    public void Dev_null_is_written_through_and_stays_a_device()
    {
        var before = Stat("/dev/null");
        var model = CliProcess.Run("model", "random", "--arch", "d20-d10", "--out", "/dev/null");
        Assert.True(model.ExitCode == 0, model.ToString());
        var sim = CliProcess.Run("simulate", "--model", RandomModelFile(), "--limit", "5", "--report", "/dev/null", "--spikes-out", "/dev/null");
        Assert.True(sim.ExitCode == 0, sim.ToString());
        Assert.Equal(before, Stat("/dev/null"));
        Assert.Empty(Directory.GetFiles("/dev", ".null.*.tmp"));
    }

    [Fact]
    public async Task A_fifo_with_a_reader_is_written_through_and_stays_a_fifo()
    {
        var fifo = _temp.File("pipe");
        MakeFifo(fifo);
        var read = Task.Run(() => File.ReadAllText(fifo));     // the reader the pipe needs; opening blocks until the writer comes
        var sim = CliProcess.Run("simulate", "--model", RandomModelFile(), "--limit", "5", "--report", fifo);
        Assert.True(sim.ExitCode == 0, sim.ToString());
        var text = await read.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Contains("\"schema_version\"", text, StringComparison.Ordinal);
        Assert.Equal("p", Stat(fifo)[..1]);
        Assert.Equal(["pipe"], Leftovers());
    }

    [Fact]
    public void A_folder_for_a_campaign_with_a_file_in_the_way_is_refused_before_the_campaign()
    {
        var blocker = _temp.File("camp");
        File.WriteAllText(blocker, "keep");
        var run = CliProcess.Run("faults", "--model", RandomModelFile(), "--kind", "drop", "--layer", "0", "--limit", "10", "--out", Path.Combine(blocker, "inner"));
        AssertRefused(run, "is a file; give a folder");
        Assert.Equal("keep", File.ReadAllText(blocker));
    }

    [Fact]
    public void No_command_prints_a_stack_trace_for_a_value_that_does_not_parse()
    {
        foreach (var args in new[] { new[] { "simulate", "--model", "m", "--batch", "abc" }, ["evaluate", "--model", "m", "--e-ac", "x"], ["bench", "reference", "--repeat", "1.5"] })
        {
            var run = CliProcess.Run(args);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.DoesNotContain("   at ", run.StdErr, StringComparison.Ordinal);
            Assert.Single(run.ErrorLines);
        }
    }

    [Fact]
    public void Sigint_during_a_simulation_leaves_no_output_and_no_temporary_file()
    {
        // The clock-driven oracle on a CNN: slow enough to be interrupted in the middle of its work.
        var model = RandomModelFile("c8k5-p2-d10");
        var predictions = _temp.File("predictions.csv");
        var report = _temp.File("report.json");
        var (exit, stderr) = Interrupt(["simulate", "--model", model, "--engine", "clock", "--predictions-out", predictions, "--report", report], "simulating");
        Assert.True(exit == 130, $"exit {exit}\n{stderr}");
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task Sigint_between_the_outputs_of_a_simulation_leaves_none_of_them()
    {
        // simulate writes --spikes-out, --predictions-out, then --report. The report goes to a FIFO that nobody opens:
        // the CLI waits there with the first two written (as temporary files) when SIGINT comes. An existing
        // spikes.csv must keep its old content, predictions.csv must not appear, no temporary file may stay.
        var model = RandomModelFile();
        var spikes = _temp.File("spikes.csv");
        File.WriteAllText(spikes, "old spikes\n");
        var predictions = _temp.File("predictions.csv");
        var fifo = _temp.File("report-pipe");
        MakeFifo(fifo);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "akkattfs.dll"));
        foreach (var a in new[] { "simulate", "--model", model, "--limit", "500", "--spikes-out", spikes, "--predictions-out", predictions, "--report", fifo })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var stderr = new System.Text.StringBuilder();
        var interrupting = new ManualResetEventSlim();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.StartsWith("interrupting", StringComparison.Ordinal)) interrupting.Set();
        };
        process.BeginErrorReadLine();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            // Both staged files exist (hidden temporary files next to their targets), and the spikes are complete.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (Staged("predictions.csv").Length == 0 && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Assert.False(process.HasExited, $"the command ended before it reached the report:\n{stderr}");
            Assert.Single(Staged("spikes.csv"));
            Assert.Equal("old spikes\n", File.ReadAllText(spikes));
            Thread.Sleep(1000);     // the predictions are small: by now the CLI waits for a reader of the report's FIFO
            Assert.Equal(0, Kill(process.Id, 2));
            // The runtime runs the Ctrl+C handler on a thread of its own, some time after the signal: only once it
            // has run is the command interrupted (before, the report would simply be written and the command succeed).
            Assert.True(interrupting.Wait(TimeSpan.FromMinutes(2)), $"the Ctrl+C handler did not run:\n{stderr}");

            // Let the CLI open the FIFO; it must stop at its first byte. If it ended without opening it, release the reader.
            var reader = Task.Run(() =>
            {
                using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Read);
                var buffer = new byte[4096];
                var total = 0;
                for (int n; (n = pipe.Read(buffer)) > 0;) total += n;
                return total;
            });
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "no exit after SIGINT");
            process.WaitForExit();
            if (await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(5))) != reader)
            {
                using var release = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }

            string errors;
            lock (stderr) errors = stderr.ToString();
            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{errors}");
            Assert.Equal(0, await reader);
            Assert.Equal("old spikes\n", File.ReadAllText(spikes));
            Assert.Equal(["report-pipe", "spikes.csv"], Leftovers());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The temporary files of <paramref name="name"/> being written (.NAME.*.tmp, as OutputFile makes them).</summary>
    private string[] Staged(string name) => Directory.GetFiles(_temp.Path, $".{name}.*.tmp");

    [Fact]
    public void Sigint_during_a_run_before_training_ends_leaves_no_report_folder()
    {
        var folder = _temp.File("run");
        var (exit, stderr) = Interrupt(["run", "--arch", "d100-d10", "--epochs", "50", "--limit", "20", "--out", folder], "trains");
        Assert.True(exit == 130, $"exit {exit}\n{stderr}");
        Assert.False(Directory.Exists(folder), stderr);
    }

    [Fact]
    public async Task Sigint_during_a_write_stops_it_and_no_further_output_is_written()
    {
        // The spikes go to a FIFO whose reader stops reading: the write is then in progress (blocked on the full
        // pipe) when SIGINT comes, and goes on only once the reader drains the pipe.
        var fifo = _temp.File("spikes-pipe");
        MakeFifo(fifo);
        var report = _temp.File("report.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "akkattfs.dll"));
        foreach (var a in new[] { "simulate", "--model", RandomModelFile(), "--spikes-out", fifo, "--report", report }) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            using (var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read))     // returns once the CLI opens the pipe to write the spikes
            {
                var buffer = new byte[4096];
                Assert.True(reader.Read(buffer) > 0);
                Thread.Sleep(1000);     // the pipe fills; the writer blocks
                Assert.Equal(0, Kill(process.Id, 2));
                Thread.Sleep(1000);
                while (reader.Read(buffer) > 0)
                {
                    // drain until the CLI closes its end
                }
            }

            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "no exit after SIGINT");
            process.WaitForExit();
            var errors = await stderr;
            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{errors}");
            Assert.Contains("interrupting", errors, StringComparison.Ordinal);
            Assert.False(File.Exists(report));
            Assert.Equal(["spikes-pipe"], Leftovers());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Starts the CLI, sends SIGINT once <paramref name="waitFor"/> appears on stderr (plus a moment), returns the exit code and stderr.</summary>
    internal static (int Exit, string StdErr) Interrupt(string[] args, string waitFor)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "akkattfs.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var stderr = new System.Text.StringBuilder();
        var seen = new ManualResetEventSlim();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.Contains(waitFor, StringComparison.Ordinal)) seen.Set();
        };
        process.BeginErrorReadLine();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            Assert.True(seen.Wait(TimeSpan.FromMinutes(3)), $"'{waitFor}' never appeared:\n{stderr}");
            Thread.Sleep(500);
            Assert.False(process.HasExited, $"the command ended before it could be interrupted:\n{stderr}");
            Assert.Equal(0, Kill(process.Id, 2));     // SIGINT, as Ctrl+C sends it
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"no exit after SIGINT:\n{stderr}");
            process.WaitForExit();
            lock (stderr) return (process.ExitCode, stderr.ToString());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static string Stat(string path)
    {
        var info = new ProcessStartInfo("stat", ["-c", "%A %t:%T %i", path]) { RedirectStandardOutput = true };
        using var stat = Process.Start(info)!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }

    private static void MakeFifo(string path)
    {
        using var mk = Process.Start("mkfifo", [path])!;
        mk.WaitForExit();
        Assert.Equal(0, mk.ExitCode);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
