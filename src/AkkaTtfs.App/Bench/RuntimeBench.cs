using System.Diagnostics;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.App.Reports;
using AkkaTtfs.App.Services;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.App.Bench;

/// <summary>What <c>bench runtime</c> measures.</summary>
public sealed record RuntimeBenchSettings(string? ModelFile = null, int Seed = 3, int Samples = 2000, int Batch = 64, int InFlight = RunOptions.DefaultMaxInFlight, int Repeat = 3, int Warmup = 1,
    string Cases = "abcd", string ProcessPartitions = "1");

/// <summary>
/// Throughput of the distributed runtime against the Core reference, in one run, on the paper's MNIST CNN and
/// the bundled test split: (a) the reference, (b) the embedded runtime with one partition per layer, (c) with 4
/// partitions per layer, (d) three processes on loopback (two <c>akkattfs node</c> children of this executable
/// plus the coordinator here). The cases run interleaved, one run of each per round, so that a load change on a
/// shared machine hits them alike; each ratio is the median over rounds of (case rate / reference rate in the same round).
/// </summary>
public sealed class RuntimeBench(IAppEvents events)
{
    public RuntimeBenchReport Run(RuntimeBenchSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Batch < 1 || s.InFlight < 1) throw new UsageException("--batch and --in-flight must be >= 1");
        var which = s.Cases.ToLowerInvariant();
        if (which.Length == 0 || which.Any(c => c is not ('a' or 'b' or 'c' or 'd')))
            throw new UsageException($"--cases takes letters among a, b, c, d, not '{which}'");
        var runs = Math.Max(1, s.Repeat);
        var warmups = Math.Max(0, s.Warmup);
        var test = DatasetCatalog.Load(DatasetCatalog.DefaultName).Test;
        var model = s.ModelFile is { } file ? ModelFile.Load(Path.GetFullPath(file)) : RandomModel.Create(ArchitectureParser.Build("mnist-cnn", test.SampleShape), seed: s.Seed);
        Preflight.CheckFits(model, test);
        var n = Math.Min(s.Samples, test.Count);
        var inputs = test.NormaliseRange(0, n, model.Normalisation);
        var machine = MachineInfo.Current();
        var options = new RunOptions(s.Batch, s.InFlight, RecordSpikes: false);

        using var nodes = new ChildNodes();
        var cases = Cases(s, which, model, nodes);
        var reference = new ReferenceCase(model, s.Batch);
        // Untimed warm-up rounds: every process JIT-compiles (tiered, with dynamic PGO) about 15,000 Akka, DotNetty,
        // MessagePack and Core methods in its first runs, several CPU seconds per process on this machine kind.
        for (var w = 0; w < warmups; w++)
        {
            events.Status($"warm-up round {w + 1} of {warmups}");
            reference.Run(inputs, n);
            foreach (var c in cases) c.Run(model, inputs, n, options, null, events);
        }

        reference.Times.Clear();
        reference.CpuSeconds.Clear();
        for (var r = 0; r < runs; r++)
        {
            events.Status($"round {r + 1} of {runs}");
            reference.Run(inputs, n);
            foreach (var c in cases) c.Run(model, inputs, n, options, reference.Result!, events);
        }

