using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;

namespace AkkaTtfs.Cluster.Protocol;

/// <summary>
/// Recognises Akka.Remote's report of a message it dropped for its size. The endpoint writer of the SENDING node logs an
/// Error "Transient association error (association remains live)" whose cause is an <c>OversizedPayloadException</c>
/// ("Discarding oversized payload sent to {recipient}: max allowed size {limit} bytes, actual size of encoded {type} was
/// {size} bytes.", Akka.Remote 1.5) and goes on as if the message had been sent. Actors that take part in a run listen for
/// it (event stream, <see cref="Error"/>) and fail the run at once with <see cref="Describe"/>'s line instead of waiting
/// for a batch that can never complete.
/// </summary>
public static partial class OversizedPayload
{
    private const string ExceptionType = "Akka.Remote.OversizedPayloadException";

    /// <summary>The reason to fail the run with (names the message type, its size and the limit), or null for any other event.</summary>
    public static string? Describe(LogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is not Error { Cause: { } cause } || cause.GetType().FullName != ExceptionType) return null;
        var match = AkkaText().Match(cause.Message);
        if (!match.Success) return $"Akka.Remote dropped a message larger than its frame: {cause.Message}";
        var type = match.Groups["type"].Value;
        var shortType = type[(type.LastIndexOf('.') + 1)..];
        return $"Akka.Remote dropped a {shortType} of {match.Groups["size"].Value} bytes sent to {match.Groups["to"].Value}: " +
            $"the remoting frame limit is {match.Groups["limit"].Value} bytes (akka.remote.dot-netty.tcp.maximum-frame-size; this build splits spike batches, inputs and reports, so this is a message that is not split)";
    }

    [GeneratedRegex(@"sent to (?<to>.+?): max allowed size (?<limit>\d+) bytes, actual size of encoded (?<type>\S+) was (?<size>\d+) bytes")]
    private static partial Regex AkkaText();
}

/// <summary>
/// A child of an actor that takes part in a run: listens for Akka.Remote's oversized-payload errors on this node and tells its
/// parent (<see cref="OversizedPayloadSeen"/>), once. A child rather than the parent's own subscription, so that the other
/// error events of the node do not reach the parent (nor reset its receive timeout).
/// </summary>
public sealed class OversizeWatcher : ReceiveActor
{
    public const string Name = "oversize-watch";

    public OversizeWatcher()
    {
        var reported = false;
        Receive<Error>(e =>
        {
            if (reported || OversizedPayload.Describe(e) is not { } reason) return;
            reported = true;
            Context.Parent.Tell(new OversizedPayloadSeen(reason));
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new OversizeWatcher());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(Error));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}

/// <summary>Local only: Akka.Remote on this node dropped a message for its size; <paramref name="Reason"/> names its type, size and the limit.</summary>
public sealed record OversizedPayloadSeen(string Reason) : INoSerializationVerificationNeeded;
