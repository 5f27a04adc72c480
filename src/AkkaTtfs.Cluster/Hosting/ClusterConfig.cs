using System.Globalization;
using System.Reflection;
using System.Text;
using Akka.Actor;
using Akka.Configuration;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// The HOCON of a node: the cluster-config/*.conf files embedded in this assembly, a user's file and the
/// options, layered as <see cref="ClusterNodeOptions"/> describes. Pure functions; nothing starts here.
/// </summary>
public static class ClusterConfig
{
    public const string BaseFile = "base.conf";
    public const string SingleNodeFile = "single-node.conf";
    public const string SeedFile = "seed.conf";
    public const string WorkerFile = "worker.conf";
    public const string FaultInjectionFile = "fault-injection.conf";

    /// <summary>Address scheme of a node without and with the fault-injection adapters.</summary>
    public const string PlainProtocol = "akka.tcp";
    public const string FaultInjectionProtocol = "akka.trttl.gremlin.tcp";

    private const string ResourcePrefix = "AkkaTtfs.Cluster.Config.";

    /// <summary>
    /// Pinned above the files and the user's --config: System.Object stays bound to the guarded Hyperion, and
    /// Akka's id 1 (Newtonsoft JSON, which instantiates any type a payload names) stays the refusing stand-in,
    /// whatever a profile or a user's file says. (Code that passes <see cref="ClusterNodeOptions.ExtraHocon"/> may
    /// still change them: tests use it to play a hostile node.)
    /// </summary>
    internal const string WireSafetyHocon = """
        akka.actor.serializers.json = "AkkaTtfs.Cluster.Serialization.DisabledJsonSerializer, AkkaTtfs.Cluster"
        akka.actor.serializers.hyperion = "AkkaTtfs.Cluster.Serialization.GuardedHyperionSerializer, AkkaTtfs.Cluster"
        akka.actor.serialization-bindings { "System.Object" = hyperion }
        """;

