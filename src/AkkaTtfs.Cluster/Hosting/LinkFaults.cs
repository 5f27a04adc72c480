using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using AkkaTtfs.Cluster.Protocol;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// Cuts, slows and heals the remoting link from one node to another at run time, through the throttler
/// transport adapter (fault-injection.conf must be loaded on every node: <see cref="ClusterNodeOptions.FaultInjection"/>).
/// A blackholed link drops what is sent on it, cluster heartbeats included: held longer than the failure
/// detector's pause, the peer becomes unreachable and the split-brain resolver may down one side.
/// For a steady slow interconnect use <see cref="LinkEmulation"/> (--link-latency, --link-bandwidth) instead: the
/// throttler's token bucket credits only whole milliseconds since the last write, so its rate is approximate.
/// </summary>
public static class LinkFaults
{
    /// <summary>Drops all traffic between <paramref name="system"/> and <paramref name="remote"/> in the given direction(s).</summary>
    public static Task BlackholeAsync(ActorSystem system, Address remote,
        ThrottleTransportAdapter.Direction direction = ThrottleTransportAdapter.Direction.Both) =>
        ApplyAsync(system, remote, direction, Blackhole.Instance, "blackhole");

    /// <summary>Limits the link to about <paramref name="bytesPerSecond"/> (a token bucket as large as one frame).</summary>
    public static Task ThrottleAsync(ActorSystem system, Address remote, double bytesPerSecond,
        ThrottleTransportAdapter.Direction direction = ThrottleTransportAdapter.Direction.Both)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        var bucket = new TokenBucket(FrameBudget.MaximumFrameSize, bytesPerSecond, 0, FrameBudget.MaximumFrameSize);
        return ApplyAsync(system, remote, direction, bucket, "throttle");
    }

    /// <summary>Heals the link: no throttling in either direction.</summary>
    public static Task RestoreAsync(ActorSystem system, Address remote) =>
        ApplyAsync(system, remote, ThrottleTransportAdapter.Direction.Both, Unthrottled.Instance, "restore");

    /// <summary>True when this node runs with the throttler adapter (fault-injection.conf), so its links can be cut.</summary>
    public static bool IsAvailable(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.Settings.Config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters", []).Contains("trttl");
    }

    private static async Task ApplyAsync(ActorSystem system, Address remote, ThrottleTransportAdapter.Direction direction, ThrottleMode mode, string what)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(remote);
        if (((ExtendedActorSystem)system).Provider is not IRemoteActorRefProvider provider)
            throw new InvalidOperationException($"cannot {what} a link: actor system '{system.Name}' has no remoting");
        // Without the adapter the command is acknowledged all the same and does nothing: check first.
        if (!IsAvailable(system))
        {
            throw new InvalidOperationException(
                $"cannot {what} the link from {system.Name} to {remote}: the throttler adapter is not loaded " +
                "(start every node with fault injection: akka.remote.dot-netty.tcp.applied-adapters = [trttl, gremlin])");
        }

        var applied = await provider.Transport.ManagementCommand(new SetThrottle(remote, direction, mode)).ConfigureAwait(false);
        if (!applied) throw new InvalidOperationException($"remoting refused to {what} the link from {system.Name} to {remote}");
    }
}
