using System.CommandLine;
using AkkaTtfs.App;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Cli.Commands;

/// <summary>How this process takes part in a cluster run, as <see cref="RunCommand.RunOnCluster"/> needs it.</summary>
/// <param name="Secret">The cluster secret of --secret-file (null: none given; an embedded cluster then uses <see cref="EmbeddedSecret"/>).</param>
/// <param name="Insecure">--insecure: plain TCP is allowed on a non-loopback --host.</param>
/// <param name="Link">--link-latency / --link-bandwidth (the nodes this process starts).</param>
internal sealed record ClusterSettings(string? Host, int? Port, TimeSpan JoinTimeout, int InFlight, string? ConfigFile, bool FaultInjection,
    ClusterSecret? Secret = null, bool Insecure = false, LinkProfile? Link = null)
{
    private ClusterSecret? _generated;

    /// <summary>The secret every node of an embedded cluster shares: --secret-file's, else one generated for this run.</summary>
    public ClusterSecret EmbeddedSecret => Secret ?? (_generated ??= ClusterSecret.Generate());
}

/// <summary>
/// The options of the node this process starts for a cluster run, shared by <c>run</c> and by
/// <c>simulate</c>'s cluster engine so that both take the same flags with the same defaults.
/// </summary>
internal sealed class ClusterCliOptions
{
    /// <param name="prefix">Put before every description ("Cluster engine: " for simulate), or "" for run.</param>
    /// <param name="links">Include --link-latency/--link-bandwidth (false: the command has its own, e.g. sweep's lists).</param>
    public ClusterCliOptions(string prefix, bool links = true)
    {
        _links = links;
        string Say(string text) => prefix.Length == 0 ? text : prefix + char.ToLowerInvariant(text[0]) + text[1..];
        Host = new Option<string?>("--host") { Description = Say("Address to bind and advertise (default 127.0.0.1)") };
        Port = CliOptions.OptionalInt("--port", Say("Port of this process's node (default: any free port)"), OptionRanges.Port);
        JoinTimeout = CliOptions.Int("--join-timeout", Say("Seconds to wait for the cluster and the workers"), OptionRanges.JoinTimeout, 60);
        InFlight = CliOptions.Int("--in-flight",
            Say("Batches in flight at most (credits); fewer, with a smaller --batch, make a run longer and its replays after a runtime fault shorter"), OptionRanges.InFlight,
            AkkaTtfs.Cluster.Runtime.RunOptions.DefaultMaxInFlight);
        Config = new Option<FileInfo?>("--config")
        {
            Description = Say("A HOCON file that overrides the embedded cluster configuration of the node(s) this process starts " +
                              "(the coordinator; in embedded mode every node); see cluster-config/README.md"),
        };
        FaultInjection = new Option<bool>("--fault-injection")
        {
            Description = Say("With --seed: the cluster's nodes run with the throttle/blackhole adapters (akkattfs node --fault-injection); " +
                              "needed to join them, and for cut and kill faults (detected from an akka.trttl.gremlin.tcp:// seed address)"),
        };
    }

    public Option<string?> Host { get; }

    public Option<int?> Port { get; }

    public Option<int> JoinTimeout { get; }

    public Option<int> InFlight { get; }

    public Option<FileInfo?> Config { get; }

    public Option<bool> FaultInjection { get; }

    public Option<string?> LinkLatency { get; } = CreateLinkLatency();

    public Option<string?> LinkBandwidth { get; } = CreateLinkBandwidth();

    public Option<FileInfo?> SecretFile { get; } = CreateSecretFile();

    public Option<bool> Insecure { get; } = CreateInsecure();

    private readonly bool _links;

    private IEnumerable<Option> All => _links
        ? [Host, Port, JoinTimeout, InFlight, Config, FaultInjection, LinkLatency, LinkBandwidth, SecretFile, Insecure]
        : [Host, Port, JoinTimeout, InFlight, Config, FaultInjection, SecretFile, Insecure];

    /// <summary>--link-latency, shared with <c>akkattfs node</c> (a string with a unit: checked by <see cref="ReadLink"/>).</summary>
    public static Option<string?> CreateLinkLatency() => new(LinkOptions.Latency) { Description = LinkOptions.LatencyHelp, HelpName = "DURATION" };

    /// <summary>--link-bandwidth, shared with <c>akkattfs node</c>.</summary>
    public static Option<string?> CreateLinkBandwidth() => new(LinkOptions.Bandwidth) { Description = LinkOptions.BandwidthHelp, HelpName = "RATE" };

    /// <summary>The link profile of the two options; a bad value is one line naming the option (exit 2).</summary>
    public static LinkProfile ReadLink(ParseResult parse, Option<string?> latency, Option<string?> bandwidth)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return LinkOptions.Parse(parse.GetValue(latency), parse.GetValue(bandwidth));
    }

    /// <summary>--secret-file, shared with <c>akkattfs node</c>.</summary>
    public static Option<FileInfo?> CreateSecretFile() => new("--secret-file")
    {
        Description = "File holding the cluster secret (the same on every node; make one with: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE). " +
                      "Nodes then talk over mutual TLS and only nodes with the secret can connect; see cluster-config/README.md",
    };

    /// <summary>--insecure, shared with <c>akkattfs node</c>.</summary>
    public static Option<bool> CreateInsecure() => new("--insecure")
    {
        Description = "Allow listening on a non-loopback --host without a cluster secret (anyone who reaches the port could join): only on a network you trust",
    };

    /// <summary>The secret of a --secret-file value, or null; a missing, public or too short file is a usage error naming it.</summary>
    public static ClusterSecret? LoadSecret(FileInfo? file)
    {
        if (file is null) return null;
        try
        {
            return ClusterSecret.Load(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CliUsageException($"--secret-file: {e.Message}");
        }
    }

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The options the user gave explicitly (not by default), e.g. to refuse them where no cluster runs.</summary>
    public IEnumerable<string> Given(ParseResult parse) =>
        All.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name);

    /// <summary>Reads and checks the values (the config file is parsed once here, before any work).</summary>
    public ClusterSettings Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        // The ranges were checked by the parser (CliOptions.Int); checked again for a caller that built the values itself.
        var joinTimeout = parse.GetValue(JoinTimeout);
        OptionRanges.JoinTimeout.Check("--join-timeout", joinTimeout);
        var inFlight = parse.GetValue(InFlight);
        OptionRanges.InFlight.Check("--in-flight", inFlight);
        var port = parse.GetValue(Port);
        OptionRanges.Port.Check("--port", port);
        var host = parse.GetValue(Host);
        if (host is not null && string.IsNullOrWhiteSpace(host)) throw new CliUsageException("--host must not be empty");
        var link = _links ? ReadLink(parse, LinkLatency, LinkBandwidth) : LinkProfile.None;
        return new ClusterSettings(host, port, TimeSpan.FromSeconds(joinTimeout), inFlight, CliFiles.CheckClusterConfig(parse.GetValue(Config)), parse.GetValue(FaultInjection),
            LoadSecret(parse.GetValue(SecretFile)), parse.GetValue(Insecure), link.IsActive ? link : null);
    }
}
