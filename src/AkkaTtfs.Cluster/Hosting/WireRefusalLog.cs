using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// Names the sender of every message this node refused to deserialize. Akka.Remote logs such a refusal
/// ("Deserialization failed for message with serializer id ...", with the serializer's reason, which names
/// the refused type) from the endpoint reader of the association, but the peer's address is only in that
/// actor's URL-encoded path. This actor listens for those warnings and logs one line with the peer's address,
/// the serializer id and the reason. The address is the one the peer announced when it associated.
/// <see cref="ClusterNode.Start"/> starts it and subscribes it to the warnings.
/// </summary>
public sealed partial class WireRefusalLog : ReceiveActor
{
    public const string Name = "wire-refusal-log";

    /// <summary>The start of Akka.Remote's warning (EndpointReader.LogTransientSerializationError, Akka.Remote 1.5).</summary>
    private const string AkkaRefusal = "Deserialization failed for message with serializer id";

    public WireRefusalLog()
    {
        var log = Context.GetLogger();
        Receive<Warning>(w =>
        {
            if (Describe(w) is { } line) log.Warning(line);
        });
    }

    /// <summary>The line to log for an Akka.Remote refusal warning, or null when the event is something else.</summary>
    public static string? Describe(LogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = e.Message?.ToString();
        if (text is null || !text.StartsWith(AkkaRefusal, StringComparison.Ordinal)) return null;
        var match = ReaderOfPeer().Match(e.LogSource ?? string.Empty);
        var peer = match.Success ? Uri.UnescapeDataString(match.Groups[1].Value) : "an unknown peer";
        var reason = e.Cause?.Message ?? text;
        return $"refused a message from {peer}: {reason}";
    }

    [GeneratedRegex(@"endpointReader-([^/]+)-\d+$")]
    private static partial Regex ReaderOfPeer();
}
