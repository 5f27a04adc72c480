using System.Net.Sockets;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// One running cluster node: an ActorSystem named "akkattfs" with the project's configuration, joined
/// to its seeds (or to itself when it is the seed). Start it, wait until it is Up, and leave the cluster
/// before shutting down so that peers see a graceful exit instead of a failed association.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>Used by <see cref="DisposeAsync"/>.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClusterNode(ClusterNodeOptions options, Config config, ActorSystem system, IReadOnlyList<Address> seeds)
    {
        Options = options;
        Config = config;
        System = system;
        Cluster = AkkaCluster.Get(system);
        SelfAddress = Cluster.SelfAddress;
        SeedNodes = seeds;
        Cluster.RegisterOnMemberUp(() => _up.TrySetResult());
        Cluster.RegisterOnMemberRemoved(() => _up.TrySetException(new ClusterJoinException(
            $"node {SelfAddress} was removed from the cluster (or shut down) before it became Up" +
            (options.Secret is null ? string.Empty : "; with a cluster secret this is what a failed TLS handshake with the seed does: do all nodes use the same --secret-file?"))));
    }

    public ClusterNodeOptions Options { get; }

    /// <summary>The effective configuration the system was created with.</summary>
    public Config Config { get; }

    public ActorSystem System { get; }

    public AkkaCluster Cluster { get; }

    /// <summary>This node's address, with the port actually bound (when the options asked for port 0).</summary>
    public Address SelfAddress { get; }

    /// <summary>The seeds it joins; its own address when it is the seed.</summary>
    public IReadOnlyList<Address> SeedNodes { get; }

    /// <summary>True when the node joined itself (it is the seed).</summary>
    public bool IsSelfSeeded => SeedNodes.Count == 1 && SeedNodes[0] == SelfAddress;

    /// <summary>
    /// Creates the actor system and starts joining. Bad options (an unparsable seed, another system name,
    /// a missing config file) throw here, before anything starts.
    /// </summary>
    public static ClusterNode Start(ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = ClusterConfig.Build(options);
        var seeds = ClusterConfig.ResolveSeeds(options, config);

        // Joining is done explicitly below, so that the seeds are the checked ones, not a raw config list.
        config = ConfigurationFactory.ParseString("akka.cluster.seed-nodes = []").WithFallback(config);
        ClusterConfig.CheckExposure(options, config);
        var links = LinkEmulation.Read(config);   // a bad link setting fails here, before anything starts
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), RemotingNoiseFilter.Setup);
        if (options.Secret is not null) setup = setup.And(options.Secret.TlsSetup());
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(options.SystemName, setup);
        }
        catch (Exception e) when (BindFailure(e) is { } socket)
        {
            var endpoint = $"{config.GetString("akka.remote.dot-netty.tcp.hostname")}:{config.GetInt("akka.remote.dot-netty.tcp.port")}";
            throw new ClusterJoinException(socket.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? $"cannot listen on {endpoint}: the port is already in use (another node?); choose another --port, or 0 for any free port"
                : $"cannot listen on {endpoint}: {socket.Message}", e);
        }

        try
        {
            if (links.IsActive) LinkEmulation.Get(system);
            var refusals = system.ActorOf(Props.Create(() => new WireRefusalLog()), WireRefusalLog.Name);
            system.EventStream.Subscribe(refusals, typeof(Akka.Event.Warning));
            var cluster = AkkaCluster.Get(system);
            if (seeds.Count == 0)
            {
                seeds = [cluster.SelfAddress];
                cluster.Join(cluster.SelfAddress);
            }
            else
            {
                cluster.JoinSeedNodes(seeds);
            }

            return new ClusterNode(options, config, system, seeds);
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>The socket error under a remoting bind failure (Akka wraps it in several aggregate and transport exceptions), or null.</summary>
    private static SocketException? BindFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException socket) return socket;
            if (x is AggregateException { InnerExceptions.Count: 1 } aggregate) return BindFailure(aggregate.InnerExceptions[0]);
        }

        return null;
    }

    /// <summary>
    /// Completes when this node is an Up member (the cluster's MemberUp event, no polling). Throws
    /// <see cref="ClusterJoinException"/> naming the seed address(es) when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task WaitUntilUpAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _up.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            var seeds = string.Join(", ", SeedNodes);
            var message = IsSelfSeeded
                ? $"node {SelfAddress} did not become Up within {timeout.TotalSeconds:0.#} s although it joined itself; the machine may be overloaded"
                : $"node {SelfAddress} could not join the cluster within {timeout.TotalSeconds:0.#} s: no answer from seed node(s) {seeds}. " +
                  $"Check that a seed is running at exactly that address (scheme, system name '{Options.SystemName}', host and port, as the seed logs " +
                  "at start), that the port is reachable from this machine, and that all nodes agree on fault injection.";
            throw new ClusterJoinException(message, e);
        }
    }

    /// <summary>
    /// Leaves the cluster (peers see Leaving, Exiting, Removed: no errors), then terminates the actor system.
    /// Returns false when that did not finish within <paramref name="timeout"/> and the system was terminated
    /// without a graceful leave.
    /// </summary>
    public async Task<bool> LeaveAndShutdownAsync(TimeSpan timeout)
    {
        if (System.WhenTerminated.IsCompleted) return true;

        // Coordinated shutdown runs the phases in order: cluster-leave, cluster-exiting, ..., actor-system-terminate.
        _ = CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        try
        {
            await System.WhenTerminated.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            await System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await LeaveAndShutdownAsync(DefaultShutdownTimeout).ConfigureAwait(false);
}
