using AkkaTtfs.Core.Distributed;
using System.Globalization;
using System.Text.RegularExpressions;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Partitioning;

/// <summary>A partitioning request that does not fit the network; the message names the stage and the problem.</summary>
public sealed class PartitionPlanException(string message) : Exception(message);

/// <summary>
/// Splits every stage into partitions and computes the routing tables. Partition specs, per stage
/// (comma-separated, one entry per weighted layer, or one entry for all):
/// <c>N</c> = N slices (dense: neuron ranges; conv: channel slices), <c>cN</c> channel slices,
/// <c>tRxC</c> spatial tiles of the pooled grid, <c>cNtRxC</c> both, <c>nK</c> about K neurons per
/// partition (slices chosen for the stage's size).
/// </summary>
public static partial class PartitionPlanner
{
    [GeneratedRegex(@"^(?:(\d+)|c(\d+)|t(\d+)x(\d+)|c(\d+)t(\d+)x(\d+)|n(\d+))$", RegexOptions.CultureInvariant)]
    private static partial Regex SplitToken();

    /// <summary>Parse a partition spec (see the class summary) for a network.</summary>
    public static IReadOnlyList<StageSplit> ParseSpec(string spec, NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(network);
        var items = spec.Split(',', StringSplitOptions.TrimEntries);
        var stages = network.Stages.Count;
        if (items.Length != 1 && items.Length != stages)
            throw new PartitionPlanException($"partition spec '{spec}' has {items.Length} entries; give one for all stages or one per weighted layer ({stages})");
        var splits = new StageSplit[stages];
        for (var d = 0; d < stages; d++)
        {
            var item = items.Length == 1 ? items[0] : items[d];
            var m = SplitToken().Match(item.ToLowerInvariant());
            if (!m.Success)
                throw new PartitionPlanException($"partition spec '{spec}': '{item}' is not one of N, cN, tRxC, cNtRxC, nK");
            var stage = network.Stages[d];
            var split =
                m.Groups[1].Success ? SlicesFor(stage, Int(m.Groups[1].Value)) :
                m.Groups[2].Success ? new StageSplit(Int(m.Groups[2].Value)) :
                m.Groups[3].Success ? new StageSplit(1, Int(m.Groups[3].Value), Int(m.Groups[4].Value)) :
                m.Groups[5].Success ? new StageSplit(Int(m.Groups[5].Value), Int(m.Groups[6].Value), Int(m.Groups[7].Value)) :
                ByTargetNeurons(stage, Int(m.Groups[8].Value));
            // One entry for all stages: spatial tiles apply to the stages that have a grid; a dense stage
            // (a 1x1 grid) keeps only the channel slices, so "c2t2x2" means "c2" there.
            if (items.Length == 1 && StageGeometry.Of(stage).PooledHeight == 1 && StageGeometry.Of(stage).PooledWidth == 1)
                split = split with { RowTiles = 1, ColTiles = 1 };
            splits[d] = split;
        }

        return splits;
    }

