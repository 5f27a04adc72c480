using System.Diagnostics;
using System.Globalization;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reporting;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>What <c>sweep</c> is asked to do, as given (the lists unparsed).</summary>
public sealed record SweepSettings
{
    public required string ModelFile { get; init; }

    public string Data { get; init; } = DatasetCatalog.DefaultName;

    public int? Limit { get; init; }

    /// <summary>Partition specs, comma-separated (or ';'-separated when a spec has per-layer commas).</summary>
    public string Partitions { get; init; } = "1";

    public string Nodes { get; init; } = "1";

    public string Batch { get; init; } = "64";

    /// <summary>Placement strategies or placement files, comma-separated.</summary>
    public string Placement { get; init; } = "balanced";

    /// <summary>One-way latencies of the emulated cross-node links, comma-separated (e.g. "0,1ms"; 0: none).</summary>
    public string LinkLatency { get; init; } = "0";

    /// <summary>Bandwidths of the emulated cross-node links, comma-separated (e.g. "0,100Mbit"; 0: unlimited).</summary>
    public string LinkBandwidth { get; init; } = "0";

    /// <summary>The sweep folder; null: sweeps/sweep-&lt;time&gt;.</summary>
    public string? OutFolder { get; init; }

    /// <summary>
    /// The embedded cluster, or the seeds the coordinator joins (its node count is the grid's largest, set by <see cref="SweepService.Prepare"/>;
    /// its link profile is each block's of the link axes).
    /// </summary>
    public required ClusterSetup Cluster { get; init; }
}

/// <summary>A sweep whose every input was checked: nothing runs or is written before this exists.</summary>
public sealed class PreparedSweep
{
    internal PreparedSweep(SweepSettings settings, string folder, SnnModel model, Dataset test, int count, float[] inputs, byte[] labels, SweepGrid grid,
        IReadOnlyDictionary<string, PartitionPlan> plans, IReadOnlyDictionary<string, PlacementChoice> placements, ClusterSetup cluster)
    {
        (Settings, Folder, Model, Test, Count, Inputs, Labels, Grid, Plans, Placements, Cluster) =
            (settings, folder, model, test, count, inputs, labels, grid, plans, placements, cluster);
    }

    public SweepSettings Settings { get; }

    public string Folder { get; }

    public SweepGrid Grid { get; }

    internal SnnModel Model { get; }

    internal Dataset Test { get; }

    internal int Count { get; }

    internal float[] Inputs { get; }

    internal byte[] Labels { get; }

    internal IReadOnlyDictionary<string, PartitionPlan> Plans { get; }

    internal IReadOnlyDictionary<string, PlacementChoice> Placements { get; }

    internal ClusterSetup Cluster { get; }
}

/// <summary>The outcome of <c>sweep</c>: its report and folder.</summary>
public sealed record SweepResult(SweepReport Report, string Folder);

/// <summary>
/// <c>sweep</c>: runs a grid of partitionings x node counts x batch sizes x placements x emulated link profiles against
/// ONE cluster: embedded (started with the grid's largest node count, once per link profile: a node's delay stage is
/// set when it starts), or, with seeds, the <c>akkattfs node</c> workers of an existing cluster that this process's
/// coordinator joins as <c>run --seed</c> does (<see cref="ClusterLauncher.StartNodes"/>); a point with fewer nodes uses
/// the first of them. Verifies every point against one Core reference run, compares its traffic with Core's prediction,
/// and writes sweep.json, sweep.csv and sweep-links.csv after every point (so Ctrl+C leaves a valid partial sweep) and
/// the plots at the end.
/// </summary>
public sealed partial class SweepService(IAppEvents events)
{
    public const string JsonFile = "sweep.json";
    public const string CsvFile = "sweep.csv";
    public const string LinksCsvFile = "sweep-links.csv";

    /// <summary>Test hook: changes the job of a point before it is submitted (e.g. to make one point fail).</summary>
    internal Func<SweepPoint, RunJob, RunJob>? JobHook { get; init; }

    /// <summary>Test hook: hears every finished point's outcome (so a test can check it against its own reference).</summary>
    internal Action<SweepPoint, JobOutcome>? PointObserver { get; init; }

