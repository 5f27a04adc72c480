using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using AkkaTtfs.Cluster.Serialization;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>Bytes and a manifest a hostile node puts on the wire as they are, under one serializer id (one record type per id).</summary>
public interface IForged
{
    string Manifest { get; }

    byte[] Bytes { get; }
}

/// <summary>Sent under serializer id 1 (Akka's Newtonsoft JSON).</summary>
public sealed record ForgedJson(string Manifest, byte[] Bytes) : IForged;

/// <summary>Sent under serializer id -5 (Hyperion); Hyperion sends no manifest, so neither does this by default.</summary>
public sealed record ForgedHyperion(byte[] Bytes, string Manifest = "") : IForged;

/// <summary>Sent under the control-plane serializer's id.</summary>
public sealed record ForgedControl(string Manifest, byte[] Bytes) : IForged;

/// <summary>
/// Test-only serializer of a hostile node: under a real serializer's id it writes an <see cref="IForged"/>'s
/// bytes and manifest unchanged, and anything else as <paramref name="real"/> would.
/// </summary>
public abstract class Forger(ExtendedActorSystem system, int id, SerializerWithStringManifest? real) : SerializerWithStringManifest(system)
{
    public override int Identifier => id;

    public override string Manifest(object o) => o is IForged f ? f.Manifest : (real ?? throw NotForged(o)).Manifest(o);

    public override byte[] ToBinary(object obj) => obj is IForged f ? f.Bytes : (real ?? throw NotForged(obj)).ToBinary(obj);

    public override object FromBinary(byte[] bytes, string manifest) => (real ?? throw new ArgumentException($"forger {id} reads nothing")).FromBinary(bytes, manifest);

    private ArgumentException NotForged(object o) => new($"forger {id} only writes forged payloads, not {o.GetType()}");
}

public sealed class JsonForger(ExtendedActorSystem system) : Forger(system, DisabledJsonSerializer.Id, null)
{
    public JsonForger(ExtendedActorSystem system, Config config)
        : this(system)
    {
    }
}

public sealed class HyperionForger(ExtendedActorSystem system) : Forger(system, GuardedHyperionSerializer.Id, null)
{
    public HyperionForger(ExtendedActorSystem system, Config config)
        : this(system)
    {
    }
}

public sealed class ControlForger(ExtendedActorSystem system) : Forger(system, ControlSerializer.Id, new ControlSerializer(system));

/// <summary>HOCON that makes a node hostile: forgers in place of the JSON, Hyperion, control and data-plane serializers.</summary>
public static class HostileNode
{
    public const string Hocon = """

        akka.actor.serializers.json = "AkkaTtfs.Cluster.Tests.Support.JsonForger, AkkaTtfs.Cluster.Tests"
        akka.actor.serializers.hyperion = "AkkaTtfs.Cluster.Tests.Support.HyperionForger, AkkaTtfs.Cluster.Tests"
        akka.actor.serializers.ttfs-control = "AkkaTtfs.Cluster.Tests.Support.ControlForger, AkkaTtfs.Cluster.Tests"
        akka.actor.serializers.ttfs-data = "AkkaTtfs.Cluster.Tests.Support.ForgingSerializer, AkkaTtfs.Cluster.Tests"
        akka.actor.serialization-bindings {
          "AkkaTtfs.Cluster.Tests.Support.ForgedJson, AkkaTtfs.Cluster.Tests" = json
          "AkkaTtfs.Cluster.Tests.Support.ForgedHyperion, AkkaTtfs.Cluster.Tests" = hyperion
          "AkkaTtfs.Cluster.Tests.Support.ForgedControl, AkkaTtfs.Cluster.Tests" = ttfs-control
          "AkkaTtfs.Cluster.Tests.Support.ForgedMessage, AkkaTtfs.Cluster.Tests" = ttfs-data
        }
        """;
}

/// <summary>Hyperion payloads as an unguarded Hyperion writes them, to forge with.</summary>
public static class HyperionPayloads
{
    /// <summary>An unguarded Hyperion (no filter, no deny-list), as an attacker's would be.</summary>
    public static Hyperion.Serializer Unguarded() => new(new Hyperion.SerializerOptions(
        versionTolerance: true, preserveObjectReferences: true, surrogates: null, serializerFactories: null, knownTypes: null, ignoreISerializable: true,
        packageNameOverrides: null, disallowUnsafeTypes: false, typeFilter: Hyperion.DisabledTypeFilter.Instance));

    public static byte[] Of(object value)
    {
        using var stream = new MemoryStream();
        Unguarded().Serialize(value, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// The bytes of a <see cref="Canary"/> with its type name replaced by <paramref name="typeName"/> (Hyperion writes the
    /// name as a 4-byte little-endian length and UTF-8), so that any type can be named without having an instance of it.
    /// </summary>
    public static byte[] Naming(string typeName)
    {
        var canary = Canary.Quiet();
        var bytes = Of(canary);
        var name = Encoding.UTF8.GetBytes(ShortName(typeof(Canary)));
        var at = bytes.AsSpan().IndexOf(name);
        if (at < 4 || BitConverter.ToInt32(bytes, at - 4) != name.Length) throw new InvalidOperationException("canary type name not found in the Hyperion bytes");
        var replacement = Encoding.UTF8.GetBytes(typeName);
        return [.. bytes.AsSpan(0, at - 4), .. BitConverter.GetBytes(replacement.Length), .. replacement, .. bytes.AsSpan(at + name.Length)];
    }

    /// <summary>The name as Hyperion writes it: assembly-qualified without version, culture and key token.</summary>
    public static string ShortName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
