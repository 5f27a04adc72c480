using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// Which node hosts which partition. Greedy longest-processing-time: partitions sorted by estimated
/// work (their share of the stage's MACs), each to the least-loaded node so far; ties go to the lower
/// partition id and node index, so every run with the same plan and node count places the same way.
/// </summary>
public static class Placement
{
    /// <summary>Node index (0-based, into the caller's node list) of every partition, by partition id.</summary>
    public static int[] Assign(PartitionPlan plan, int nodeCount)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (nodeCount < 1) throw new PartitionPlanException($"placement needs at least one node, got {nodeCount}");
        var work = plan.Partitions.Select(p => Work(plan, p)).ToArray();
        var order = Enumerable.Range(0, work.Length).OrderByDescending(i => work[i]).ThenBy(i => i);
        var load = new double[nodeCount];
        var node = new int[work.Length];
        foreach (var p in order)
        {
            var best = 0;
            for (var n = 1; n < nodeCount; n++)
            {
                if (load[n] < load[best]) best = n;
            }

            node[p] = best;
            load[best] += work[p];
        }

        return node;
    }

    /// <summary>Estimated work of a partition: its share of the stage's MACs (plus one, so an empty partition still counts).</summary>
    public static double Work(PartitionPlan plan, Partition p)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(p);
        var stage = plan.Network.Stages[p.Stage];
        var g = StageGeometry.Of(stage);
        var rows = g.ConvRowEnd(p.Block.RowEnd) - g.ConvRowStart(p.Block.RowStart);
        var cols = g.ConvColEnd(p.Block.ColEnd) - g.ConvColStart(p.Block.ColStart);
        var share = (double)p.Block.ChannelCount * rows * cols / stage.ConvShape.Size;
        return (stage.Macs * share) + 1;
    }
}
