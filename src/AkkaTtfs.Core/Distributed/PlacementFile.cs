using System.Globalization;
using System.Text.Json;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Distributed;

/// <summary>Where a placement file puts one partition: a node index, a node address, or any node carrying a tag.</summary>
public abstract record PlacementTarget
{
    private PlacementTarget()
    {
    }

    /// <summary>The node at this index of the run's worker list (0: the coordinator's node when it is a worker).</summary>
    public sealed record Index(int Node) : PlacementTarget;

    /// <summary>The node with this Akka address (e.g. akka.tcp://akkattfs@10.0.0.2:4053), or with this host:port.</summary>
    public sealed record Address(string Value) : PlacementTarget;

    /// <summary>A node started with <c>--tag NAME</c>; partitions pinned to a tag several nodes carry take them in turn.</summary>
    public sealed record Tag(string Name) : PlacementTarget;

    public override string ToString() => this switch
    {
        Index i => i.Node.ToString(CultureInfo.InvariantCulture),
        Address a => $"\"{a.Value}\"",
        Tag t => $"\"tag:{t.Name}\"",
        _ => GetType().Name,
    };
}

/// <summary>
/// A placement file (JSON): <c>{"strategy": "traffic", "partitions": {"0": 0, "3": "tag:fast", "5": "akka.tcp://akkattfs@10.0.0.2:4053"}}</c>.
/// "partitions" maps partition ids to a node index (a number), a node address (a string) or a tag ("tag:NAME");
/// "strategy" (balanced, traffic or round-robin; default balanced) places the partitions the file does not pin,
/// and a pin then overrides what the strategy chose for its partition. Syntax is checked by <see cref="Parse"/>;
/// ids, indices, addresses and tags against the plan and the nodes by <see cref="Check"/> and <see cref="Pin"/>.
/// </summary>
public sealed class PlacementFile
{
    private const string TagPrefix = "tag:";

    private PlacementFile(string source, PlacementStrategy rest, IReadOnlyDictionary<int, PlacementTarget> pins)
    {
        Source = source;
        Rest = rest;
        Pins = pins;
    }

    /// <summary>The file's name, for messages and reports.</summary>
    public string Source { get; }

    /// <summary>How the partitions the file does not pin are placed.</summary>
    public PlacementStrategy Rest { get; }

    /// <summary>Partition id to target, ascending by id.</summary>
    public IReadOnlyDictionary<int, PlacementTarget> Pins { get; }

