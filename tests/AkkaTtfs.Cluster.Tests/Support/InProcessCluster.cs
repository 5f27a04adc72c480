using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using AkkaTtfs.Cluster.Hosting;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// 1-3 ActorSystems in this test process on 127.0.0.1, port 0, forming one cluster (node 0 is the
/// seed), with serialize-messages on. Start waits until every node sees every node Up; disposing
/// shuts every system down (leave, then terminate), also when the test failed half-way.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    /// <summary>Generous: a loaded 2-core machine can take several seconds to form a cluster.</summary>
    public static readonly TimeSpan FormationTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    private readonly List<ClusterNode> _nodes;
    private readonly List<ConcurrentQueue<LogEvent>> _errors;

    private InProcessCluster(List<ClusterNode> nodes, List<ConcurrentQueue<LogEvent>> errors)
    {
        _nodes = nodes;
        _errors = errors;
    }

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public ClusterNode this[int index] => _nodes[index];

    /// <summary>Options every test node gets; <paramref name="customize"/> may change them per node (index, options).</summary>
    public static ClusterNodeOptions TestOptions(bool faultInjection = false) => new()
    {
        Profile = NodeProfile.Worker,
        Host = "127.0.0.1",
        Port = 0,
        Roles = [ClusterNodeOptions.WellKnownRoles.Worker],
        SerializeMessages = true,
        FaultInjection = faultInjection,
        // serialize-messages verifies local sends; Akka's own local messages then need LocalVerificationSerializer.
        ExtraHocon = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING" + LocalVerificationSerializer.Hocon,
    };

    public static async Task<InProcessCluster> StartAsync(int count, bool faultInjection = false,
        Func<int, ClusterNodeOptions, ClusterNodeOptions>? customize = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var nodes = new List<ClusterNode>();
        var errors = new List<ConcurrentQueue<LogEvent>>();
        var cluster = new InProcessCluster(nodes, errors);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var options = TestOptions(faultInjection) with
                {
                    Profile = i == 0 ? NodeProfile.Seed : NodeProfile.Worker,
                    Roles = i == 0
                        ? [ClusterNodeOptions.WellKnownRoles.Coordinator, ClusterNodeOptions.WellKnownRoles.Worker]
                        : [ClusterNodeOptions.WellKnownRoles.Worker],
                    SeedNodes = i == 0 ? [] : [nodes[0].SelfAddress.ToString()],
                };
                if (customize is not null) options = customize(i, options);
                var node = ClusterNode.Start(options);
                nodes.Add(node);
                errors.Add(ErrorCollector.Attach(node.System));
            }

            await Task.WhenAll(nodes.Select(n => n.WaitUntilUpAsync(FormationTimeout)));
            await Eventually.UntilAsync(
                () => nodes.All(n => n.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == count),
                FormationTimeout, $"every node sees {count} members Up");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a node agent on every node and returns them as the coordinator on node 0 sees them.</summary>
    public async Task<IReadOnlyList<AkkaTtfs.Cluster.Runtime.WorkerNode>> StartWorkersAsync()
    {
        foreach (var node in _nodes) AkkaTtfs.Cluster.Runtime.ClusterRuntime.StartNodeAgent(node.System);
        return await AkkaTtfs.Cluster.Runtime.ClusterRuntime.DiscoverWorkersAsync(_nodes[0].System, _nodes.Count, FormationTimeout);
    }

    /// <summary>
    /// Error-level log events node <paramref name="node"/> has published so far and its log filter keeps,
    /// that is, the errors its loggers print.
    /// </summary>
    public IReadOnlyList<LogEvent> ErrorsOf(int node) =>
        _errors[node].Where(e => e.LogLevel() == LogLevel.ErrorLevel && _nodes[node].System.Settings.LogFilter.ShouldTryKeepMessage(e, out _)).ToArray();

    /// <summary>Warning-level log events node <paramref name="node"/> has published so far.</summary>
    public IReadOnlyList<LogEvent> WarningsOf(int node) => _errors[node].Where(e => e.LogLevel() == LogLevel.WarningLevel).ToArray();

    /// <summary>A probe living in node <paramref name="node"/>'s system.</summary>
    public TestProbe CreateProbe(int node) => new(_nodes[node].System, new XunitAssertions());

    /// <summary>How node <paramref name="from"/> addresses an actor that lives in another node (a remote ref, resolved by path).</summary>
    public IActorRef RefFrom(int from, IActorRef target) =>
        ((ExtendedActorSystem)_nodes[from].System).Provider.ResolveActorRef(AkkaSerialization.SerializedActorPath(target));

    /// <summary>Shuts the nodes down one by one, last first, each leaving the cluster before terminating.</summary>
    public async Task<bool[]> ShutdownAsync()
    {
        var graceful = new bool[_nodes.Count];
        var failures = new List<Exception>();
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            try
            {
                graceful[i] = await _nodes[i].LeaveAndShutdownAsync(ShutdownTimeout);
            }
            catch (Exception e)
            {
                failures.Add(e);
                _ = _nodes[i].System.Terminate();
            }
        }

        if (failures.Count > 0) throw new AggregateException("shutting down the in-process cluster failed", failures);
        return graceful;
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync();
}

/// <summary>Keeps every Warning- and Error-level log event of a system, to check what peers logged.</summary>
internal sealed class ErrorCollector : ReceiveActor
{
    public ErrorCollector(ConcurrentQueue<LogEvent> sink)
    {
        Receive<Error>(sink.Enqueue);
        Receive<Warning>(sink.Enqueue);
    }

    public static ConcurrentQueue<LogEvent> Attach(ActorSystem system) => ErrorCollection.Attach(system);
}

internal static class ErrorCollection
{
    public static ConcurrentQueue<LogEvent> Attach(ActorSystem system)
    {
        var sink = new ConcurrentQueue<LogEvent>();
        var collector = system.ActorOf(Props.Create(() => new ErrorCollector(sink)), "test-error-collector");
        system.EventStream.Subscribe(collector, typeof(Error));
        system.EventStream.Subscribe(collector, typeof(Warning));
        return sink;
    }
}

/// <summary>Waits for a condition by polling it (a short delay between checks, never a fixed sleep), with a deadline.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not reached within {timeout.TotalSeconds:0.#} s: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Resolves an actor path once the actor exists (it may be created by messages still in flight).</summary>
    public static async Task<Akka.Actor.IActorRef> ResolveAsync(Akka.Actor.ActorSystem system, string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await system.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(1));
            }
            catch (Akka.Actor.ActorNotFoundException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