    /// <summary>Every check before the folder exists and before any node starts: files, lists, ranges, every plan and placement.</summary>
    public static PreparedSweep Prepare(SweepSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Preflight.AtLeastOne(settings.Limit, "--limit");
        var joined = settings.Cluster.Seeds.Count > 0;
        var grid = new SweepGrid(
            SweepGrid.SplitList(settings.Partitions, "--partitions", semicolons: true),
            SweepGrid.IntList(settings.Nodes, "--nodes", OptionRanges.Nodes(joined)),
            SweepGrid.IntList(settings.Batch, "--batch", OptionRanges.Batch),
            SweepGrid.SplitList(settings.Placement, "--placement"),
            SweepGrid.LinkList(settings.LinkLatency, LinkOptions.Latency),
            SweepGrid.LinkList(settings.LinkBandwidth, LinkOptions.Bandwidth));
        OptionRanges.SweepPoints.Check("points (partitions x nodes x batch x placement x link latency x link bandwidth)", grid.Count);
        if (joined && grid.Links().Any(l => l.IsActive))
        {
            throw new UsageException($"{LinkOptions.Latency} and {LinkOptions.Bandwidth} emulate the links of an embedded cluster; with --seed the workers' links are " +
                                     "their own (akkattfs node --link-latency ...), and the namespace rehearsal emulates a real network path");
        }

        var folder = settings.OutFolder is { } given ? Path.GetFullPath(given) : DefaultFolder();
        if (File.Exists(folder)) throw new UsageException($"--out {folder} is a file; give a folder for the sweep");
        var model = ModelFile.Load(Path.GetFullPath(settings.ModelFile));
        var test = DatasetCatalog.Load(settings.Data).Test;
        Preflight.CheckFits(model, test);
        var n = Math.Min(settings.Limit ?? test.Count, test.Count);
        if (n < 1) throw new UsageException($"{test.Name} has no samples to sweep");
        if (!RunReports.CanRecordReferenceSpikes(model, n))
            throw new UsageException($"the traffic prediction needs the reference's spike times, more than {RunReports.MaxReferenceSpikeTimes:N0} for {n} samples: give a smaller --limit");
        var plans = grid.Partitions.ToDictionary(s => s, s => Preflight.PlanPartitions(model.Network, s), StringComparer.Ordinal);
        var maxNodes = grid.Nodes.Max();
        var placements = new Dictionary<string, PlacementChoice>(StringComparer.Ordinal);
        foreach (var text in grid.Placement)
        {
            foreach (var plan in plans.Values) placements[text] = PlacementReports.Load(text, plan, maxNodes);
            if (!joined && placements[text].File?.Pins.Values.OfType<PlacementTarget.Tag>().FirstOrDefault() is { } tag)
                throw new UsageException($"--placement {text}: pins to tag '{tag.Name}', and the nodes of an embedded cluster carry no tags");
        }

        // Embedded: the cluster has the grid's largest node count; joined: the coordinator waits for that many workers.
        var cluster = settings.Cluster with { Nodes = maxNodes };
        Preflight.CheckClusterRun(null, plans.Values.First(), cluster);
        return new PreparedSweep(settings, folder, model, test, n, test.NormaliseRange(0, n, model.Normalisation), Preflight.Labels(test, n), grid, plans,
            placements, cluster);
    }

