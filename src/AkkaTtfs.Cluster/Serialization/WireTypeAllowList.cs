using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Hyperion;

namespace AkkaTtfs.Cluster.Serialization;

/// <summary>
/// The types Hyperion may create on this node: primitives, strings and the few collections of them that
/// can cross as a catch-all message. Nothing else: the protocol records travel only through the MessagePack
/// serializers (a Hyperion payload naming one is refused), Akka's own messages through Akka's serializers.
/// Hyperion asks <see cref="IsAllowed"/> with the type name as written in the bytes, before it loads the
/// type; the name is normalised (assembly version, culture, key token and Hyperion's <c>%core%</c> marker
/// dropped, spaces after commas ignored) and compared with the normalised names of the allowed types.
/// Any other assembly attribute, a missing assembly, or an alias (mscorlib) does not match, so it is refused.
/// </summary>
public sealed partial class WireTypeAllowList : ITypeFilter
{
    public static WireTypeAllowList Instance { get; } = new(DefaultTypes());

    private readonly FrozenSet<string> _allowed;

    public WireTypeAllowList(IEnumerable<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        _allowed = types.Select(t => Normalise(t.AssemblyQualifiedName ?? throw new ArgumentException($"type {t} has no assembly-qualified name", nameof(types))))
            .ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The normalised names allowed, for the docs and tests.</summary>
    public IReadOnlyCollection<string> AllowedNames => _allowed;

    public bool IsAllowed(string typeName) => typeName is not null && _allowed.Contains(Normalise(typeName));

    /// <summary>
    /// "Ns.T, Asm, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" and Hyperion's "Ns.T, Asm,%core%"
    /// both become "Ns.T,Asm"; generic arguments are normalised the same way inside their brackets.
    /// </summary>
    public static string Normalise(string assemblyQualifiedName)
    {
        ArgumentNullException.ThrowIfNull(assemblyQualifiedName);
        var s = CoreMarker().Replace(assemblyQualifiedName, string.Empty);
        s = AssemblyIdentity().Replace(s, string.Empty);
        return SpaceAfterComma().Replace(s, ",");
    }

    private static IEnumerable<Type> DefaultTypes()
    {
        Type[] scalars =
        [
            typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
            typeof(char), typeof(float), typeof(double), typeof(decimal), typeof(string), typeof(Guid), typeof(DateTime), typeof(DateTimeOffset),
            typeof(TimeSpan),
        ];
        foreach (var t in scalars)
        {
            yield return t;
            yield return t.MakeArrayType();
            yield return typeof(List<>).MakeGenericType(t);
        }
    }

    [GeneratedRegex(@",\s*%core%")]
    private static partial Regex CoreMarker();

    [GeneratedRegex(@",\s*(Version|Culture|PublicKeyToken)=[^,\]]*")]
    private static partial Regex AssemblyIdentity();

    [GeneratedRegex(@",\s+")]
    private static partial Regex SpaceAfterComma();
}
