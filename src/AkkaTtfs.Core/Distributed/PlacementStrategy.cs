using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Distributed;

/// <summary>How partitions are put on nodes.</summary>
public enum PlacementStrategy
{
    /// <summary>Balance the estimated work (MACs) per node; ignores communication (<see cref="Placement.Assign"/>).</summary>
    Balanced,

    /// <summary>Fewest predicted cross-node bytes under a balance constraint (<see cref="TrafficPlacement"/>).</summary>
    Traffic,

    /// <summary>Partition id modulo the node count: spreads every stage, a baseline for traffic studies.</summary>
    RoundRobin,
}

/// <summary>Names, parsing and the one entry point that places a plan by strategy.</summary>
public static class PlacementStrategies
{
    private static readonly (string Name, PlacementStrategy Strategy)[] Names =
        [("balanced", PlacementStrategy.Balanced), ("traffic", PlacementStrategy.Traffic), ("round-robin", PlacementStrategy.RoundRobin)];

    public static string Name(this PlacementStrategy strategy) => Names.First(n => n.Strategy == strategy).Name;

    /// <summary>Parses a strategy name (case-insensitive); the error lists the names there are.</summary>
    public static PlacementStrategy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (name, strategy) in Names)
        {
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase)) return strategy;
        }

        throw new PartitionPlanException($"unknown placement '{text}': expected one of {string.Join(", ", Names.Select(n => n.Name))}");
    }

    /// <summary>Partition id modulo the node count.</summary>
    public static int[] RoundRobin(PartitionPlan plan, int nodeCount)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (nodeCount < 1) throw new PartitionPlanException($"placement needs at least one node, got {nodeCount}");
        return plan.Partitions.Select(p => p.Id % nodeCount).ToArray();
    }

    /// <summary>Node index of every partition under <paramref name="strategy"/>; <paramref name="traffic"/> is required for <see cref="PlacementStrategy.Traffic"/>.</summary>
    public static int[] Assign(PlacementStrategy strategy, PartitionPlan plan, int nodeCount, TrafficPrediction? traffic = null, int injectorNode = 0) => strategy switch
    {
        PlacementStrategy.Balanced => Placement.Assign(plan, nodeCount),
        PlacementStrategy.RoundRobin => RoundRobin(plan, nodeCount),
        PlacementStrategy.Traffic => TrafficPlacement.Assign(plan, traffic ?? throw new ArgumentNullException(nameof(traffic), "traffic placement needs the predicted traffic"),
            nodeCount, injectorNode),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };
}