    /// <summary>
    /// Runs every point, writing the files after each. Cancelling <paramref name="ct"/> (Ctrl+C) stops the point that
    /// runs and leaves the files of the points before it; the OperationCanceledException then goes to the caller.
    /// </summary>
    public SweepResult Execute(PreparedSweep sweep, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var folder = OutputFolder.Create(sweep.Folder);
        var points = new List<SweepPointReport>();
        var referenceClock = Stopwatch.StartNew();
        events.Status($"reference: {sweep.Count} samples on the Core event engine (every point is verified against it)");
        var reference = new EventDrivenSimulator().Run(sweep.Model, sweep.Inputs, sweep.Count, new SimulationOptions(64, RecordSpikes: true));
        var referenceSeconds = referenceClock.Elapsed.TotalSeconds;
        SweepReport Report(bool complete) => new(Path.GetFullPath(sweep.Settings.ModelFile), sweep.Model.Network.Architecture, sweep.Test.Name, sweep.Count,
            new SweepGridReport(sweep.Grid.Partitions, sweep.Grid.Nodes, sweep.Grid.Batch, sweep.Grid.Placement)
            {
                LinkLatency = [.. sweep.Grid.LinkLatency.Select(v => v.Text)], LinkBandwidth = [.. sweep.Grid.LinkBandwidth.Select(v => v.Text)],
            },
            sweep.Grid.Count, complete, started, clock.Elapsed.TotalSeconds, referenceSeconds, [.. points]);

        var nodes = new List<ClusterNode>();
        try
        {
            var predictions = new Dictionary<(string, int), TrafficPrediction>();
            var pointsClock = Stopwatch.StartNew();
            // One cluster per link profile (the nodes' delay stage is set when they start), serving that profile's block of points.
            foreach (var link in sweep.Grid.Links())
            {
                ct.ThrowIfCancellationRequested();
                var setup = sweep.Cluster with { Link = link.IsActive ? link : null };
                var handle = StartCluster(sweep, setup, nodes, ct);
                foreach (var point in sweep.Grid.Points().Where(p => p.Link == link))
                {
                    ct.ThrowIfCancellationRequested();
                    events.Status($"point {point.Index + 1}/{sweep.Grid.Count}: {point.Describe()}{Eta(pointsClock.Elapsed, point.Index, sweep.Grid.Count)}");
                    var plan = sweep.Plans[point.Partitions];
                    if (!predictions.TryGetValue((point.Partitions, point.Batch), out var prediction))
                    {
                        prediction = TrafficModel.Predict(sweep.Model, plan, sweep.Inputs, sweep.Count, reference, point.Batch);
                        predictions[(point.Partitions, point.Batch)] = prediction;
                    }

                    var report = RunPoint(sweep, handle, point, plan, prediction, reference, ct);
                    points.Add(report);
                    events.Status($"point {point.Index + 1}/{sweep.Grid.Count}: {report.Status}{(report.Error is null ? "" : $": {report.Error}")}" +
                                  (report.SamplesPerSecond is { } rate ? string.Create(CultureInfo.InvariantCulture, $", {rate:F0} samples/s") : "") +
                                  (report.CrossNodeBytesPerSample is { } cross ? string.Create(CultureInfo.InvariantCulture, $", {cross:F0} cross-node B/sample") : "") +
                                  (report.CrossNodeLatencyP50Ms is { } latency ? string.Create(CultureInfo.InvariantCulture, $", cross-node message p50 {latency:F2} ms") : ""));
                    SweepFiles.Write(sweep.Folder, Report(false));
                }

                ClusterLauncher.ShutDown(nodes, embedded: sweep.Cluster.Seeds.Count == 0);
                nodes.Clear();
            }

            var final = Report(true);
            SweepFiles.Write(sweep.Folder, final);
            SweepPage.WritePlots(final, sweep.Folder);
            return new SweepResult(final, sweep.Folder);
        }
        catch (Exception ex) when (ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            throw new OperationCanceledException("interrupted", ex, ct);
        }
        catch (Exception ex) when (ex is ClusterJoinException or RunFailedException or Akka.Configuration.ConfigurationException)
        {
            throw new UsageException(ex.Message);
        }
        finally
        {
            ClusterLauncher.ShutDown(nodes, embedded: sweep.Cluster.Seeds.Count == 0);
            if (points.Count == 0 && folder.RemoveIfCreated() is { } note) events.Status($"note: {note}");
        }
    }

    /// <summary>
    /// Starts the nodes of <paramref name="setup"/> (into <paramref name="nodes"/>, which the caller shuts down), checks the
    /// workers of a joined cluster, starts the coordinator and warms the cluster up.
    /// </summary>
    private CoordinatorHandle StartCluster(PreparedSweep sweep, ClusterSetup setup, List<ClusterNode> nodes, CancellationToken ct)
    {
        var coordinator = ClusterLauncher.StartNodes(setup, null, nodes, events);
        foreach (var node in nodes) node.WaitUntilUpAsync(setup.JoinTimeout, ct).GetAwaiter().GetResult();
        if (setup.Seeds.Count > 0) CheckJoinedWorkers(setup, coordinator, ct);
        var handle = ClusterRuntime.StartCoordinator(coordinator.System, trainer: null);
        WarmUp(sweep, handle, ct);
        return handle;
    }

