using System.CommandLine;
using AkkaTtfs.App;
using System.Runtime.InteropServices;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs node</c>: a worker node that hosts partitions until it is stopped (Ctrl+C or SIGTERM).</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "Node role (worker hosts partitions)", DefaultValueFactory = _ => ClusterNodeOptions.WellKnownRoles.Worker };
        role.AcceptOnlyFromAmong(ClusterNodeOptions.WellKnownRoles.Worker);
        var seeds = new Option<string[]>("--seed") { Description = "Seed node address(es) to join (akka.tcp://akkattfs@host:port); none: this node is the seed", AllowMultipleArgumentsPerToken = true };
        var host = new Option<string?>("--host") { Description = "Address to bind and advertise (default 127.0.0.1)" };
        var port = CliOptions.OptionalInt("--port", "Port (default: 4053 for a seed, any free port otherwise)", OptionRanges.Port);
        var config = new Option<FileInfo?>("--config") { Description = "A HOCON file that overrides the embedded configuration" };
        var faults = new Option<bool>("--fault-injection") { Description = "Enable the throttle/blackhole transport adapters (every node of the cluster must)" };
        var joinTimeout = CliOptions.Int("--join-timeout", "Seconds to wait for joining the cluster", OptionRanges.JoinTimeout, 60);
        var tags = new Option<string[]>("--tag")
        {
            Description = "Tag this worker (repeatable; letters, digits, '.', '_', '-'): a placement file (run/sweep --placement FILE.json) can pin partitions to \"tag:NAME\"",
            AllowMultipleArgumentsPerToken = true,
        };
        tags.Validators.Add(result =>
        {
            foreach (var tag in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!IsTagName(tag)) result.AddError($"--tag '{tag}' is not a tag name: use letters, digits, '.', '_' and '-'");
            }
        });
        var secretFile = ClusterCliOptions.CreateSecretFile();
        var insecure = ClusterCliOptions.CreateInsecure();
        var linkLatency = ClusterCliOptions.CreateLinkLatency();
        var linkBandwidth = ClusterCliOptions.CreateLinkBandwidth();
        var command = new Command("node", "Run a worker node that hosts SNN partitions for coordinators (stops cleanly on Ctrl+C or SIGTERM)")
        {
            role, seeds, host, port, config, faults, joinTimeout, tags, secretFile, insecure, linkLatency, linkBandwidth,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var seedList = parse.GetValue(seeds) ?? [];
            var isSeed = seedList.Length == 0;
            var secret = ClusterCliOptions.LoadSecret(parse.GetValue(secretFile));
            // This node's outbound cross-node links (each node emulates its own sending side).
            var link = ClusterCliOptions.ReadLink(parse, linkLatency, linkBandwidth);
            ClusterNode node;
            try
            {
                node = ClusterNode.Start(new ClusterNodeOptions
                {
                    Profile = isSeed ? NodeProfile.Seed : NodeProfile.Worker,
                    Host = parse.GetValue(host),
                    Port = parse.GetValue(port) ?? (isSeed ? 4053 : 0),
                    SeedNodes = seedList,
                    Roles = parse.GetValue(tags) is { Length: > 0 } given
                        ? [ClusterNodeOptions.WellKnownRoles.Worker, .. given.Distinct(StringComparer.Ordinal).Select(t => WorkerNode.TagRolePrefix + t)]
                        : null,
                    ConfigFile = parse.GetValue(config)?.FullName,
                    FaultInjection = parse.GetValue(faults),
                    Secret = secret,
                    Insecure = parse.GetValue(insecure),
                    LinkLatencyMs = link.IsActive ? link.LatencyMs : null,
                    LinkBytesPerSecond = link.IsActive ? link.BytesPerSecond : null,
                });
            }
            catch (Exception ex) when (ex is ClusterJoinException or Akka.Configuration.ConfigurationException)
            {
                throw new CliUsageException(ex.Message);
            }

            using var stop = new ManualResetEventSlim();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Set(); });
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Set(); };
            try
            {
                node.WaitUntilUpAsync(TimeSpan.FromSeconds(parse.GetValue(joinTimeout))).GetAwaiter().GetResult();
            }
            catch (ClusterJoinException ex)
            {
                node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                throw new CliUsageException(ex.Message);
            }

            ClusterRuntime.StartNodeAgent(node.System);
            // The address line is what scripts and the multi-process test read to find a node started on port 0.
            Console.WriteLine($"node up at {node.SelfAddress}");
            if (link.IsActive) Console.WriteLine($"emulated links     {link.Describe()} (this node's outbound cross-node links)");
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"start-up: {AkkaTtfs.App.MachineInfo.SinceProcessStart().TotalSeconds:F2} s from process start to node up"));
            Console.Out.Flush();
            WaitHandle.WaitAny([stop.WaitHandle, node.System.WhenTerminated.ContinueWith(_ => { }, TaskScheduler.Default).AsWaitHandle()]);
            if (!stop.IsSet)
            {
                // Not asked to stop: the cluster downed this node, or a run's fault plan killed it.
                Console.Error.WriteLine($"error: node {node.SelfAddress} stopped: its actor system terminated (downed by the cluster, or killed by a runtime fault of a run's fault plan)");
                return 1;
            }

            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"leaving the cluster (peak working set {AkkaTtfs.App.MachineInfo.PeakWorkingSetBytes() / 1e6:F0} MB)"));
            node.LeaveAndShutdownAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }

    private static bool IsTagName(string tag) => tag.Length is > 0 and <= 64 && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static WaitHandle AsWaitHandle(this Task task) => ((IAsyncResult)task).AsyncWaitHandle;
}