    /// <summary>N partitions of a stage: channel slices, as many as the channels allow, then row tiles.</summary>
    public static StageSplit SlicesFor(Stage stage, int n)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (n < 1) throw new PartitionPlanException($"stage {stage.Index}: the number of partitions must be >= 1, got {n}");
        var g = StageGeometry.Of(stage);
        if (n <= g.Channels) return new StageSplit(n);
        var rows = (n + g.Channels - 1) / g.Channels;
        if (rows > g.PooledHeight)
        {
            var size = stage.IsDense ? $"{g.Channels} neurons" : $"{g.Channels} channels x {g.PooledHeight} output rows";
            throw new PartitionPlanException($"stage {stage.Index} ({stage.Layer.Token}) has {size}; it cannot be cut into {n} partitions");
        }
        return new StageSplit(g.Channels, rows, 1);
    }

    /// <summary>About <paramref name="neuronsPerPartition"/> neurons (before pooling) per partition.</summary>
    public static StageSplit ByTargetNeurons(Stage stage, int neuronsPerPartition)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (neuronsPerPartition < 1) throw new PartitionPlanException($"stage {stage.Index}: neurons per partition must be >= 1");
        var n = Math.Max(1, (int)Math.Round((double)stage.ConvShape.Size / neuronsPerPartition));
        var g = StageGeometry.Of(stage);
        return SlicesFor(stage, Math.Min(n, g.Channels * g.PooledHeight));
    }

    /// <summary>Whole stages (one partition per weighted layer).</summary>
    public static PartitionPlan Plan(NetworkSpec network) => Plan(network, network.Stages.Select(_ => StageSplit.Whole).ToArray());

    public static PartitionPlan Plan(NetworkSpec network, string spec) => Plan(network, ParseSpec(spec, network));

    /// <summary>Cut every stage as asked and compute the routing tables.</summary>
    public static PartitionPlan Plan(NetworkSpec network, IReadOnlyList<StageSplit> splits)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(splits);
        if (splits.Count != network.Stages.Count)
            throw new PartitionPlanException($"{splits.Count} stage splits for {network.Stages.Count} weighted layers");

        var byStage = new Partition[network.Stages.Count][];
        var id = 0;
        for (var d = 0; d < network.Stages.Count; d++)
        {
            var stage = network.Stages[d];
            var split = splits[d];
            var g = StageGeometry.Of(stage);
            if (split.ChannelSlices < 1 || split.RowTiles < 1 || split.ColTiles < 1)
                throw new PartitionPlanException($"stage {d} ({stage.Layer.Token}): split {split} must have counts >= 1");
            if (split.ChannelSlices > g.Channels)
                throw new PartitionPlanException($"stage {d} ({stage.Layer.Token}): {split.ChannelSlices} channel slices but only {g.Channels} {(stage.IsDense ? "neurons" : "channels")}");
            if (split.RowTiles > g.PooledHeight || split.ColTiles > g.PooledWidth)
                throw new PartitionPlanException($"stage {d} ({stage.Layer.Token}): {split.RowTiles}x{split.ColTiles} tiles do not fit its {g.PooledHeight}x{g.PooledWidth} output grid");

            var list = new List<Partition>(split.PartitionCount);
            foreach (var (c0, c1) in EvenRanges(g.Channels, split.ChannelSlices))
            {
                foreach (var (y0, y1) in EvenRanges(g.PooledHeight, split.RowTiles))
                {
                    foreach (var (x0, x1) in EvenRanges(g.PooledWidth, split.ColTiles))
                    {
                        list.Add(new Partition(id++, d, new NeuronBlock(c0, c1, y0, y1, x0, x1)));
                    }
                }
            }

            byStage[d] = list.ToArray();
        }

        var routes = new List<Route>();
        var inputAll = Enumerable.Range(0, network.Input.Size).ToArray();
        foreach (var target in byStage[0])
        {
            var needed = inputAll.Where(i => ReceptiveField.Needs(network.Stages[0], target.Block, i)).ToArray();
            if (needed.Length > 0) routes.Add(new Route(PartitionPlan.InputSource, target.Id, needed));
        }

        for (var d = 1; d < network.Stages.Count; d++)
        {
            var sourceStage = network.Stages[d - 1];
            foreach (var source in byStage[d - 1])
            {
                var owned = OwnedOutputs(sourceStage, source.Block);
                foreach (var target in byStage[d])
                {
                    var needed = owned.Where(i => ReceptiveField.Needs(network.Stages[d], target.Block, i)).ToArray();
                    if (needed.Length > 0) routes.Add(new Route(source.Id, target.Id, needed));
                }
            }
        }

        return new PartitionPlan(network, splits.ToArray(), byStage, routes);
    }

    /// <summary>The output-space neurons (after pooling) a block emits, ascending.</summary>
    public static int[] OwnedOutputs(Stage stage, NeuronBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var g = StageGeometry.Of(stage);
        var owned = new List<int>(block.ChannelCount * (block.RowEnd - block.RowStart) * (block.ColEnd - block.ColStart));
        for (var c = block.ChannelStart; c < block.ChannelEnd; c++)
        {
            for (var y = block.RowStart; y < block.RowEnd; y++)
            {
                for (var x = block.ColStart; x < block.ColEnd; x++)
                {
                    owned.Add(g.PooledIndex(c, y, x));
                }
            }
        }

        return owned.ToArray();
    }

    /// <summary>Cuts [0, total) into <paramref name="parts"/> contiguous ranges whose sizes differ by at most one.</summary>
    public static IEnumerable<(int Start, int End)> EvenRanges(int total, int parts)
    {
        var start = 0;
        for (var p = 0; p < parts; p++)
        {
            var end = (int)((long)total * (p + 1) / parts);
            yield return (start, end);
            start = end;
        }
    }

    private static int Int(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new PartitionPlanException($"'{digits}' is not a valid count");
}
