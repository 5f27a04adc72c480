using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Cluster;

/// <summary>
/// How this process takes part in a cluster run: <see cref="Nodes"/> embedded nodes (no seeds), or a
/// coordinator joining <see cref="Seeds"/> and waiting for that many workers.
/// </summary>
public sealed record ClusterSetup(int Nodes, IReadOnlyList<string> Seeds, string? Host, int? Port, TimeSpan JoinTimeout, int InFlight, string? ConfigFile, bool FaultInjection);

/// <summary>
/// Starts the nodes of a run (an embedded cluster in this process, or a coordinator node joining seeds),
/// runs one request on them through today's <see cref="ClusterRuntime"/> API and takes them down again.
/// </summary>
public static class ClusterLauncher
{
    /// <summary>Akka's INFO lines (joins, leaves, shutdown) would drown the report; warnings and errors still show.</summary>
    public const string QuietLogging = "akka.loglevel = WARNING\nakka.stdout-loglevel = ERROR";

    /// <summary>Runs <paramref name="count"/> samples of <paramref name="inputs"/> on the cluster of <paramref name="setup"/>.</summary>
    public static RunOutcome Run(SnnModel model, PartitionPlan plan, float[] inputs, int count, RunOptions options, ClusterSetup setup, FaultPlan? faults, IAppEvents events)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(events);
        Preflight.CheckClusterRun(faults, plan, setup);
        var started = new List<ClusterNode>();
        try
        {
            var coordinator = setup.Seeds.Count == 0 ? StartEmbedded(setup, faults, started, events) : StartCoordinator(setup, faults, started, events);
            foreach (var node in started) node.WaitUntilUpAsync(setup.JoinTimeout).GetAwaiter().GetResult();
            var workers = ClusterRuntime.DiscoverWorkersAsync(coordinator.System, setup.Nodes, setup.JoinTimeout).GetAwaiter().GetResult();
            events.Status($"deploying {plan.Partitions.Count} partitions ({plan.Describe()}) on {workers.Count} worker node(s); simulating {count} samples");
            var runId = "run-" + Guid.NewGuid().ToString("N")[..12];
            return ClusterRuntime.RunAsync(coordinator.System, new RunRequest(runId, model, plan, inputs, count, options) { Faults = faults }, workers, events.Simulation(count))
                .GetAwaiter().GetResult();
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

    /// <summary>
    /// Links are cut through the throttler transport adapter: an embedded cluster loads it when the plan cuts or
    /// kills; a coordinator joining seeds loads it when asked (--fault-injection) or when the seeds' address
    /// protocol says they have it.
    /// </summary>
    public static bool UsesFaultInjection(FaultPlan? faults, ClusterSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return setup.FaultInjection || (setup.Seeds.Count == 0
            ? faults?.Runtime.Any(NeedsAdapters) == true
            : setup.Seeds.Any(s => s.StartsWith(ClusterConfig.FaultInjectionProtocol + "://", StringComparison.Ordinal)));
    }

    /// <summary>Cut and kill faults act through the adapters; a crash is a message to a partition actor.</summary>
    public static bool NeedsAdapters(RuntimeFault fault) => fault?.Kind != RuntimeFaultKind.CrashPartition;

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
                ExtraHocon = QuietLogging,
            });
            started.Add(node);
            ClusterRuntime.StartNodeAgent(node.System);
        }

        events.Status($"embedded cluster: {setup.Nodes} node(s) on {started[0].SelfAddress.Host}");
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
            ExtraHocon = QuietLogging,
        });
        started.Add(coordinator);
        // The seeds as joined: with fault injection an akka.tcp:// seed was rewritten to the adapters' scheme.
        events.Status($"coordinator {coordinator.SelfAddress} joining {string.Join(", ", coordinator.SeedNodes)}");
        return coordinator;
    }

    private static void ShutDown(List<ClusterNode> started, bool embedded)
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
