using System.Globalization;
using System.Text.Json;

namespace AkkaTtfs.Core.Faults;

/// <summary>What a runtime fault does to a distributed run.</summary>
public enum RuntimeFaultKind
{
    /// <summary>The partition actor throws (an injected exception) and dies; its node stays up.</summary>
    CrashPartition,

    /// <summary>The worker node's actor system terminates without leaving the cluster, as a killed process would.</summary>
    KillNode,

    /// <summary>Everything sent between two nodes is dropped for a while (the throttler adapter's blackhole), then the link heals.</summary>
    CutLink,
}

/// <summary>
/// A fault the distributed runtime must SURVIVE without changing results, fired at a wall time after the
/// run's first batch was injected (the plan file's <c>runtime</c> list; samples/faults/README.md). The Core
/// engines have no partitions, nodes or links, so they run a plan's runtime faults as what they promise to
/// be: no change at all. Nodes are numbered as the run report lists them (the workers ordered by address).
/// </summary>
/// <param name="Kind">What happens.</param>
/// <param name="AtSeconds">Seconds after the run's first batch was injected.</param>
/// <param name="Partition">Crash: the partition id (as the run report's partition list numbers them).</param>
/// <param name="Node">Kill: the node to kill; cut: one end of the link.</param>
/// <param name="ToNode">Cut: the other end of the link.</param>
/// <param name="ForSeconds">Cut: how long the link stays cut.</param>
public sealed record RuntimeFault(RuntimeFaultKind Kind, double AtSeconds, int Partition = -1, int Node = -1, int ToNode = -1, double ForSeconds = 0)
{
    private static readonly string[] Fields = ["kind", "at", "partition", "node", "to", "for", "note"];

    /// <summary>The plan-file names of the kinds, in enum order.</summary>
    public static IReadOnlyList<string> KindNames { get; } = ["crash", "kill", "cut"];

    /// <summary>The plan-file name of this fault's kind.</summary>
    public string KindName => KindNames[(int)Kind];

