using AkkaTtfs.App.Cluster;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Bench;

/// <summary>What <c>bench link</c> measures: one job on an embedded cluster, once unlimited and once per bandwidth.</summary>
public sealed record LinkBenchSettings(string? ModelFile, int Seed, int Samples, int Batch, int InFlight, int Nodes, string Partitions,
    IReadOnlyList<LinkProfile> Links);

/// <summary>One run of the job: the link, the measured rate, and the bound the link sets.</summary>
/// <param name="BusiestLinkBytesPerSample">Wire bytes per sample on the busiest node pair (the trace's cross-node rows).</param>
/// <param name="BoundSamplesPerSecond">Bandwidth over <paramref name="BusiestLinkBytesPerSample"/> (infinite: unlimited).</param>
public sealed record LinkBenchRun(LinkProfile Link, double SamplesPerSecond, double CrossNodeWireBytesPerSample, double BusiestLinkBytesPerSample,
    double BoundSamplesPerSecond, double MessageLatencyP50Ms, bool Identical)
{
    /// <summary>Measured over bound: at most 1 (the delay stage never delivers early); near 1 when the link is the bottleneck.</summary>
    public double? RatioToBound => double.IsFinite(BoundSamplesPerSecond) ? SamplesPerSecond / BoundSamplesPerSecond : null;
}

/// <summary>What <c>bench link</c> printed.</summary>
public sealed record LinkBenchReport(MachineInfo Machine, string Model, int Samples, int Batch, int InFlight, int Nodes, string Partitions,
    IReadOnlyList<LinkBenchRun> Runs, string LoadAverageAtEnd);

/// <summary>
/// Does the emulated interconnect bound throughput as it should? The same job (the MNIST CNN on the bundled test
/// split, an embedded cluster) runs unlimited, then once per bandwidth; each run prints its samples/s next to the
/// bound bandwidth / (wire bytes per sample on the busiest node pair, from the run's own trace) and the ratio. When the
/// link is the bottleneck the ratio approaches 1 from below (pipeline fill and drain, and whatever else waits).
/// </summary>
public sealed class LinkBench(IAppEvents events)
{
    public LinkBenchReport Run(LinkBenchSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var test = DatasetCatalog.Load(DatasetCatalog.DefaultName).Test;
        var model = s.ModelFile is { } file ? ModelFile.Load(Path.GetFullPath(file)) : RandomModel.Create(ArchitectureParser.Build("mnist-cnn", test.SampleShape), seed: s.Seed);
        Preflight.CheckFits(model, test);
        var plan = Preflight.PlanPartitions(model.Network, s.Partitions);
        var n = Math.Min(s.Samples, test.Count);
        var inputs = test.NormaliseRange(0, n, model.Normalisation);
        var reference = new EventDrivenSimulator().Run(model, inputs, n, new SimulationOptions(s.Batch));
        var options = new RunOptions(s.Batch, s.InFlight, Trace: true);

        events.Status("untimed warm-up run (JIT compilation), no emulation");
        Once(model, plan, inputs, n, options, s, LinkProfile.None);
        var runs = new List<LinkBenchRun>();
        foreach (var link in new[] { LinkProfile.None }.Concat(s.Links))
        {
            events.Status($"run with emulated links: {link.Describe()}");
            var outcome = Once(model, plan, inputs, n, options, s, link);
            runs.Add(Measure(link, outcome, reference));
        }

        var description = s.ModelFile is { } f ? Path.GetFullPath(f) : $"random mnist-cnn, seed {s.Seed}";
        return new LinkBenchReport(MachineInfo.Current(), $"{description} ({model.Network.Architecture})", n, s.Batch, s.InFlight, s.Nodes, plan.Describe(), runs,
            MachineInfo.ReadLoadAverage());
    }

    private static RunOutcome Once(SnnModel model, PartitionPlan plan, float[] inputs, int n, RunOptions options, LinkBenchSettings s, LinkProfile link)
    {
        var setup = new ClusterSetup(s.Nodes, [], null, null, TimeSpan.FromSeconds(60), s.InFlight, null, false, Link: link.IsActive ? link : null);
        return ClusterLauncher.Run(model, plan, inputs, n, options, setup, null, new Silent());
    }

    private static LinkBenchRun Measure(LinkProfile link, RunOutcome outcome, SimulationResult reference)
    {
        var trace = outcome.Trace ?? throw new InvalidOperationException("the run recorded no trace");
        var samples = outcome.Result.SampleCount;
        var cross = trace.Links.Where(r => r.CrossProcess).ToArray();
        var busiest = cross.Length == 0 ? 0 : cross.GroupBy(r => (r.SourceNode, r.TargetNode)).Max(g => g.Sum(r => (double)r.WireBytes)) / samples;
        var latencies = cross.Select(r => r.LatencyMs).ToArray();
        return new LinkBenchRun(link, samples / outcome.RunTime.TotalSeconds, cross.Sum(r => (double)r.WireBytes) / samples, busiest,
            LinkSchedule.SampleRateBound(link, busiest), latencies.Length == 0 ? 0 : Statistics.Percentile(latencies, 50), reference.Compare(outcome.Result).IsIdentical);
    }

    /// <summary>A bench run prints no status or progress of its own.</summary>
    private sealed class Silent : IAppEvents
    {
        public void Status(string line)
        {
        }

        public IProgress<int>? Counter(string what, int total) => null;

        public IProgress<Core.Training.TrainingProgress>? Training() => null;

        public IProgress<RunProgress>? Simulation(int total) => null;
    }
}