        nodes.StopGracefully(events);
        var description = $"{(s.ModelFile is { } f ? Path.GetFullPath(f) : $"random mnist-cnn, seed {s.Seed}")} ({model.Network.Architecture})";
        var referenceResult = reference.Result!;
        var rows = new List<RuntimeBenchCase> { reference.Report() };
        rows.AddRange(cases.Select(c => c.Report(reference.Times, (n + s.Batch - 1) / s.Batch)));
        return new RuntimeBenchReport(machine, description, n, s.Batch, s.InFlight, warmups, runs, rows, referenceResult.SpikesPerSample,
            (referenceResult.SynOps + referenceResult.AnalogInputEvents) / (double)referenceResult.SampleCount, MachineInfo.ReadLoadAverage());
    }

    private List<ClusterCase> Cases(RuntimeBenchSettings s, string which, SnnModel model, ChildNodes nodes)
    {
        var clock = new CpuClock(() => nodes.Pids);
        var cases = new List<ClusterCase>();
        if (which.Contains('b', StringComparison.Ordinal)) cases.Add(new ClusterCase("(b) embedded, 1 partition/layer", PartitionPlanner.Plan(model.Network, "1"), null, clock));
        if (which.Contains('c', StringComparison.Ordinal)) cases.Add(new ClusterCase("(c) embedded, 4 partitions/layer", PartitionPlanner.Plan(model.Network, "4"), null, clock));
        if (which.Contains('d', StringComparison.Ordinal))
        {
            var seedAddress = nodes.Start("seed", "node", "--port", "0");
            nodes.Start("worker", "node", "--seed", seedAddress);
            events.Status($"two node processes up: {string.Join(", ", nodes.Addresses)}");
            cases.Add(new ClusterCase("(d) 3 processes, loopback", Preflight.PlanPartitions(model.Network, s.ProcessPartitions), [seedAddress], clock));
        }

        return cases;
    }

    /// <summary>The Core reference, timed with this process's CPU time.</summary>
    private sealed class ReferenceCase(SnnModel model, int batch)
    {
        private readonly EventDrivenSimulator _sim = new();
        private readonly SimulationOptions _options = new(batch);

        public List<double> Times { get; } = [];

        public List<double> CpuSeconds { get; } = [];

        public SimulationResult? Result { get; private set; }

        public void Run(float[] inputs, int count)
        {
            var cpu = MachineInfo.OwnCpuSeconds();
            var watch = Stopwatch.StartNew();
            Result = _sim.Run(model, inputs, count, _options);
            Times.Add(watch.Elapsed.TotalSeconds);
            CpuSeconds.Add(MachineInfo.OwnCpuSeconds() - cpu);
        }

        public RuntimeBenchCase Report()
        {
            var seconds = Statistics.Median(Times);
            var cores = Statistics.Median(CpuSeconds.Zip(Times, (cpu, t) => cpu / t));
            return new RuntimeBenchCase("(a) Core reference", 1, Times.Select(t => Result!.SampleCount / t).ToArray(), Result!.SampleCount / seconds,
                (Result.SynOps + Result.AnalogInputEvents) / seconds, 1, cores, cores * seconds / Result.SampleCount * 1e6, null, null, null, null, null);
        }
    }

    /// <summary>
    /// A runtime case: a coordinator (for the embedded cases a whole one-node cluster) started for each run through
    /// <see cref="ClusterLauncher"/>, with a progress hook that reads the CPU time of every process involved while
    /// batches complete. The time is the run's own clock, first injected batch to last result: cluster start,
    /// joining and weight deployment are not in it (deployment is reported apart).
    /// </summary>
    private sealed class ClusterCase(string name, PartitionPlan plan, IReadOnlyList<string>? seeds, CpuClock clock)
    {
        private readonly List<double> _times = [];
        private readonly List<double> _deploys = [];
        private readonly List<double> _cores = [];
        private RunOutcome? _last;
        private bool _identical = true;

        /// <summary>One run; timed unless <paramref name="reference"/> is null (a warm-up).</summary>
        public void Run(SnnModel model, float[] inputs, int count, RunOptions options, SimulationResult? reference, IAppEvents events)
        {
            if (reference is null) events.Status($"{name}: {plan.Partitions.Count} partitions ({plan.Describe()}); untimed run");
            var progress = new CpuProgress(clock);
            var setup = new ClusterSetup(seeds is null ? 1 : 2, seeds ?? [], null, null, ChildNodes.StartTimeout, options.MaxInFlight, null, false);
            RunOutcome outcome;
            try
            {
                outcome = ClusterLauncher.Run(model, plan, inputs, count, options, setup, null, new ProgressOnly(progress));
            }
            catch (UsageException ex)
            {
                throw new UsageException($"{name}: {ex.Message}");
            }

            if (reference is null) return;
            _last = outcome;
            _times.Add(outcome.RunTime.TotalSeconds);
            _deploys.Add(outcome.DeployTime.TotalSeconds);
            if (progress.Cores is { } cores) _cores.Add(cores);
            _identical &= reference.Compare(outcome.Result).IsIdentical;
        }

        public RuntimeBenchCase Report(List<double> referenceTimes, int batches)
        {
            var result = _last!.Result;
            var seconds = Statistics.Median(_times);
            double? cores = _cores.Count == 0 ? null : Statistics.Median(_cores);
            // Each link joins consecutive layers (or the injector and the first layer): one window per batch on it.
            var perBatch = _last.Links.Select(l => (double)l.Messages / batches).ToArray();
            return new RuntimeBenchCase(name, plan.Partitions.Count, _times.Select(t => result.SampleCount / t).ToArray(), result.SampleCount / seconds,
                (result.SynOps + result.AnalogInputEvents) / seconds, Statistics.Median(_times.Zip(referenceTimes, (t, r) => r / t)), cores,
                cores * seconds / result.SampleCount * 1e6, perBatch.Min(), perBatch.Max(), RunReports.PayloadBytesPerSpike(_last.Links), Statistics.Median(_deploys), _identical)
            {
                OneMessagePerBatchAndLink = _last.Links.All(l => l.Messages == batches),
            };
        }
    }

    /// <summary>Passes only the live numbers of a run on (to the CPU probe); a bench run prints no status of its own.</summary>
    private sealed class ProgressOnly(IProgress<RunProgress> progress) : IAppEvents
    {
        public void Status(string line)
        {
        }

        public IProgress<int>? Counter(string what, int total) => null;

        public IProgress<TrainingProgress>? Training() => null;

        public IProgress<RunProgress>? Simulation(int total) => progress;
    }

    /// <summary>CPU time (user + system) of this process and of the node child processes (Linux; elsewhere this process only).</summary>
    private sealed class CpuClock(Func<IReadOnlyList<int>> children)
    {
        public double AllSeconds() => MachineInfo.OwnCpuSeconds() + children().Sum(MachineInfo.CpuSecondsOf);
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
}