    /// <summary>Names of the embedded files (base.conf, single-node.conf, ...).</summary>
    public static IReadOnlyList<string> EmbeddedFiles { get; } =
        typeof(ClusterConfig).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The text of an embedded file, e.g. to show a user what to override.</summary>
    public static string ReadEmbeddedText(string fileName)
    {
        using var stream = typeof(ClusterConfig).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new ArgumentException($"no embedded cluster config file '{fileName}'; there are: {string.Join(", ", EmbeddedFiles)}", nameof(fileName));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static Config LoadEmbedded(string fileName) => ConfigurationFactory.ParseString(ReadEmbeddedText(fileName));

    public static string ProfileFile(NodeProfile profile) => profile switch
    {
        NodeProfile.SingleNode => SingleNodeFile,
        NodeProfile.Seed => SeedFile,
        NodeProfile.Worker => WorkerFile,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown node profile"),
    };

    /// <summary>The layered configuration of a node (seed-nodes still as the files say; see <see cref="ResolveSeeds"/>).</summary>
    public static Config Build(ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = LoadEmbedded(BaseFile);
        config = LoadEmbedded(ProfileFile(options.Profile)).WithFallback(config);
        if (options.FaultInjection) config = LoadEmbedded(FaultInjectionFile).WithFallback(config);
        if (options.ConfigFile is not null) config = LoadFile(options.ConfigFile).WithFallback(config);
        config = ConfigurationFactory.ParseString(OptionsHocon(options)).WithFallback(config);
        config = ConfigurationFactory.ParseString(WireSafetyHocon).WithFallback(config);
        if (!string.IsNullOrWhiteSpace(options.ExtraHocon))
        {
            Config extra;
            try
            {
                extra = ConfigurationFactory.ParseString(options.ExtraHocon);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ConfigurationException($"the extra HOCON given to the node is not valid HOCON: {e.Message}", e);
            }

            config = extra.WithFallback(config);
        }

        return config;
    }

    /// <summary>
    /// Reads a user's HOCON file, checked by <see cref="ConfigFileValidator"/>: a missing file, a file that is not HOCON
    /// as written or a wrong value of a key we read is an error naming the file and the line.
    /// </summary>
    public static Config LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"cluster config file '{Path.GetFullPath(path)}' does not exist", path);
        return ConfigFileValidator.Load(path);
    }

    /// <summary>
    /// The seeds a node joins: the options' seeds, else akka.cluster.seed-nodes of <paramref name="config"/>;
    /// empty means the node joins itself. Each address is checked (scheme, system name, host and port) so
    /// that a typo fails here with a clear message instead of a join that never completes. With fault
    /// injection on, an akka.tcp:// seed is rewritten to the adapters' scheme.
    /// </summary>
    public static IReadOnlyList<Address> ResolveSeeds(ClusterNodeOptions options, Config config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        IEnumerable<string> given = options.SeedNodes.Count > 0 ? options.SeedNodes : config.GetStringList("akka.cluster.seed-nodes", []);
        var expected = Protocol(config);
        return given.Select(s => ParseSeed(s, options.SystemName, expected)).Distinct().ToArray();
    }

    /// <summary>Whether a node address speaks through the fault-injection adapters (akka.trttl.gremlin.tcp or, with a secret, akka.trttl.gremlin.ssl.tcp).</summary>
    public static bool UsesFaultInjectionAdapters(string address) =>
        address is not null && address.StartsWith(FaultInjectionProtocol[..^"tcp".Length], StringComparison.Ordinal);

    /// <summary>The address scheme a node with this configuration speaks: akka[.adapters][.ssl].tcp.</summary>
    public static string Protocol(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var adapters = config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters", []);
        var ssl = config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false) ? "ssl." : string.Empty;
        return $"akka.{string.Concat(adapters.Select(a => a + "."))}{ssl}tcp";
    }

    /// <summary>
    /// Refuses plain TCP on an address other machines can reach: without a secret a node must listen on loopback
    /// (127.0.0.0/8, ::1, localhost) unless <see cref="ClusterNodeOptions.Insecure"/> says the network is trusted.
    /// </summary>
    public static void CheckExposure(ClusterNodeOptions options, Config config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        if (options.Secret is not null || options.Insecure) return;
        var host = config.GetString("akka.remote.dot-netty.tcp.hostname", string.Empty);
        if (IsLoopback(host)) return;
        throw new ClusterJoinException(
            $"this node would listen on {(host.Length == 0 ? "all interfaces" : host)} without a cluster secret, so anyone who reaches it could join the cluster " +
            "and send it commands: give every node the same --secret-file FILE (make one with: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE), " +
            "or add --insecure on a network you trust");
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static Address ParseSeed(string seed, string systemName, string expectedProtocol)
    {
        const string Example = "akka.tcp://akkattfs@127.0.0.1:4053";
        Address address;
        try
        {
            address = Address.Parse(seed.Trim());
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new ArgumentException($"seed '{seed}' is not an Akka address; expected the form {Example}", nameof(seed), e);
        }

        if (address.Host is null || address.Port is null or <= 0)
            throw new ArgumentException($"seed '{seed}' lacks a host or port; expected the form {Example}", nameof(seed));
        if (!string.Equals(address.System, systemName, StringComparison.Ordinal))
            throw new ArgumentException($"seed '{seed}' names actor system '{address.System}' but this node's system is '{systemName}'; both must be the same", nameof(seed));
        if (address.Protocol == expectedProtocol) return address;
        if (address.Protocol == PlainProtocol && expectedProtocol != PlainProtocol)
            return new Address(expectedProtocol, address.System, address.Host, address.Port);
        throw new ArgumentException(
            $"seed '{seed}' uses scheme '{address.Protocol}' but this node speaks '{expectedProtocol}'; fault injection (the trttl/gremlin adapters) and the cluster secret (TLS, scheme ...ssl.tcp) must be on for every node of a cluster or for none",
            nameof(seed));
    }

    private static string OptionsHocon(ClusterNodeOptions o)
    {
        var sb = new StringBuilder();
        if (o.Host is not null)
        {
            if (string.IsNullOrWhiteSpace(o.Host)) throw new ArgumentException("the host must not be empty", nameof(o));
            sb.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.hostname = {Quote(o.Host)}");
        }

        if (o.Port is { } port)
        {
            if (port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(o), port, "the port must be in [0, 65535] (0 = any free port)");
            sb.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.port = {port}");
        }

        if (o.Roles is not null)
        {
            foreach (var role in o.Roles)
            {
                if (string.IsNullOrWhiteSpace(role)) throw new ArgumentException("a role must not be empty", nameof(o));
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.roles = [{string.Join(", ", o.Roles.Select(Quote))}]");
        }

        // Mutual TLS with the secret's certificate (ClusterSecret.TlsSetup, given to the system by ClusterNode.Start);
        // the scheme becomes akka.ssl.tcp (akka.trttl.gremlin.ssl.tcp with fault injection).
        if (o.Secret is not null) sb.AppendLine("akka.remote.dot-netty.tcp.enable-ssl = on");
        if (o.SerializeMessages is { } serialize)
            sb.AppendLine(CultureInfo.InvariantCulture, $"akka.actor.serialize-messages = {(serialize ? "on" : "off")}");
        // The emulated interconnect (LinkEmulation): checked there when the system starts.
        if (o.LinkLatencyMs is { } latency) sb.AppendLine(CultureInfo.InvariantCulture, $"{LinkEmulation.LatencyPath} = {latency:R}");
        if (o.LinkBytesPerSecond is { } rate) sb.AppendLine(CultureInfo.InvariantCulture, $"{LinkEmulation.BandwidthPath} = {rate:R}");
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
