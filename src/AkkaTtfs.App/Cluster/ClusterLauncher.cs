using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.App.Cluster;

/// <summary>
/// How this process takes part in a cluster run: <see cref="Nodes"/> embedded nodes (no seeds), or a
/// coordinator joining <see cref="Seeds"/> and waiting for that many workers.
/// </summary>
/// <param name="Secret">The cluster secret the nodes of this process present (mutual TLS); an embedded cluster always has
/// one (given or generated), a joining coordinator has the one given or none (then only loopback addresses start).</param>
/// <param name="Insecure">--insecure: plain TCP is allowed on a non-loopback address.</param>
/// <param name="Link">The emulated interconnect of the nodes this process starts (every embedded node; a joining coordinator's
/// own input links, the workers' links are set where they start: akkattfs node --link-latency ...); null: the config's (none).</param>
public sealed record ClusterSetup(int Nodes, IReadOnlyList<string> Seeds, string? Host, int? Port, TimeSpan JoinTimeout, int InFlight, string? ConfigFile,
    bool FaultInjection, ClusterSecret? Secret = null, bool Insecure = false, LinkProfile? Link = null);

/// <summary>
/// Starts the nodes of a run (an embedded cluster in this process, or a coordinator node joining seeds),
/// hands the job to the coordinator actor of this process and takes the nodes down again.
/// </summary>
public static class ClusterLauncher
{
    /// <summary>Akka's INFO lines (joins, leaves, shutdown) would drown the report; warnings and errors still show.</summary>
    public const string QuietLogging = "akka.loglevel = WARNING\nakka.stdout-loglevel = ERROR";

    /// <summary>
    /// The nodes of this process: quiet logging, and no shutdown of Akka's own on process exit signals. Ctrl+C is
    /// the command's (it cancels the job through a token, then takes the nodes down itself); left to Akka, the
    /// nodes could stop before the token is cancelled and the interruption would read as a failed run.
    /// </summary>
    public const string NodeHocon = QuietLogging + "\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off";

    /// <summary>Runs <paramref name="count"/> samples of <paramref name="inputs"/> with a ready model on the cluster of <paramref name="setup"/>.</summary>
    public static RunOutcome Run(SnnModel model, PartitionPlan plan, float[] inputs, int count, RunOptions options, ClusterSetup setup, FaultPlan? faults, IAppEvents events,
        PlacementChoice? placement = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var job = new RunJob(NewRunId(), new ModelSource.Ready(model), _ => plan, new JobInputs.Normalised(inputs, count))
        {
            Options = options, Faults = faults, Placement = placement ?? PlacementChoice.Balanced,
        };
        return RunJob(job, plan, setup, trainer: null, events, count, onTrained: null, CancellationToken.None).Run;
    }

    /// <summary>
    /// Starts the nodes (the cluster comes first), then hands <paramref name="job"/> to this process's long-lived
    /// coordinator: it waits for the workers, trains through <paramref name="trainer"/> when the job asks for a
    /// trained model, deploys, simulates and collects. <paramref name="plannedFor"/> is the plan the preflight
    /// checked (the job plans again once its model exists). <paramref name="onTrained"/> hears the trained model
    /// as soon as training ends, before deployment, so that a caller can keep it whatever happens next.
    /// Cancelling <paramref name="ct"/> (Ctrl+C) cancels training or stops the run.
    /// </summary>
    public static JobOutcome RunJob(RunJob job, PartitionPlan plannedFor, ClusterSetup setup, ITrainer? trainer, IAppEvents events, int samples,
        Action<TrainedBy>? onTrained, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(events);
        Preflight.CheckClusterRun(job.Faults, plannedFor, setup);
        var started = new List<ClusterNode>();
        try
        {
            var coordinator = StartNodes(setup, job.Faults, started, events);
            foreach (var node in started) node.WaitUntilUpAsync(setup.JoinTimeout, ct).GetAwaiter().GetResult();
            var handle = ClusterRuntime.StartCoordinator(coordinator.System, trainer);
            var observed = new CoordinatorEvents(events, samples, onTrained);
            return handle.RunAsync(job with { Workers = setup.Nodes, JoinTimeout = setup.JoinTimeout }, observed, ct).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            // Once the user has interrupted, whatever fails next (a listener or node stopped by the same Ctrl+C) is the
            // interruption, not a bad run: report it as such, so the caller cleans up as for any cancellation.
            throw new OperationCanceledException("interrupted", ex, ct);
        }
        catch (Exception ex) when (ex is ClusterJoinException or RunFailedException or Akka.Configuration.ConfigurationException)
        {
            throw new UsageException(ex.Message);
        }
        finally
        {
            ShutDown(started, embedded: setup.Seeds.Count == 0);
        }
    }

