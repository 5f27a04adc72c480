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

    /// <summary>Reads a user's HOCON file; a missing or unreadable file is an error that names it.</summary>
    public static Config LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"cluster config file '{Path.GetFullPath(path)}' does not exist", path);
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"cluster config file '{Path.GetFullPath(path)}' is not valid HOCON: {e.Message}", e);
        }
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
        var adapters = config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters", []);
        var expected = adapters.Count == 0 ? PlainProtocol : $"akka.{string.Join('.', adapters)}.tcp";
        return given.Select(s => ParseSeed(s, options.SystemName, expected)).Distinct().ToArray();
    }

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
            $"seed '{seed}' uses scheme '{address.Protocol}' but this node speaks '{expectedProtocol}'; fault injection (the trttl/gremlin adapters) must be on for every node of a cluster or for none",
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

        if (o.SerializeMessages is { } serialize)
            sb.AppendLine(CultureInfo.InvariantCulture, $"akka.actor.serialize-messages = {(serialize ? "on" : "off")}");
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
