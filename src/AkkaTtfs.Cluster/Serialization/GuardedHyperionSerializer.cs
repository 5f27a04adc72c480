using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Hyperion.Internal;

namespace AkkaTtfs.Cluster.Serialization;

/// <summary>
/// Akka's Hyperion serializer (id -5, bound to <c>System.Object</c> in base.conf: the catch-all for anything
/// that is neither a protocol record nor one of Akka's own messages) with <c>disallow-unsafe-type</c> and the
/// project's allow-list, <see cref="WireTypeAllowList"/>. A subclass because the other ways in do not reach
/// the serializer in Akka.Serialization.Hyperion 1.5.73: <c>allowed-types</c> builds Hyperion's
/// <c>TypeFilter</c>, which compares short names with the full names Hyperion asks about and so refuses every
/// allowed type, and the constructor builds its options from its settings argument, not from a
/// <c>HyperionSerializerSetup</c>. A refused payload fails with a <see cref="SerializationException"/> that
/// names the type, before any object of it exists (Hyperion checks the name before it loads the type).
/// </summary>
public sealed class GuardedHyperionSerializer(ExtendedActorSystem system)
    : HyperionSerializer(system, HyperionSerializerSettings.Default.WithDisallowUnsafeType(true).WithTypeFilter(WireTypeAllowList.Instance))
{
    /// <summary>Hyperion's serializer id on the wire (Akka.Serialization.Hyperion's own).</summary>
    public const int Id = -5;

    /// <summary>
    /// Akka passes the <c>serialization-settings.hyperion</c> section when there is one. Ignored on purpose:
    /// the filter and <c>disallow-unsafe-type</c> are not a matter of configuration.
    /// </summary>
    public GuardedHyperionSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    public override object FromBinary(byte[] bytes, Type type)
    {
        try
        {
            return base.FromBinary(bytes, type);
        }
        catch (SerializationException e) when (Refused(e) is { } name)
        {
            throw new SerializationException($"Hyperion (serializer {Id}) refused type '{name}': it is not on this node's allow-list of wire types", e);
        }
    }

    private static string? Refused(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is EvilDeserializationException evil) return evil.BadTypeString;
        }

        return null;
    }
}