    /// <summary>A run id unique enough for one cluster's life.</summary>
    public static string NewRunId() => "run-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Links are cut through the throttler transport adapter: an embedded cluster loads it when the plan cuts or
    /// kills; a coordinator joining seeds loads it when asked (--fault-injection) or when the seeds' address
    /// protocol says they have it.
    /// </summary>
    public static bool UsesFaultInjection(FaultPlan? faults, ClusterSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return setup.FaultInjection || (setup.Seeds.Count == 0
            ? faults?.Runtime.Count > 0     // cuts and kills need the adapters, crashes the nodes' consent (akkattfs.fault-injection)
            : setup.Seeds.Any(ClusterConfig.UsesFaultInjectionAdapters));
    }

    /// <summary>Cut and kill faults act through the adapters; a crash is a message to a partition actor.</summary>
    public static bool NeedsAdapters(RuntimeFault fault) => fault?.Kind != RuntimeFaultKind.CrashPartition;

    /// <summary>
    /// The nodes of this process for <paramref name="setup"/>: the embedded cluster, or the coordinator node joining the
    /// seeds; returns the node the coordinator actor goes on. Every node started is in <paramref name="started"/> (for
    /// <see cref="ShutDown"/>, even when a later one fails).
    /// </summary>
    internal static ClusterNode StartNodes(ClusterSetup setup, FaultPlan? faults, List<ClusterNode> started, IAppEvents events) =>
        setup.Seeds.Count == 0 ? StartEmbedded(setup, faults, started, events) : StartCoordinator(setup, faults, started, events);

    private static ClusterNode StartEmbedded(ClusterSetup setup, FaultPlan? faults, List<ClusterNode> started, IAppEvents events)
    {
        for (var i = 0; i < setup.Nodes; i++)
        {
            var node = ClusterNode.Start(new ClusterNodeOptions
            {
                Profile = i == 0 ? NodeProfile.SingleNode : NodeProfile.Worker,
                Host = setup.Host,
                Port = i == 0 ? setup.Port : 0,
                SeedNodes = i == 0 ? [] : [started[0].SelfAddress.ToString()],
                FaultInjection = UsesFaultInjection(faults, setup),
                ConfigFile = setup.ConfigFile,
                ExtraHocon = NodeHocon,
                Secret = setup.Secret,
                LinkLatencyMs = setup.Link?.LatencyMs,
                LinkBytesPerSecond = setup.Link?.BytesPerSecond,
            });
            started.Add(node);
            ClusterRuntime.StartNodeAgent(node.System);
        }

        events.Status($"embedded cluster: {setup.Nodes} node(s) on {started[0].SelfAddress.Host}" +
                      (setup.Link is { IsActive: true } link ? $"; emulated cross-node links: {link.Describe()}" : ""));
        return started[0];
    }

    private static ClusterNode StartCoordinator(ClusterSetup setup, FaultPlan? faults, List<ClusterNode> started, IAppEvents events)
    {
        var coordinator = ClusterNode.Start(new ClusterNodeOptions
        {
            Profile = NodeProfile.Worker,
            Roles = [ClusterNodeOptions.WellKnownRoles.Coordinator],
            Host = setup.Host,
            Port = setup.Port,
            SeedNodes = setup.Seeds,
            FaultInjection = UsesFaultInjection(faults, setup),
            ConfigFile = setup.ConfigFile,
            ExtraHocon = NodeHocon,
            Secret = setup.Secret,
            Insecure = setup.Insecure,
            LinkLatencyMs = setup.Link?.LatencyMs,
            LinkBytesPerSecond = setup.Link?.BytesPerSecond,
        });
        started.Add(coordinator);
        // The seeds as joined: with fault injection an akka.tcp:// seed was rewritten to the adapters' scheme.
        events.Status($"coordinator {coordinator.SelfAddress} joining {string.Join(", ", coordinator.SeedNodes)}");
        return coordinator;
    }

    internal static void ShutDown(List<ClusterNode> started, bool embedded)
    {
        // An embedded cluster is taken down whole on purpose: the remoting warnings each node logs when a
        // peer that already left closes its connection ("Association ... has failed") would only alarm.
        if (embedded)
        {
            foreach (var node in started) node.System.EventStream.SetLogLevel(Akka.Event.LogLevel.ErrorLevel);
        }

        foreach (var node in Enumerable.Reverse(started))
            node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
    }
}
