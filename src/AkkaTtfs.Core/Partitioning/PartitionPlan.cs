using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Partitioning;

/// <summary>How one stage is cut: channel slices (dense: neuron ranges) times spatial tiles of the pooled grid.</summary>
public sealed record StageSplit(int ChannelSlices = 1, int RowTiles = 1, int ColTiles = 1)
{
    public static StageSplit Whole { get; } = new();

    public int PartitionCount => ChannelSlices * RowTiles * ColTiles;

    public override string ToString() =>
        RowTiles == 1 && ColTiles == 1 ? $"c{ChannelSlices}" : $"c{ChannelSlices}t{RowTiles}x{ColTiles}";
}

/// <summary>One partition: a block of neurons of one stage, the unit an actor will own.</summary>
/// <param name="Id">Global partition id, dense from 0, ordered by stage then block.</param>
/// <param name="Stage">Stage index.</param>
/// <param name="Block">The neurons it owns.</param>
public sealed record Partition(int Id, int Stage, NeuronBlock Block)
{
    public override string ToString() => $"p{Id}(stage {Stage} {Block})";
}

/// <summary>
/// Which source neurons a target partition receives from one source: <see cref="Neurons"/> are indices
/// in the source stage's output space (or the input space when <see cref="SourceId"/> is
/// <see cref="PartitionPlan.InputSource"/>), ascending.
/// </summary>
public sealed record Route(int SourceId, int TargetId, int[] Neurons);

/// <summary>
/// A partitioning of a network: the partitions of every stage and the routing table between the
/// partitions of consecutive stages (and from the input to stage 0). Pure data; build with <see cref="PartitionPlanner"/>.
/// </summary>
public sealed class PartitionPlan
{
    /// <summary>Source id of the input injector in routes to stage 0.</summary>
    public const int InputSource = -1;

    private readonly Partition[][] _byStage;
    private readonly Dictionary<int, Route[]> _routesTo;
    private readonly Dictionary<int, Route[]> _routesFrom;

    internal PartitionPlan(NetworkSpec network, IReadOnlyList<StageSplit> splits, Partition[][] byStage, IReadOnlyList<Route> routes)
    {
        Network = network;
        Splits = splits;
        _byStage = byStage;
        Partitions = byStage.SelectMany(p => p).ToArray();
        Routes = routes;
        _routesTo = routes.GroupBy(r => r.TargetId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.SourceId).ToArray());
        // Indexed once: every partition asks for its routes, and a scan of all routes each time is quadratic in large plans.
        _routesFrom = routes.GroupBy(r => r.SourceId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.TargetId).ToArray());
    }

    public NetworkSpec Network { get; }

    public IReadOnlyList<StageSplit> Splits { get; }

    public IReadOnlyList<Partition> Partitions { get; }

    /// <summary>Every non-empty route; a pair of partitions with nothing to exchange has none.</summary>
    public IReadOnlyList<Route> Routes { get; }

    public IReadOnlyList<Partition> OfStage(int stage) => _byStage[stage];

    /// <summary>Routes into a partition, ordered by source id.</summary>
    public IReadOnlyList<Route> RoutesTo(int targetId) => _routesTo.TryGetValue(targetId, out var r) ? r : [];

    /// <summary>Routes out of a partition (or of the input), ordered by target id.</summary>
    public IReadOnlyList<Route> RoutesFrom(int sourceId) => _routesFrom.TryGetValue(sourceId, out var r) ? r : [];

    /// <summary>The plan as a partition spec that <see cref="PartitionPlanner.Plan(NetworkSpec, string)"/> turns back into this plan.</summary>
    public string Spec => string.Join(",", Splits.Select(s => s.ToString()));

    /// <summary>Short description, e.g. "c1 | c4 | c2t2x2 | c1" (one entry per stage).</summary>
    public string Describe() => string.Join(" | ", Splits.Select(s => s.ToString()));
}