    /// <summary>One line for reports, e.g. "cut node 0 - node 2 at 1.5 s for 3 s".</summary>
    public string Describe() => Kind switch
    {
        RuntimeFaultKind.CrashPartition => string.Create(CultureInfo.InvariantCulture, $"crash partition {Partition} at {AtSeconds:0.###} s"),
        RuntimeFaultKind.KillNode => string.Create(CultureInfo.InvariantCulture, $"kill node {Node} at {AtSeconds:0.###} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"cut node {Node} - node {ToNode} at {AtSeconds:0.###} s for {ForSeconds:0.###} s"),
    };

    /// <summary>The latest time a fault may fire: about 11.6 days, far beyond any run, and safe to turn into a timer.</summary>
    public const double MaxAtSeconds = 1e6;

    /// <summary>
    /// The longest cut: below the failure detector's acceptable heartbeat pause (8 s in cluster-config/base.conf), so a
    /// cut loses messages but downs no node. A longer cut would make the split-brain resolver down nodes, maybe the
    /// coordinator's; to study losing a node, kill it.
    /// </summary>
    public const double MaxCutSeconds = 5;

    /// <summary>Checks the fields that need no run (times, indices &gt;= 0, distinct link ends); errors name the entry.</summary>
    public void Validate(int index)
    {
        if (!Enum.IsDefined(Kind)) throw Error(index, "kind", $"{(int)Kind} is not a runtime fault kind");
        if (!double.IsFinite(AtSeconds) || AtSeconds < 0 || AtSeconds > MaxAtSeconds)
            throw Error(index, "at", string.Create(CultureInfo.InvariantCulture, $"{AtSeconds} is not a time in seconds in [0, {MaxAtSeconds:0}]"));
        switch (Kind)
        {
            case RuntimeFaultKind.CrashPartition:
                if (Partition < 0) throw Error(index, "partition", "is required for crash (a partition id >= 0)");
                break;
            case RuntimeFaultKind.KillNode:
                if (Node < 0) throw Error(index, "node", "is required for kill (a node index >= 0)");
                break;
            default:
                if (Node < 0) throw Error(index, "node", "is required for cut (a node index >= 0)");
                if (ToNode < 0) throw Error(index, "to", "is required for cut (the other node's index >= 0)");
                if (ToNode == Node) throw Error(index, "to", $"a link joins two nodes; both ends are node {Node}");
                if (ForSeconds == 0) throw Error(index, "for", string.Create(CultureInfo.InvariantCulture, $"is required for cut: seconds in (0, {MaxCutSeconds}]"));
                if (!double.IsFinite(ForSeconds) || ForSeconds < 0 || ForSeconds > MaxCutSeconds)
                {
                    throw Error(index, "for", string.Create(CultureInfo.InvariantCulture,
                        $"{ForSeconds} is outside (0, {MaxCutSeconds}] seconds (a longer cut would make the cluster down nodes; to study losing a node, kill it)"));
                }

                break;
        }
    }

    /// <summary>Checks the indices against a run: its partition count and its worker nodes (the first of which may host the coordinator).</summary>
    /// <param name="index">The entry's index in the <c>runtime</c> list, for the message.</param>
    /// <param name="partitions">Partitions of the run's plan.</param>
    /// <param name="nodes">Worker nodes of the run.</param>
    /// <param name="coordinatorNode">Index of the worker node that also hosts the coordinator, or -1.</param>
    public void ValidateFor(int index, int partitions, int nodes, int coordinatorNode)
    {
        if (Kind == RuntimeFaultKind.CrashPartition && Partition >= partitions)
            throw Error(index, "partition", $"the run has partitions 0..{partitions - 1}");
        if (Kind != RuntimeFaultKind.CrashPartition && Node >= nodes)
            throw Error(index, "node", $"the run has worker nodes 0..{nodes - 1}");
        if (Kind == RuntimeFaultKind.CutLink && ToNode >= nodes)
            throw Error(index, "to", $"the run has worker nodes 0..{nodes - 1}");
        if (Kind == RuntimeFaultKind.KillNode && Node == coordinatorNode)
            throw Error(index, "node", $"node {Node} also hosts the coordinator, which a run cannot survive losing; kill another node");
        if (Kind == RuntimeFaultKind.KillNode && nodes < 2)
            throw Error(index, "node", "the run has one worker node; killing it leaves nowhere to re-home its partitions");
    }

    /// <summary>
    /// Checks a plan's runtime faults against a run, each (<see cref="ValidateFor"/>) and together: the nodes the plan
    /// kills must leave a strict majority of the cluster's members (the split-brain resolver keeps the majority side; a
    /// tie or a minority would down the coordinator's side too), and no partition may need more re-homings than the run
    /// allows (its crashes plus every kill, since a kill may hit whichever node hosts it by then).
    /// </summary>
    /// <param name="faults">The plan's runtime list.</param>
    /// <param name="partitions">Partitions of the run's plan.</param>
    /// <param name="nodes">Worker nodes of the run.</param>
    /// <param name="coordinatorNode">Index of the worker node that also hosts the coordinator, or -1 (then the coordinator is one more member).</param>
    /// <param name="maxRestarts">Re-homings the run allows per partition.</param>
    public static void ValidateAll(IReadOnlyList<RuntimeFault> faults, int partitions, int nodes, int coordinatorNode, int maxRestarts)
    {
        ArgumentNullException.ThrowIfNull(faults);
        for (var i = 0; i < faults.Count; i++) faults[i].ValidateFor(i, partitions, nodes, coordinatorNode);
        var kills = faults.Select((f, i) => (f, i)).Where(x => x.f.Kind == RuntimeFaultKind.KillNode).ToList();
        var killed = kills.Select(x => x.f.Node).Distinct().Count();
        var members = nodes + (coordinatorNode < 0 ? 1 : 0);
        if (kills.Count > 0 && 2 * (members - killed) <= members)
        {
            throw Error(kills[^1].i, "node", string.Create(CultureInfo.InvariantCulture,
                $"the plan kills {killed} of the cluster's {members} members; the survivors must stay a strict majority (the split-brain resolver downs a minority or a tie, which would take the coordinator too): start more nodes or kill fewer"));
        }

        foreach (var group in faults.Select((f, i) => (f, i)).Where(x => x.f.Kind == RuntimeFaultKind.CrashPartition).GroupBy(x => x.f.Partition))
        {
            var needed = group.Count() + kills.Count;
            if (needed > maxRestarts)
            {
                throw Error(group.Last().i, "partition", string.Create(CultureInfo.InvariantCulture,
                    $"partition {group.Key} may be re-homed {needed} times by this plan ({group.Count()} crashes, {kills.Count} kills), more than the {maxRestarts} the run allows"));
            }
        }

        if (kills.Count > maxRestarts)
            throw Error(kills[^1].i, "node", $"the plan's {kills.Count} kills may re-home one partition {kills.Count} times, more than the {maxRestarts} the run allows");
    }

    /// <summary>Parses one entry of the plan file's <c>runtime</c> list.</summary>
    public static RuntimeFault Parse(JsonElement entry, int index)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw Error(index, null, "must be an object with kind and at");
        foreach (var property in entry.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                throw Error(index, property.Name, $"unknown field (known: {string.Join(", ", Fields)})");
        }

        if (!entry.TryGetProperty("kind", out var kindElement)) throw Error(index, "kind", "is required");
        var kindName = kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString() : kindElement.GetRawText();
        var kind = KindNames.ToList().IndexOf(kindName ?? "");
        if (kind < 0) throw Error(index, "kind", $"unknown runtime fault kind '{kindName}'; known: {string.Join(", ", KindNames)}");
        var fault = new RuntimeFault((RuntimeFaultKind)kind, Number(entry, "at", index) ?? throw Error(index, "at", "is required (seconds after the run started)"),
            Integer(entry, "partition", index) ?? -1, Integer(entry, "node", index) ?? -1, Integer(entry, "to", index) ?? -1, Number(entry, "for", index) ?? 0);
        var allowed = fault.Kind switch
        {
            RuntimeFaultKind.CrashPartition => new[] { "partition" },
            RuntimeFaultKind.KillNode => ["node"],
            _ => ["node", "to", "for"],
        };
        foreach (var field in new[] { "partition", "node", "to", "for" })
        {
            if (!allowed.Contains(field) && entry.TryGetProperty(field, out _)) throw Error(index, field, $"{fault.KindName} takes no '{field}'");
        }

        fault.Validate(index);
        return fault;
    }

    /// <summary>The entry as JSON in the file format.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("kind", KindName);
        writer.WriteNumber("at", AtSeconds);
        switch (Kind)
        {
            case RuntimeFaultKind.CrashPartition:
                writer.WriteNumber("partition", Partition);
                break;
            case RuntimeFaultKind.KillNode:
                writer.WriteNumber("node", Node);
                break;
            default:
                writer.WriteNumber("node", Node);
                writer.WriteNumber("to", ToNode);
                writer.WriteNumber("for", ForSeconds);
                break;
        }

        writer.WriteEndObject();
    }

    private static double? Number(JsonElement entry, string field, int index)
    {
        if (!entry.TryGetProperty(field, out var e)) return null;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var value)) throw Error(index, field, $"{e.GetRawText()} is not a number");
        return value;
    }

    private static int? Integer(JsonElement entry, string field, int index)
    {
        if (!entry.TryGetProperty(field, out var e)) return null;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var value)) throw Error(index, field, $"{e.GetRawText()} is not an integer");
        return value;
    }

    private static FaultPlanException Error(int index, string? field, string message) =>
        new(field is null
            ? $"fault plan runtime entry {index} (runtime[{index}]): {message}"
            : $"fault plan runtime entry {index} (runtime[{index}]), field '{field}': {message}");
}
