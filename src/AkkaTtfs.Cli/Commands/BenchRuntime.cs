using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs bench runtime</c>: throughput of the distributed runtime against the Core reference, in one
/// run, on the paper's MNIST CNN and the bundled test split: (a) the reference, (b) the embedded runtime
/// with one partition per layer, (c) with 4 partitions per layer, (d) three processes on loopback (two
/// <c>akkattfs node</c> children of this executable plus the coordinator here). Medians over --repeat runs;
/// also the traffic shape (messages per batch, window and link; spike payload bytes per spike).
/// </summary>
internal static class BenchRuntime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "A trained model file (default: the MNIST CNN with seeded random weights)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights when no --model is given", DefaultValueFactory = _ => 3 };
        var samples = new Option<int>("--samples", "-n") { Description = "Test samples per run (bundled MNIST test split)", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch", "-b") { Description = "Samples per batch (all cases)", DefaultValueFactory = _ => 64 };
        var inFlight = new Option<int>("--in-flight") { Description = "Batches in flight at most (credits) in the runtime cases", DefaultValueFactory = _ => 4 };
        var repeat = new Option<int>("--repeat", "-r") { Description = "Timed runs per case; the median is reported", DefaultValueFactory = _ => 3 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed rounds of every case first (JIT compilation)", DefaultValueFactory = _ => 1 };
        var cases = new Option<string>("--cases") { Description = "Which cases to run, any of a, b, c, d", DefaultValueFactory = _ => "abcd" };
        var processSpec = new Option<string>("--process-partitions") { Description = "Partition spec of case (d)", DefaultValueFactory = _ => "1" };
        var command = new Command("runtime",
            "Throughput of the distributed runtime vs the Core reference on the MNIST CNN: (a) reference, (b) embedded with one partition per layer, " +
            "(c) embedded with 4 partitions per layer, (d) three processes on loopback; ratios, messages per (batch, window, link), payload bytes per spike")
        {
            model, seed, samples, batch, inFlight, repeat, warmup, cases, processSpec,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var runs = Math.Max(1, parse.GetValue(repeat));
            var warmups = Math.Max(0, parse.GetValue(warmup));
            var b = parse.GetValue(batch);
            var credits = parse.GetValue(inFlight);
            if (b < 1 || credits < 1) throw new CliUsageException("--batch and --in-flight must be >= 1");
            var which = parse.GetValue(cases)!.ToLowerInvariant();
            if (which.Length == 0 || which.Any(c => c is not ('a' or 'b' or 'c' or 'd')))
                throw new CliUsageException($"--cases takes letters among a, b, c, d, not '{which}'");

            var test = DatasetCatalog.Load(DatasetCatalog.DefaultName).Test;
            var snn = parse.GetValue(model) is { } file
                ? ModelFile.Load(file.FullName)
                : RandomModel.Create(ArchitectureParser.Build("mnist-cnn", test.SampleShape), seed: parse.GetValue(seed));
            SimulateCommand.CheckFits(snn, test);
            var n = Math.Min(parse.GetValue(samples), test.Count);
            var inputs = test.NormaliseRange(0, n, snn.Normalisation);

            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
                              $"GC {(GCSettings.IsServerGC ? "server" : "workstation")}{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : " concurrent")}; load average {LoadAverage()}");
            Console.WriteLine($"model: {(parse.GetValue(model) is { } f ? f.FullName : $"random mnist-cnn, seed {parse.GetValue(seed)}")} ({snn.Network.Architecture}); " +
                              $"{n} bundled test samples, batch {b}, {credits} batches in flight; {warmups} untimed and {runs} timed interleaved round(s), medians");

            // (a) always: it is the denominator of every ratio and the oracle of every runtime case. The cases run
            // interleaved, one run of each per round, so that a load change on a shared machine hits them alike; each
            // ratio is the median over rounds of (case rate / reference rate in the same round).
            var options = new RunOptions(b, credits, RecordSpikes: false);
            using var nodes = new ChildNodes();
            var clock = new CpuClock(() => nodes.Pids);
            var caseList = new List<ClusterCase>();
            if (which.Contains('b', StringComparison.Ordinal)) caseList.Add(new ClusterCase("(b) embedded, 1 partition/layer", PartitionPlanner.Plan(snn.Network, "1"), null, clock));
            if (which.Contains('c', StringComparison.Ordinal)) caseList.Add(new ClusterCase("(c) embedded, 4 partitions/layer", PartitionPlanner.Plan(snn.Network, "4"), null, clock));
            if (which.Contains('d', StringComparison.Ordinal))
            {
                var seedAddress = nodes.Start("seed", "node", "--port", "0");
                nodes.Start("worker", "node", "--seed", seedAddress);
                Console.Error.WriteLine($"two node processes up: {string.Join(", ", nodes.Addresses)}");
                caseList.Add(new ClusterCase("(d) 3 processes, loopback", PartitionPlanner.Plan(snn.Network, parse.GetValue(processSpec)!), [seedAddress], clock));
            }

            var reference = new ReferenceCase(snn, b);
            // Untimed warm-up rounds: every process JIT-compiles (tiered, with dynamic PGO) about 15,000 Akka, DotNetty,
            // MessagePack and Core methods in its first runs, several CPU seconds per process on this machine kind.
            for (var w = 0; w < warmups; w++)
            {
                Console.Error.WriteLine($"warm-up round {w + 1} of {warmups}");
                reference.WarmUp(inputs, n);
                foreach (var c in caseList) c.WarmUp(snn, inputs, n, options);
            }

            for (var r = 0; r < runs; r++)
            {
                Console.Error.WriteLine($"round {r + 1} of {runs}");
                reference.Run(inputs, n);
                foreach (var c in caseList) c.Run(snn, inputs, n, options, reference.Result!);
            }

            nodes.StopGracefully();
            var referenceTimes = reference.Times;
            var referenceCores = reference.CpuSeconds.Zip(referenceTimes, (cpu, t) => cpu / t).ToList();
            var rows = new List<Row> { new("(a) Core reference", 1, referenceTimes, referenceTimes, [], referenceCores, reference.Result!, [], 0, null) };
            rows.AddRange(caseList.Select(c => new Row(c.Name, c.Plan.Partitions.Count, c.Times, referenceTimes, c.Deploys, c.Cores, c.Last!.Result, c.Last.Links,
                (n + b - 1) / b, c.Identical)));

            Print(rows, rows[0], b);
            return rows.All(r => r.Identical != false) ? 0 : 1;
        }));
        return command;
    }

    /// <summary>One line of the table; rates from the median time, the ratio as the median of per-round ratios.</summary>
    private sealed record Row(string Name, int Partitions, List<double> Times, List<double> ReferenceTimes, List<double> Deploys, List<double> Cores, SimulationResult Result,
        IReadOnlyList<LinkTraffic> Links, int Batches, bool? Identical)
    {
        public double Seconds => Median(Times);

        public double SamplesPerSecond => Result.SampleCount / Seconds;

        public double EventsPerSecond => (Result.SynOps + Result.AnalogInputEvents) / Seconds;

        /// <summary>Rate relative to (a): reference time / case time in the same round, median over rounds.</summary>
        public double Ratio => Median(Times.Zip(ReferenceTimes, (t, reference) => reference / t).ToList());

        /// <summary>CPU seconds per sample, all processes (cores busy x run time / samples).</summary>
        public double CpuMicrosecondsPerSample => Cores.Count == 0 ? double.NaN : Median(Cores) * Seconds / Result.SampleCount * 1e6;
    }

    private sealed class ReferenceCase(SnnModel model, int batch)
    {
        private readonly EventDrivenSimulator _sim = new();
        private readonly SimulationOptions _options = new(batch);

        public List<double> Times { get; } = [];

        public List<double> CpuSeconds { get; } = [];

        public SimulationResult? Result { get; private set; }

        public void WarmUp(float[] inputs, int count) => _sim.Run(model, inputs, count, _options);

        public void Run(float[] inputs, int count)
        {
            var cpu = CpuClock.OwnSeconds();
            var watch = Stopwatch.StartNew();
            Result = _sim.Run(model, inputs, count, _options);
            Times.Add(watch.Elapsed.TotalSeconds);
            CpuSeconds.Add(CpuClock.OwnSeconds() - cpu);
        }
    }

    /// <summary>
    /// A runtime case: a coordinator (for the embedded cases a whole one-node cluster) started for each run, as
    /// <see cref="RunCommand.RunOnCluster"/> does, but with a progress hook that reads the CPU time of every process
    /// involved while batches complete. The time is the run's own clock, first injected batch to last result:
    /// cluster start, joining and weight deployment are not in it (deployment is reported apart).
    /// </summary>
    private sealed class ClusterCase(string name, PartitionPlan plan, IReadOnlyList<string>? seeds, CpuClock clock)
    {
        public string Name => name;

        public PartitionPlan Plan => plan;

        public List<double> Times { get; } = [];

        public List<double> Deploys { get; } = [];

        /// <summary>CPU seconds of all processes per second of the run (between the first and the last completed batch).</summary>
        public List<double> Cores { get; } = [];

        public RunOutcome? Last { get; private set; }

        public bool Identical { get; private set; } = true;

        /// <summary>An untimed run, so that JIT compilation is (mostly) not in the timed runs.</summary>
        public void WarmUp(SnnModel model, float[] inputs, int count, RunOptions options)
        {
            Console.Error.WriteLine($"{name}: {plan.Partitions.Count} partitions ({plan.Describe()}); untimed run");
            Execute(model, inputs, count, options, new CpuProgress(clock));
        }

        public void Run(SnnModel model, float[] inputs, int count, RunOptions options, SimulationResult reference)
        {
            var progress = new CpuProgress(clock);
            Last = Execute(model, inputs, count, options, progress);
            Times.Add(Last.RunTime.TotalSeconds);
            Deploys.Add(Last.DeployTime.TotalSeconds);
            if (progress.Cores is { } cores) Cores.Add(cores);
            Identical &= BitIdentical(reference, Last.Result);
        }

        private RunOutcome Execute(SnnModel model, float[] inputs, int count, RunOptions options, CpuProgress progress)
        {
            ClusterNode? node = null;
            try
            {
                node = ClusterNode.Start(seeds is null
                    ? new ClusterNodeOptions { Profile = NodeProfile.SingleNode, ExtraHocon = RunCommand.QuietLogging }
                    : new ClusterNodeOptions
                    {
                        Profile = NodeProfile.Worker, Roles = [ClusterNodeOptions.WellKnownRoles.Coordinator], SeedNodes = seeds, ExtraHocon = RunCommand.QuietLogging,
                    });
                if (seeds is null) ClusterRuntime.StartNodeAgent(node.System);
                node.WaitUntilUpAsync(StartTimeout).GetAwaiter().GetResult();
                var workers = ClusterRuntime.DiscoverWorkersAsync(node.System, seeds is null ? 1 : 2, StartTimeout).GetAwaiter().GetResult();
                var request = new RunRequest("bench-" + Guid.NewGuid().ToString("N")[..12], model, plan, inputs, count, options);
                return ClusterRuntime.RunAsync(node.System, request, workers, progress).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is ClusterJoinException or RunFailedException)
            {
                throw new CliUsageException($"{name}: {ex.Message}");
            }
            finally
            {
                node?.LeaveAndShutdownAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>CPU time (user + system) of this process and of the node child processes, from /proc (Linux; elsewhere this process only).</summary>
    private sealed class CpuClock(Func<IReadOnlyList<int>> children)
    {
        public static double OwnSeconds()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime.TotalSeconds;
        }

        public double AllSeconds()
        {
            var total = OwnSeconds();
            foreach (var pid in children())
            {
                try
                {
                    // /proc/PID/stat: "pid (comm) state ..." with utime and stime the 12th and 13th fields after the comm's ')'.
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                }
                catch (IOException)
                {
                    // the child is gone, or not Linux
                }
            }

            return total;
        }
    }

    /// <summary>Reads the CPU clock at each progress report (the first completed batch, every 250 ms, the last batch).</summary>
    private sealed class CpuProgress(CpuClock clock) : IProgress<RunProgress>
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private (double Wall, double Cpu)? _first;
        private (double Wall, double Cpu)? _last;

        public double? Cores => _first is { } f && _last is { } l && l.Wall - f.Wall > 0.05 ? (l.Cpu - f.Cpu) / (l.Wall - f.Wall) : null;

        public void Report(RunProgress value)
        {
            var point = (_wall.Elapsed.TotalSeconds, clock.AllSeconds());
            _first ??= point;
            _last = point;
        }
    }

    private static void Print(List<Row> rows, Row reference, int batch)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("case                               partitions   samples/s   synaptic events/s   ratio to (a)   cores busy   CPU us/sample   msgs per (batch,window,link)   spike payload B/spike   deploy s   bit-identical");
        foreach (var row in rows)
        {
            var ratio = row.Ratio;
            string messages = "-", bytes = "-";
            if (row.Links.Count > 0)
            {
                // Each link joins consecutive layers (or the injector and the first layer): one window per batch on it.
                var perBatch = row.Links.Select(l => (double)l.Messages / row.Batches).ToArray();
                messages = perBatch.Min() == perBatch.Max()
                    ? perBatch[0].ToString("0.###", inv)
                    : string.Create(inv, $"{perBatch.Min():0.###}..{perBatch.Max():0.###}");
                bytes = PayloadBytesPerSpike(row.Links).ToString("F3", inv);
            }

            Console.WriteLine(string.Create(inv,
                $"{row.Name,-34} {row.Partitions,10}   {row.SamplesPerSecond,9:F0}   {row.EventsPerSecond,17:E3}   {ratio,12:F2}   {(row.Cores.Count == 0 ? "-" : Median(row.Cores).ToString("F2", inv)),10}   {(double.IsNaN(row.CpuMicrosecondsPerSample) ? "-" : row.CpuMicrosecondsPerSample.ToString("F0", inv)),13}   {messages,28}   {bytes,21}   {(row.Links.Count > 0 ? Median(row.Deploys).ToString("F2", inv) : "-"),8}   {(row.Identical is { } id ? (id ? "yes" : "NO") : "(oracle)"),13}"));
        }

        Console.WriteLine();
        Console.WriteLine("samples/s per round (the load of a shared machine moves them; the ratios compare runs of the same round):");
        foreach (var row in rows)
            Console.WriteLine($"  {row.Name,-34} {string.Join("  ", row.Times.Select(t => (row.Result.SampleCount / t).ToString("F0", inv)))}");
        Console.WriteLine(string.Create(inv, $"spikes/sample {reference.Result.SpikesPerSample:F1}; synaptic events/sample {(reference.Result.SynOps + reference.Result.AnalogInputEvents) / (double)reference.Result.SampleCount:F0}"));
        foreach (var (letter, target) in new[] { ("(b)", 0.8), ("(d)", 0.5) })
        {
            var row = rows.FirstOrDefault(r => r.Name.StartsWith(letter, StringComparison.Ordinal));
            if (row is null) continue;
            var ratio = row.Ratio;
            Console.WriteLine(string.Create(inv, $"target {letter}/(a) >= {target:F1}: {ratio:F2} {(ratio >= target ? "met" : "MISSED")}"));
        }

        var runtime = rows.Where(r => r.Links.Count > 0).ToList();
        if (runtime.Count > 0)
        {
            var exact = runtime.All(r => r.Links.All(l => l.Messages == r.Batches));
            Console.WriteLine($"target exactly 1 message per (batch, window, link): {(exact ? "met" : "MISSED")} in every runtime case");
            var worst = runtime.Max(r => PayloadBytesPerSpike(r.Links));
            Console.WriteLine(string.Create(inv, $"target <= 4 B of spike payload per spike at batch {batch}: worst case {worst:F3} B, {(worst <= 4 ? "met" : "MISSED")}"));
        }

        Console.WriteLine($"load average at the end: {LoadAverage()}");
    }

    /// <summary>Spike payload bytes per spike over the partition-to-partition links (the injector's analog input excluded).</summary>
    private static double PayloadBytesPerSpike(IReadOnlyList<LinkTraffic> links)
    {
        var spikeLinks = links.Where(l => l.SourceId >= 0).ToArray();
        var spikes = spikeLinks.Sum(l => l.Spikes);
        return spikes == 0 ? 0 : (double)spikeLinks.Sum(l => l.PayloadBytes) / spikes;
    }

    private static bool BitIdentical(SimulationResult a, SimulationResult b) =>
        a.Predictions.AsSpan().SequenceEqual(b.Predictions)
        && a.OutputPotentials.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.OutputPotentials.Select(BitConverter.SingleToInt32Bits))
        && a.SpikesPerStage.AsSpan().SequenceEqual(b.SpikesPerStage)
        && a.SynOps == b.SynOps;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>
    /// The <c>akkattfs node</c> child processes of case (d): started from this very executable, their addresses read from
    /// their "node up at" line, their output drained asynchronously. Stopped with SIGTERM (they leave the cluster) and,
    /// on any failure or when this process exits, killed with their whole tree.
    /// </summary>
    private sealed class ChildNodes : IDisposable
    {
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
                    up.TrySetException(new CliUsageException($"the {name} node process ended before it was up: {Tail(log)}"));
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
            if (!process.Start()) throw new CliUsageException($"could not start {info.FileName} {string.Join(' ', info.ArgumentList)}");
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
                throw new CliUsageException($"the {name} node process did not print its address within {StartTimeout.TotalSeconds:F0} s: {Tail(log)}");
            }
        }

        /// <summary>SIGTERM to every node, newest first (they leave the cluster and exit 0); whatever does not exit in time is killed.</summary>
        public void StopGracefully()
        {
            foreach (var p in Enumerable.Reverse(_processes))
            {
                if (p.HasExited) continue;
                if (OperatingSystem.IsWindows() || SendSignal(p.Id, Sigterm) != 0) continue;    // Dispose kills it
                if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
                    Console.Error.WriteLine($"node process {p.Id} did not exit within 30 s of SIGTERM; killing it");
                else if (p.ExitCode != 0)
                    Console.Error.WriteLine($"node process {p.Id} exited with code {p.ExitCode}: {Tail(_output[p])}");
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
            var host = Environment.ProcessPath ?? throw new CliUsageException("cannot find this process's executable to start node processes");
            var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
            {
                var entry = Assembly.GetEntryAssembly()?.Location;
                if (string.IsNullOrEmpty(entry)) throw new CliUsageException("cannot find the akkattfs assembly to start node processes");
                info.ArgumentList.Add(entry);
            }

            foreach (var a in args) info.ArgumentList.Add(a);
            return info;
        }

        private const int Sigterm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);
    }
}
