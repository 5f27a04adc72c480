using Akka.Remote.Transport;
using AkkaTtfs.Cluster.Hosting;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>Blackholes and heals the link between two nodes of an <see cref="InProcessCluster"/> started with fault injection.</summary>
public static class LinkControl
{
    /// <summary>Drops all traffic between nodes <paramref name="a"/> and <paramref name="b"/>, both ways, on both sides.</summary>
    public static async Task BlackholeAsync(this InProcessCluster cluster, int a, int b)
    {
        await LinkFaults.BlackholeAsync(cluster[a].System, cluster[b].SelfAddress, ThrottleTransportAdapter.Direction.Both);
        await LinkFaults.BlackholeAsync(cluster[b].System, cluster[a].SelfAddress, ThrottleTransportAdapter.Direction.Both);
    }

    /// <summary>Heals the link between nodes <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static async Task UnthrottleAsync(this InProcessCluster cluster, int a, int b)
    {
        await LinkFaults.RestoreAsync(cluster[a].System, cluster[b].SelfAddress);
        await LinkFaults.RestoreAsync(cluster[b].System, cluster[a].SelfAddress);
    }
}