    /// <summary>Parses the file's text; throws <see cref="PlacementException"/> with one line naming the file and what is wrong.</summary>
    public static PlacementFile Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        PlacementException Bad(string what) => new($"placement file {source}: {what}");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw Bad($"not valid JSON ({ex.Message.Split('.')[0]})");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("expected a JSON object with \"partitions\" (and optionally \"strategy\")");
            var rest = PlacementStrategy.Balanced;
            Dictionary<int, PlacementTarget>? pins = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw Bad($"\"{property.Name}\" appears twice");
                switch (property.Name)
                {
                    case "strategy":
                        if (property.Value.ValueKind != JsonValueKind.String) throw Bad("\"strategy\" must be a string: balanced, traffic or round-robin");
                        try
                        {
                            rest = PlacementStrategies.Parse(property.Value.GetString()!);
                        }
                        catch (PartitionPlanException ex)
                        {
                            throw Bad($"\"strategy\": {ex.Message}");
                        }

                        break;
                    case "partitions":
                        pins = ParsePins(property.Value, Bad);
                        break;
                    default:
                        throw Bad($"unknown field \"{property.Name}\" (expected \"partitions\" and optionally \"strategy\")");
                }
            }

            if (pins is null) throw Bad("no \"partitions\" object (partition id -> node index, address or \"tag:NAME\")");
            var ordered = pins.OrderBy(p => p.Key).ToDictionary(p => p.Key, p => p.Value);
            return new PlacementFile(source, rest, ordered);
        }
    }

    private static Dictionary<int, PlacementTarget> ParsePins(JsonElement element, Func<string, PlacementException> bad)
    {
        if (element.ValueKind != JsonValueKind.Object) throw bad("\"partitions\" must be an object: partition id -> node index, address or \"tag:NAME\"");
        var pins = new Dictionary<int, PlacementTarget>();
        foreach (var pin in element.EnumerateObject())
        {
            if (!int.TryParse(pin.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw bad($"partition \"{pin.Name}\" is not a partition id (a whole number >= 0)");
            if (pins.ContainsKey(id)) throw bad($"partition {id} is pinned twice");
            pins[id] = Target(pin.Value, id, bad);
        }

        return pins;
    }

    private static PlacementTarget Target(JsonElement value, int id, Func<string, PlacementException> bad)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (!value.TryGetInt32(out var index) || index < 0) throw bad($"partition {id}: node index {value.GetRawText()} is not a whole number >= 0");
                return new PlacementTarget.Index(index);
            case JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (text.StartsWith(TagPrefix, StringComparison.Ordinal))
                {
                    var tag = text[TagPrefix.Length..];
                    if (tag.Length == 0) throw bad($"partition {id}: \"tag:\" needs a tag name");
                    return new PlacementTarget.Tag(tag);
                }

                if (text.Length == 0) throw bad($"partition {id}: an empty node address");
                return new PlacementTarget.Address(text);
            default:
                throw bad($"partition {id}: expected a node index, a node address or \"tag:NAME\", got {value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}");
        }
    }

    /// <summary>
    /// What can be checked before any node exists: every pinned id is a partition of <paramref name="plan"/>, and
    /// every node index is below <paramref name="nodeCount"/> when the node count is known (null: nodes join later).
    /// </summary>
    public void Check(PartitionPlan plan, int? nodeCount)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var (id, target) in Pins)
        {
            if (id >= plan.Partitions.Count)
                throw new PlacementException($"placement file {Source} pins partition {id}, and the plan '{plan.Spec}' has {plan.Partitions.Count} (0..{plan.Partitions.Count - 1})");
            if (target is PlacementTarget.Index i && nodeCount is { } n && i.Node >= n)
                throw new PlacementException($"placement file {Source} puts partition {id} on node {i.Node}, and the run has {n} node(s) (0..{n - 1})");
        }
    }

    /// <summary>Overrides <paramref name="nodeOfPartition"/> with the pins, resolved against <paramref name="nodes"/>; throws naming a pin that fits no node.</summary>
    public void Pin(PartitionPlan plan, IReadOnlyList<PlacementNode> nodes, int[] nodeOfPartition)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(nodeOfPartition);
        Check(plan, nodes.Count);
        var turn = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, target) in Pins)
        {
            nodeOfPartition[id] = target switch
            {
                PlacementTarget.Index i => i.Node,
                PlacementTarget.Address a => ByAddress(nodes, a.Value, id),
                PlacementTarget.Tag t => ByTag(nodes, t.Name, id, turn),
                _ => throw new PlacementException($"placement file {Source}: partition {id} has an unknown target"),
            };
        }
    }

    private int ByAddress(IReadOnlyList<PlacementNode> nodes, string address, int id)
    {
        for (var n = 0; n < nodes.Count; n++)
        {
            if (string.Equals(nodes[n].Address, address, StringComparison.Ordinal) || HostPort(nodes[n].Address) == address) return n;
        }

        throw new PlacementException($"placement file {Source} puts partition {id} on {address}, which is none of the run's nodes ({string.Join(", ", nodes.Select(x => x.Address))})");
    }

    private int ByTag(IReadOnlyList<PlacementNode> nodes, string tag, int id, Dictionary<string, int> turn)
    {
        var tagged = Enumerable.Range(0, nodes.Count).Where(n => nodes[n].Tags.Contains(tag, StringComparer.Ordinal)).ToArray();
        if (tagged.Length == 0)
        {
            var tags = nodes.SelectMany(x => x.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            throw new PlacementException($"placement file {Source} pins partition {id} to tag '{tag}', and no node of the run carries it " +
                                         $"(tags present: {(tags.Length == 0 ? "none; start workers with akkattfs node --tag NAME" : string.Join(", ", tags))})");
        }

        var k = turn.GetValueOrDefault(tag);
        turn[tag] = k + 1;
        return tagged[k % tagged.Length];
    }

    /// <summary>"host:port" of an Akka address such as akka.tcp://system@host:port, or null.</summary>
    private static string? HostPort(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? null : address[(at + 1)..];
    }
}
