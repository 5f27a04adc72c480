using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;
using Xunit.Abstractions;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// Runs alone (not next to the other CLI tests): three CLI processes plus the test host on 2 cores are
/// enough load; the cluster's failure detectors tolerate it, but there is no point in adding more.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessCollection
{
    public const string Name = "multi-process cluster";
}

/// <summary>
/// The built CLI as a real multi-process cluster on loopback: a seed node started on port 0 (its address
/// read from its "node up at" line), a worker joining it, and a coordinator process (<c>run --seed</c>)
/// that deploys across both and checks itself against the Core reference; the test checks its
/// predictions.csv (sample by sample, bit for bit) and report against the reference computed here. Every child is killed (whole tree) and awaited even on failure.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MultiProcessTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Generous: a loaded 2-core machine can take many seconds to start a .NET process and join.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_seed_a_worker_and_a_coordinator_process_run_bit_identical_to_the_reference_and_nodes_stop_on_sigterm()
    {
        const int samples = 300;
        var modelPath = _temp.File("m.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", modelPath, "--seed", "11");
        Assert.True(made.ExitCode == 0, made.ToString());

        using var children = new ChildProcesses();
        var seed = children.Start("seed", "node", "--port", "0");
        var seedAddress = await seed.WaitForNodeAddressAsync(StartTimeout, children);
        var worker = children.Start("worker", "node", "--seed", seedAddress);
        var workerAddress = await worker.WaitForNodeAddressAsync(StartTimeout, children);
        Assert.NotEqual(seedAddress, workerAddress);

        // c2,c2,1: five partitions, placed round-robin over the two workers, so links cross processes both ways.
        var folder = _temp.File("run");
        var coordinator = children.Start("coordinator", "run", "--model", modelPath, "--seed", seedAddress, "--nodes", "2",
            "--partitions", "c2,c2,1", "--limit", samples.ToString(CultureInfo.InvariantCulture), "--batch", "32",
            "--join-timeout", "60", "--out", folder);
        var exit = await coordinator.WaitForExitAsync(RunTimeout, children);
        Assert.True(exit == 0, children.Describe($"coordinator exit code {exit}"));

        // Oracle: the Core reference in this process on the same model file and the same bundled test samples;
        // the coordinator's predictions.csv must equal it sample by sample, bit for bit.
        var (expected, labels) = ReferenceCheck.Reference(modelPath, samples);
        ReferenceCheck.AssertPredictionsMatch(Path.Combine(folder, "predictions.csv"), expected, labels);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))))
        {
            var root = json.RootElement;
            var nodes = root.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { seedAddress, workerAddress }.Order(StringComparer.Ordinal), nodes);
            var used = root.GetProperty("partition_nodes").EnumerateArray().Select(n => n.GetInt32()).Distinct().Order().ToArray();
            Assert.Equal(new[] { 0, 1 }, used);
            Assert.Equal(samples, root.GetProperty("samples").GetInt32());
            Assert.True(root.GetProperty("bit_identical_to_reference").GetBoolean());     // the run's own verdict agrees with the check above
            Assert.Equal(expected.Accuracy(labels), root.GetProperty("accuracy").GetDouble());
            Assert.Equal(expected.SpikesPerSample, root.GetProperty("spikes_per_sample").GetDouble());
            Assert.Equal(expected.SynOpsPerSample, root.GetProperty("synops_per_sample").GetDouble());

            // Each worker process reported its own memory (the process this test started: its pid), after deploy and at the end.
            var memory = root.GetProperty("node_memory").EnumerateArray().ToDictionary(m => m.GetProperty("node").GetString()!, m => m);
            Assert.Equal(2, memory.Count);
            foreach (var (node, address) in new[] { (seed, seedAddress), (worker, workerAddress) })
            {
                var m = memory[address];
                Assert.Equal(node.Id, m.GetProperty("process_id").GetInt32());
                var deployed = m.GetProperty("deployed").GetProperty("peak_working_set_megabytes").GetDouble();
                var end = m.GetProperty("end").GetProperty("peak_working_set_megabytes").GetDouble();
                Assert.InRange(deployed, 10, end);    // a .NET node holds tens of MB at least; the peak never falls
                Assert.True(m.GetProperty("end").GetProperty("managed_heap_megabytes").GetDouble() > 0);
                Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"node memory        {address} (pid {node.Id}): peak working set"), coordinator.StdOut, StringComparison.Ordinal);
            }
        }

        // 300 samples in batches of 32 = 10 batches: exactly one message per batch on every link.
        var links = File.ReadAllLines(Path.Combine(folder, "links.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.Equal("10", l[6]));
        Assert.Contains(links, l => l[0] != "-1" && l[4] != l[5]);     // a partition link between the two nodes (node columns: indices)

        // SIGTERM: each node leaves the cluster and exits 0 (the worker first, then the seed).
        foreach (var node in new[] { worker, seed })
        {
            node.SendSigterm();
            var code = await node.WaitForExitAsync(StartTimeout, children);
            Assert.True(code == 0, children.Describe($"{node.Name} exit code {code} after SIGTERM"));
            Assert.Contains("leaving the cluster", node.StdOut, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A worker, or the seed the others joined through, dies by SIGKILL mid-run. The coordinator hears it at once
    /// (the dead process's sockets close, remoting reports the association lost) and re-homes its partitions
    /// without waiting for the split-brain resolver to down it (about 20 s). Measured here: from the kill to
    /// the coordinator's "first batch after recovery completed" line, asserted generously (the target, under
    /// 3 s, is measured in docs/benchmarks.md); the results must still equal the reference bit for bit.
    /// </summary>
    [Theory]
    [InlineData("worker")]
    [InlineData("seed")]
    public async Task A_node_process_killed_with_sigkill_mid_run_is_survived_within_seconds_with_results_identical_to_the_reference(string killed)
    {
        var modelPath = _temp.File("m.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", modelPath, "--seed", "12");
        Assert.True(made.ExitCode == 0, made.ToString());

        using var children = new ChildProcesses();
        var seed = children.Start("seed", "node", "--port", "0");
        var seedAddress = await seed.WaitForNodeAddressAsync(StartTimeout, children);
        var worker = children.Start("worker", "node", "--seed", seedAddress);
        var workerAddress = await worker.WaitForNodeAddressAsync(StartTimeout, children);
        var other = children.Start("other-worker", "node", "--seed", seedAddress);
        await other.WaitForNodeAddressAsync(StartTimeout, children);
        var (victim, victimAddress) = killed == "seed" ? (seed, seedAddress) : (worker, workerAddress);

        // Small batches and one credit make the run long enough to be killed in the middle; the test then checks
        // every sample of predictions.csv against the Core reference computed here.
        var folder = _temp.File("run");
        var coordinator = children.Start("coordinator", "run", "--model", modelPath, "--seed", seedAddress, "--nodes", "3",
            "--partitions", "c3,c3,1", "--batch", "4", "--in-flight", "1", "--join-timeout", "60", "--out", folder);
        // The live progress line ("simulating 12/2000  ...") shows that batches are completing.
        await coordinator.WaitForStdErrAsync("/2000  ", TimeSpan.FromSeconds(120), children);
        var sinceKill = Stopwatch.StartNew();
        victim.Kill();
        await coordinator.WaitForStdErrAsync(RecoveredLine, TimeSpan.FromSeconds(120), children);
        var recovery = sinceKill.Elapsed;

        var exit = await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(240), children);
        Assert.True(exit == 0, children.Describe($"coordinator exit code {exit}"));
        output.WriteLine($"SIGKILL of the {killed}: first batch after recovery {recovery.TotalSeconds:F2} s after the kill (as seen by this test)");
        foreach (var line in coordinator.StdErr.Split('\n').Where(l => l.Contains("suspected", StringComparison.Ordinal) || l.Contains(RecoveredLine, StringComparison.Ordinal)))
            output.WriteLine(line.Trim());

        // Oracle: the Core reference computed here; the survived run's predictions.csv must equal it bit for bit.
        var (expected, labels) = ReferenceCheck.Reference(modelPath, 2000);
        ReferenceCheck.AssertPredictionsMatch(Path.Combine(folder, "predictions.csv"), expected, labels);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var root = json.RootElement;
        Assert.Equal(expected.Accuracy(labels), root.GetProperty("accuracy").GetDouble());
        Assert.Equal(expected.SpikesPerSample, root.GetProperty("spikes_per_sample").GetDouble());
        Assert.True(root.GetProperty("bit_identical_to_reference").GetBoolean());     // the run's own verdict agrees with the check above
        Assert.Equal(2000, root.GetProperty("samples").GetInt32());
        var restarted = root.GetProperty("recovery").GetProperty("partitions_restarted").EnumerateArray().ToList();
        Assert.NotEmpty(restarted);
        Assert.All(restarted, r => Assert.NotEqual(victimAddress, r.GetProperty("node").GetString()));
        // Generous for a loaded CI machine; waiting for the node to be downed took 19-20 s before.
        Assert.True(recovery < TimeSpan.FromSeconds(10), children.Describe($"the first batch after recovery came {recovery.TotalSeconds:F1} s after the kill"));
    }

    /// <summary>What the coordinator logs when the first batch after a recovery has completed.</summary>
    private const string RecoveredLine = "first batch after recovery completed";

    /// <summary>Every child process of a test; disposing kills (whole tree) and awaits whatever still runs.</summary>
    private sealed class ChildProcesses : IDisposable
    {
        private readonly List<ChildProcess> _all = [];

        public ChildProcess Start(string name, params string[] args)
        {
            var child = new ChildProcess(name, args);
            _all.Add(child);
            return child;
        }

        /// <summary>An assertion message with every child's state and output, so a failure explains itself.</summary>
        public string Describe(string headline)
        {
            var text = new StringBuilder(headline).AppendLine();
            foreach (var c in _all) text.AppendLine(c.Describe());
            return text.ToString();
        }

        public void Dispose()
        {
            // Reverse order: the coordinator before the worker before the seed.
            foreach (var child in Enumerable.Reverse(_all)) child.Dispose();
        }
    }

    /// <summary>One CLI child process; stdout and stderr are read asynchronously (the pipes never fill).</summary>
    private sealed class ChildProcess : IDisposable
    {
        private const string NodeUpPrefix = "node up at ";
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _nodeUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ChildProcess(string name, string[] args)
        {
            Name = name;
            Arguments = string.Join(' ', args);
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "akkattfs.dll"));
            foreach (var a in args) info.ArgumentList.Add(a);
            _process = new Process { StartInfo = info, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) => OnLine(e.Data, _stdout, _stdoutClosed, isStdout: true);
            _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _stderr, _stderrClosed, isStdout: false);
            if (!_process.Start()) throw new InvalidOperationException($"could not start akkattfs {Arguments}");
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Name { get; }

        public string Arguments { get; }

        /// <summary>The child's process id (the dotnet host runs the CLI in its own process).</summary>
        public int Id => _process.Id;

        public string StdOut
        {
            get { lock (_gate) return _stdout.ToString(); }
        }

        public string StdErr
        {
            get { lock (_gate) return _stderr.ToString(); }
        }

        private void OnLine(string? line, StringBuilder sink, TaskCompletionSource closed, bool isStdout)
        {
            if (line is null)
            {
                closed.TrySetResult();
                // Output ended without the address line: the process died (or never was a node); fail the waiter now, not at its timeout.
                if (isStdout) _nodeUp.TrySetException(new InvalidOperationException($"{Name} closed its output before printing '{NodeUpPrefix}<address>'"));
                return;
            }

            lock (_gate) sink.AppendLine(line);
            if (isStdout && line.StartsWith(NodeUpPrefix, StringComparison.Ordinal))
                _nodeUp.TrySetResult(line[NodeUpPrefix.Length..].Trim());
        }

        /// <summary>Waits for the "node up at ADDRESS" line and returns the address.</summary>
        public async Task<string> WaitForNodeAddressAsync(TimeSpan timeout, ChildProcesses all)
        {
            try
            {
                var address = await _nodeUp.Task.WaitAsync(timeout);
                Assert.StartsWith("akka.tcp://akkattfs@127.0.0.1:", address, StringComparison.Ordinal);
                var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
                Assert.InRange(port, 1, 65535);    // the bound port, not the 0 it was asked for
                return address;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                throw new Xunit.Sdk.XunitException(all.Describe($"{Name}: no 'node up at' line within {timeout.TotalSeconds:F0} s ({ex.Message})"));
            }
        }

        /// <summary>Waits for the exit and for both output streams to be drained; returns the exit code.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan timeout, ChildProcesses all)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(timeout);
                await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
                return _process.ExitCode;
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException(all.Describe($"{Name} did not exit within {timeout.TotalSeconds:F0} s"));
            }
        }

        /// <summary>Waits until the process has written <paramref name="text"/> to stderr (polled; the condition, not a fixed sleep).</summary>
        public async Task WaitForStdErrAsync(string text, TimeSpan timeout, ChildProcesses all)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!StdErr.Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline || _process.HasExited)
                    throw new Xunit.Sdk.XunitException(all.Describe($"{Name}: '{text}' did not appear on stderr within {timeout.TotalSeconds:F0} s"));
                await Task.Delay(50);
            }
        }

        /// <summary>SIGKILL: the process dies at once, without leaving the cluster (a crashed machine).</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        /// <summary>SIGTERM through kill(1) (Process.Kill sends SIGKILL on Unix, which tests nothing).</summary>
        public void SendSigterm()
        {
            var info = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
            info.ArgumentList.Add("-TERM");
            info.ArgumentList.Add(_process.Id.ToString(CultureInfo.InvariantCulture));
            using var kill = Process.Start(info) ?? throw new InvalidOperationException("could not start kill");
            var error = kill.StandardError.ReadToEnd();
            if (!kill.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException("kill -TERM did not finish");
            Assert.True(kill.ExitCode == 0, $"kill -TERM {_process.Id} failed: {error}");
        }

        public string Describe()
        {
            var state = _process.HasExited ? $"exited {_process.ExitCode}" : "running";
            return $"--- {Name} (akkattfs {Arguments}): {state}\nstdout:\n{Tail(StdOut)}\nstderr:\n{Tail(StdErr)}";
        }

        private static string Tail(string text) => text.Length <= 6000 ? text : "..." + text[^6000..];

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(30));
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}
