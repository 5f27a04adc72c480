using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using Akka.Actor;

namespace AkkaTtfs.Cluster.Serialization;

/// <summary>
/// Takes serializer id 1, which Akka gives to Newtonsoft JSON (bound to <c>System.Object</c> by default). That
/// serializer instantiates whatever CLR type a payload's <c>$type</c> names and runs its setters, so on our
/// nodes id 1 reads nothing and writes nothing: base.conf puts this class in place of Akka's <c>json</c> and
/// binds <c>System.Object</c> to <see cref="GuardedHyperionSerializer"/>. A payload under id 1 fails with a
/// <see cref="SerializationException"/> that names the type it asked for, read from the JSON text without
/// creating anything. A string-manifest serializer, so Akka hands the manifest over as text and loads no type.
/// </summary>
public sealed class DisabledJsonSerializer(ExtendedActorSystem system) : Akka.Serialization.SerializerWithStringManifest(system)
{
    /// <summary>Akka's id of Newtonsoft JSON; kept so that a payload under it finds this refusal, not "no serializer".</summary>
    public const int Id = 1;

    /// <summary>Akka passes the <c>serialization-settings.json</c> section when there is one; nothing in it applies here.</summary>
    public DisabledJsonSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    public override int Identifier => Id;

    public override string Manifest(object o) => throw Refuse(o);

    public override byte[] ToBinary(object obj) => throw Refuse(obj);

    /// <summary>A string-manifest serializer, so that Akka hands over the manifest as text instead of loading the type it names first.</summary>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        var named = string.IsNullOrEmpty(manifest) ? DeclaredType(bytes) ?? "unknown" : manifest;
        throw new SerializationException($"serializer id {Id} (Newtonsoft JSON) is disabled on this node; refused type '{named}'");
    }

    private static ArgumentException Refuse(object? o) =>
        new($"serializer id {Id} (Newtonsoft JSON) is disabled on AkkaTtfs nodes; {o?.GetType().FullName ?? "null"} must be bound to another serializer");

    /// <summary>The first <c>$type</c> of the JSON text, for the log; null when there is none or the bytes are not JSON.</summary>
    internal static string? DeclaredType(byte[] bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("$type"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                    return reader.GetString();
            }
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 80));
        }

        return null;
    }
}
