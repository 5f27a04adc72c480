using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// Test-only stand-in for the System.Object binding while <c>serialize-messages</c> is on. Akka then pushes every
/// local message through its serializer, Akka's own internals included (cluster subscriptions, system messages),
/// and the guarded Hyperion refuses those, as it must on the wire. This serializer hands a local message back to
/// the same actor system unchanged, so the protocol records are still verified by their MessagePack serializers,
/// and it fails loudly when bytes of it reach another node: in production nothing may cross through System.Object
/// except what the guarded Hyperion's allow-list holds.
/// </summary>
public sealed class LocalVerificationSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7799;

    public const string Hocon = """

        akka.actor.serializers.local-verification = "AkkaTtfs.Cluster.Tests.Support.LocalVerificationSerializer, AkkaTtfs.Cluster.Tests"
        akka.actor.serialization-bindings { "System.Object" = local-verification }
        """;

    private static readonly ConcurrentDictionary<Guid, (ActorSystem System, object Value)> Parked = new();

    private readonly ExtendedActorSystem _system = system;

    public LocalVerificationSerializer(ExtendedActorSystem system, Config config)
        : this(system)
    {
    }

    public override int Identifier => Id;

    public override string Manifest(object o) => string.Empty;

    public override byte[] ToBinary(object obj)
    {
        var token = Guid.NewGuid();
        Parked[token] = (_system, obj);
        return token.ToByteArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (bytes.Length != 16 || !Parked.TryRemove(new Guid(bytes), out var parked))
            throw new SerializationException("local-verification serializer: unknown token");
        if (!ReferenceEquals(parked.System, _system))
            throw new SerializationException($"{parked.Value.GetType()} crossed from {parked.System.Name} to another node through the System.Object binding; in production only the guarded Hyperion's allow-list may");
        return parked.Value;
    }
}