    /// <summary>One point: its job on the long-lived coordinator, verified and measured; a failure is the point's, not the sweep's.</summary>
    private SweepPointReport RunPoint(PreparedSweep sweep, CoordinatorHandle handle, SweepPoint point, PartitionPlan plan, TrafficPrediction prediction,
        SimulationResult reference, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var choice = sweep.Placements[point.Placement];
        var job = new RunJob(ClusterLauncher.NewRunId(), new ModelSource.Ready(sweep.Model), _ => plan, new JobInputs.Normalised(sweep.Inputs, sweep.Count))
        {
            Options = new RunOptions(point.Batch, sweep.Cluster.InFlight, RecordSpikes: false, Trace: true),
            Workers = sweep.Cluster.Nodes,
            WorkerLimit = point.Nodes,
            JoinTimeout = sweep.Cluster.JoinTimeout,
            Placement = choice,
            Traffic = prediction,
        };
        if (JobHook is { } hook) job = hook(point, job);
        JobOutcome outcome;
        try
        {
            outcome = handle.RunAsync(job, null, ct).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            return SweepMeasures.Failed(point, plan, choice, prediction, ExpectedFailures.OneLine(ex.Message), clock.Elapsed.TotalSeconds);
        }

        PointObserver?.Invoke(point, outcome);
        return SweepMeasures.Measure(point, plan, choice, prediction, reference, outcome.Run, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One untimed run of a few batches on every node before the first point, so that the first point's throughput is not
    /// the JIT compiler's and the remote connections' start-up. A failure here is left to the points to show.
    /// </summary>
    private void WarmUp(PreparedSweep sweep, CoordinatorHandle handle, CancellationToken ct)
    {
        var first = sweep.Grid.Points().First();
        var count = Math.Min(sweep.Count, 2 * first.Batch);
        var inputs = sweep.Inputs.AsSpan(0, count * sweep.Model.Network.Input.Size).ToArray();
        var plan = sweep.Plans[first.Partitions];
        var job = new RunJob(ClusterLauncher.NewRunId(), new ModelSource.Ready(sweep.Model), _ => plan, new JobInputs.Normalised(inputs, count))
        {
            Options = new RunOptions(first.Batch, sweep.Cluster.InFlight, RecordSpikes: false, Trace: true),
            Workers = sweep.Cluster.Nodes,
            JoinTimeout = sweep.Cluster.JoinTimeout,
            Placement = PlacementChoice.Of(PlacementStrategy.RoundRobin),     // spreads the partitions: every node and link warms up
        };
        events.Status($"warm-up: {count} samples on {sweep.Cluster.Nodes} node(s), not measured");
        try
        {
            handle.RunAsync(job, null, ct).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            events.Status($"note: the warm-up failed: {ExpectedFailures.OneLine(ex.Message)}");
        }
    }

    /// <summary>
    /// Joined to seeds: the worker nodes up must cover the grid's largest --nodes before any point runs (waiting for
    /// them up to the join timeout); fewer is one line saying how many there are.
    /// </summary>
    private static void CheckJoinedWorkers(ClusterSetup setup, ClusterNode coordinator, CancellationToken ct)
    {
        try
        {
            ClusterRuntime.DiscoverWorkersAsync(coordinator.System, setup.Nodes, setup.JoinTimeout, ct).GetAwaiter().GetResult();
        }
        catch (RunFailedException)
        {
            var up = coordinator.Cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(ClusterNodeOptions.WellKnownRoles.Worker));
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"--nodes {setup.Nodes}: only {up} worker node(s) are up in the cluster of {string.Join(", ", setup.Seeds)} after {setup.JoinTimeout.TotalSeconds:F0} s; " +
                $"give --nodes values up to {up}, or start more nodes (akkattfs node --seed ...)"));
        }
    }

    /// <summary>", ETA 3:20" from the points done so far (nothing before the first is done).</summary>
    public static string Eta(TimeSpan elapsed, int done, int total)
    {
        if (done == 0) return "";
        var left = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done));
        return string.Create(CultureInfo.InvariantCulture, $", ETA {(int)left.TotalMinutes}:{left.Seconds:00}");
    }

    /// <summary>sweeps/sweep-&lt;UTC time&gt;, with a -2, -3, ... suffix when that folder exists.</summary>
    private static string DefaultFolder()
    {
        var stem = Path.GetFullPath(Path.Combine("sweeps", "sweep-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        var folder = stem;
        for (var n = 2; Directory.Exists(folder) || File.Exists(folder); n++) folder = $"{stem}-{n}";
        return folder;
    }
}
