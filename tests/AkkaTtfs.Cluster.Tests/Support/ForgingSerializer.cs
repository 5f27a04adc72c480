using Akka.Actor;
using Akka.Serialization;
using AkkaTtfs.Cluster.Serialization;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>Bytes and a manifest to put on the wire as they are, under the data-plane serializer's id.</summary>
public sealed record ForgedMessage(string Manifest, byte[] Bytes);

/// <summary>
/// Test-only stand-in for the data-plane serializer on a hostile node: same serializer id, so a
/// <see cref="ForgedMessage"/> arrives at its peer as if it were a data-plane message with any
/// manifest and bytes; real protocol messages are serialized as usual.
/// </summary>
public sealed class ForgingSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private readonly DataPlaneSerializer _real = new(system);

    public override int Identifier => DataPlaneSerializer.Id;

    public override string Manifest(object o) => o is ForgedMessage f ? f.Manifest : _real.Manifest(o);

    public override byte[] ToBinary(object obj) => obj is ForgedMessage f ? f.Bytes : _real.ToBinary(obj);

    public override object FromBinary(byte[] bytes, string manifest) => _real.FromBinary(bytes, manifest);
}
