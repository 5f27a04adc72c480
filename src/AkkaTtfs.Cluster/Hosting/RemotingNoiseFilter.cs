using Akka.Event;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// Drops one mis-levelled log line of Akka.Remote 1.5 (classic remoting): when a peer's connection closes,
/// the endpoint writer's supervisor logs the EndpointDisassociatedException "Disassociated" at ERROR,
/// right after the same event as a WARNING ("Association with remote system ... has failed; address is
/// now gated"). Measured here: a peer that leaves the cluster gracefully (leave, removed, then terminate;
/// even 3 s after removal) still triggers it on most runs, so left alone it would make every normal
/// shutdown look like a failure. The WARNING stays, so a crashed peer is still reported.
/// It also drops the supervisor's ERROR (with a stack trace) for a partition crash that a fault plan
/// injected on purpose: the coordinator logs that fault as a WARNING when it fires, and the run report lists it.
/// And it drops the transport's ERROR (a 20-line stack trace) for a port already in use, which the node's start
/// reports as one line.
/// </summary>
public sealed class RemotingNoiseFilter : LogFilterBase
{
    private const string EndpointDisassociated = "Akka.Remote.EndpointDisassociatedException";

    /// <summary>The filter as an actor-system setup; <see cref="ClusterNode.Start"/> applies it.</summary>
    public static LogFilterSetup Setup { get; } = new LogFilterBuilder().Add(new RemotingNoiseFilter()).Build();

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null) => content switch
    {
        Error { Cause: { } cause } when cause.GetType().FullName == EndpointDisassociated
            && content.LogSource.EndsWith("/endpointWriter", StringComparison.Ordinal) => LogFilterDecision.Drop,
        Error { Cause: Actors.PartitionActor.InjectedCrashException } => LogFilterDecision.Drop,
        Error { Cause: { } cause } when IsPortInUse(cause) => LogFilterDecision.Drop,
        _ => LogFilterDecision.NoDecision,
    };

    /// <summary>A bind failure on a port in use: <see cref="ClusterNode.Start"/> reports it in one line naming the port and the option.</summary>
    private static bool IsPortInUse(Exception cause)
    {
        for (var x = cause; x is not null; x = x.InnerException)
        {
            if (x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }) return true;
        }

        return false;
    }
}
