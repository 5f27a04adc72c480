namespace AkkaTtfs.App.Reports;

/// <summary>
/// How a cluster run placed its partitions and what crossed node boundaries: report.json's <c>placement</c>.
/// </summary>
/// <param name="Strategy">balanced, traffic, round-robin, or file:NAME (rest STRATEGY).</param>
/// <param name="PartitionNodes">Node index of every partition (as the run ended; a re-homed partition counts where it ended).</param>
/// <param name="MeasuredCrossNodePayloadBytes">Payload bytes the run's messages carried between different nodes (the trace's cross-process
/// messages when recorded, else the links' measured bytes under the placement).</param>
/// <param name="PredictedCrossNodePayloadBytes">Core's traffic model for this placement (null: no prediction, e.g. without verification or with faults).</param>
/// <param name="PredictedBalancedCrossNodePayloadBytes">Core's traffic model for the MAC-balanced placement on the same nodes, for comparison (null: no prediction).</param>
public sealed record PlacementReport(string Strategy, int[] PartitionNodes, long MeasuredCrossNodePayloadBytes, long? PredictedCrossNodePayloadBytes,
    long? PredictedBalancedCrossNodePayloadBytes);
