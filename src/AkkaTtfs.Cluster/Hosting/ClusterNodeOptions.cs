namespace AkkaTtfs.Cluster.Hosting;

/// <summary>Which embedded profile file (cluster-config/*.conf) a node starts from.</summary>
public enum NodeProfile
{
    /// <summary>single-node.conf: embedded mode, roles coordinator + worker, joins itself on loopback.</summary>
    SingleNode,

    /// <summary>seed.conf: the node others join; joins itself, role worker.</summary>
    Seed,

    /// <summary>worker.conf: joins existing seed(s), role worker (a joining coordinator overrides the roles).</summary>
    Worker,
}

/// <summary>
/// How to start one cluster node. Null values keep what the configuration files say; base.conf's
/// defaults are host 127.0.0.1 and port 0 (any free port). Precedence, highest first:
/// <see cref="ExtraHocon"/>, the serializer pins (System.Object = guarded Hyperion, id 1 = refusal), the other
/// properties here, <see cref="ConfigFile"/>, fault-injection.conf
/// (when <see cref="FaultInjection"/>), the profile file, base.conf, Akka's defaults.
/// </summary>
public sealed record ClusterNodeOptions
{
    public const string DefaultSystemName = "akkattfs";

    /// <summary>Actor system name; every node of one cluster must use the same (seed addresses contain it).</summary>
    public string SystemName { get; init; } = DefaultSystemName;

    public NodeProfile Profile { get; init; } = NodeProfile.SingleNode;

    /// <summary>Host name or IP to bind and to advertise; null = the config's (127.0.0.1 unless a file says otherwise).</summary>
    public string? Host { get; init; }

    /// <summary>TCP port; 0 = any free port; null = the config's (0 unless a file says otherwise).</summary>
    public int? Port { get; init; }

    /// <summary>Cluster roles ("coordinator", "worker"); null = the profile's.</summary>
    public IReadOnlyList<string>? Roles { get; init; }

    /// <summary>
    /// Seed node addresses, e.g. "akka.tcp://akkattfs@10.0.0.1:4053". Empty = akka.cluster.seed-nodes from the
    /// config files; when that is empty too, the node is the seed and joins itself.
    /// </summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>Loads fault-injection.conf (throttler and failure-injector adapters). Every node of a cluster must agree.</summary>
    public bool FaultInjection { get; init; }

    /// <summary>
    /// The cluster secret: remoting runs over mutual TLS and only nodes with the same secret can connect
    /// (<see cref="ClusterSecret"/>). Null: plain TCP, which <see cref="ClusterNode.Start"/> allows only on a
    /// loopback address unless <see cref="Insecure"/>.
    /// </summary>
    public ClusterSecret? Secret { get; init; }

    /// <summary>Allows a node without a secret to listen on an address other machines can reach (a trusted private network).</summary>
    public bool Insecure { get; init; }

    /// <summary>akka.actor.serialize-messages: serialize local sends too (tests); null = the config's (off).</summary>
    public bool? SerializeMessages { get; init; }

    /// <summary>
    /// Emulated one-way latency of this node's outbound cross-node links, in ms (<see cref="LinkEmulation"/>);
    /// null = the config's (0: none).
    /// </summary>
    public double? LinkLatencyMs { get; init; }

    /// <summary>Emulated bandwidth of this node's outbound link to each other node, in bytes/s; 0 = unlimited; null = the config's (0).</summary>
    public double? LinkBytesPerSecond { get; init; }

    /// <summary>A HOCON file that overrides the embedded files (not the options here).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>HOCON text that overrides everything else.</summary>
    public string? ExtraHocon { get; init; }

    /// <summary>Roles the coordinator and workers look for.</summary>
    public static class WellKnownRoles
    {
        public const string Coordinator = "coordinator";
        public const string Worker = "worker";
    }
}
