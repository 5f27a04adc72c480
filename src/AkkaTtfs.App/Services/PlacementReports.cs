using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>The --placement option before any work, and the placement part of a run's report.</summary>
public static class PlacementReports
{
    /// <summary>
    /// Parses a --placement value (a strategy name or a placement file) and checks a file's pins against the plan and,
    /// when known, the node count; a bad value is one <see cref="UsageException"/> line.
    /// </summary>
    public static PlacementChoice Load(string? text, PartitionPlan plan, int? nodeCount)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (text is null) return PlacementChoice.Balanced;
        try
        {
            var choice = Parse(text);
            choice.File?.Check(plan, nodeCount);
            return choice;
        }
        catch (PlacementException ex)
        {
            throw new UsageException($"--placement: {ex.Message}");
        }
    }

    /// <summary>Parses a --placement value; throws <see cref="PlacementException"/> naming what is wrong.</summary>
    public static PlacementChoice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var path = Path.GetFullPath(text.Trim());
        if (text.Trim().EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (Directory.Exists(path)) throw new PlacementException($"placement file {path} is a folder");
            if (!File.Exists(path)) throw new PlacementException($"placement file {path}: no such file");
        }

        return PlacementChoice.Parse(text, File.ReadAllText);
    }

    /// <summary>Payload bytes the run's messages carried between different nodes: the trace's cross-process rows, else the links under the placement.</summary>
    public static long MeasuredCrossNodeBytes(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Trace is { } trace) return trace.Links.Where(r => r.CrossProcess).Sum(r => r.PayloadBytes);
        return outcome.Links.Where(l => Crosses(l.SourceId, l.TargetId, outcome.NodeOfPartition, outcome.CoordinatorNode)).Sum(l => l.PayloadBytes);
    }

    /// <summary>report.json's placement: the strategy, where the partitions ran, measured and (with a prediction) predicted cross-node bytes.</summary>
    public static PlacementReport Build(PlacementChoice choice, RunOutcome outcome, PartitionPlan plan, TrafficPrediction? prediction)
    {
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(plan);
        long? balanced = prediction?.CrossNodeBytes(Placement.Assign(plan, outcome.Nodes.Count), outcome.CoordinatorNode);
        return new PlacementReport(choice.Name, outcome.NodeOfPartition, MeasuredCrossNodeBytes(outcome),
            prediction?.CrossNodeBytes(outcome.NodeOfPartition, outcome.CoordinatorNode), balanced);
    }

    private static bool Crosses(int source, int target, int[] nodeOfPartition, int injectorNode)
    {
        var from = source == PartitionPlan.InputSource ? injectorNode : nodeOfPartition[source];
        return from < 0 || from != nodeOfPartition[target];
    }
}
