using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// Placement that keeps heavy links inside a node: minimise the predicted bytes crossing node boundaries,
/// subject to a balance constraint (no node's work above (1 + slack) times what MAC balancing achieves).
/// A graph-partitioning heuristic: two starts (the MAC-balanced placement, and a greedy pass that puts each
/// partition, stage by stage, where its already-placed neighbours send it most), each improved by single
/// moves and pairwise swaps of the Kernighan-Lin / Fiduccia-Mattheyses kind until none lowers the cut; the
/// better result wins. Deterministic: ties go to the lower partition id and node index.
/// </summary>
public static class TrafficPlacement
{
    /// <summary>Default balance slack: a node may carry 20% more work than the MAC-balanced placement's busiest node.</summary>
    public const double DefaultSlack = 0.2;

    private const int MaxImprovements = 10_000;

    /// <summary>Node index of every partition, by partition id.</summary>
    /// <param name="plan">The partitioning.</param>
    /// <param name="traffic">Predicted link traffic of the plan (<see cref="TrafficModel.Predict"/>); its bytes are the edge weights.</param>
    /// <param name="nodeCount">Worker nodes.</param>
    /// <param name="injectorNode">Node that injects the input (the coordinator's when it is a worker), or -1.</param>
    /// <param name="slack">Balance slack, &gt;= 0.</param>
    public static int[] Assign(PartitionPlan plan, TrafficPrediction traffic, int nodeCount, int injectorNode, double slack = DefaultSlack)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(traffic);
        if (nodeCount < 1) throw new PartitionPlanException($"placement needs at least one node, got {nodeCount}");
        var load = plan.Partitions.Select(p => Placement.Work(plan, p)).ToArray();
        var edges = traffic.Links.Select(l => new PlacementEdge(l.SourceId, l.TargetId, l.PayloadBytes)).ToArray();
        var stages = plan.Partitions.Select(p => p.Stage).ToArray();
        return Assign(load, stages, edges, nodeCount, injectorNode, slack, Placement.Assign(plan, nodeCount));
    }

    /// <summary>The heuristic on a plain graph: loads by partition, the stage of each (greedy order), weighted edges (source -1 = the injector).</summary>
    internal static int[] Assign(double[] load, int[] stages, PlacementEdge[] edges, int nodeCount, int injectorNode, double slack, int[] balanced)
    {
        if (!(slack >= 0) || double.IsInfinity(slack)) throw new ArgumentOutOfRangeException(nameof(slack), slack, "the balance slack must be a finite number >= 0");
        if (injectorNode >= nodeCount) throw new ArgumentOutOfRangeException(nameof(injectorNode), injectorNode, $"there are {nodeCount} nodes");
        var graph = new Graph(load.Length, edges, injectorNode);
        var balancedMax = MaxLoad(load, balanced, nodeCount);
        var capacity = Math.Max(Math.Max(balancedMax, load.Sum() / nodeCount), load.DefaultIfEmpty(0).Max()) * (1 + slack);

        var fromBalanced = Improve(graph, load, (int[])balanced.Clone(), nodeCount, capacity);
        var fromGreedy = Improve(graph, load, Greedy(graph, load, stages, nodeCount, capacity), nodeCount, capacity);
        var a = (Cut: graph.Cut(fromBalanced), Max: MaxLoad(load, fromBalanced, nodeCount));
        var b = (Cut: graph.Cut(fromGreedy), Max: MaxLoad(load, fromGreedy, nodeCount));
        return b.Cut < a.Cut || (b.Cut == a.Cut && b.Max < a.Max) ? fromGreedy : fromBalanced;
    }

    /// <summary>Bytes on edges whose ends sit on different nodes (an input edge crosses unless the injector shares the target's node).</summary>
    public static long CutBytes(IReadOnlyList<PlacementEdge> edges, IReadOnlyList<int> nodeOfPartition, int injectorNode)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(nodeOfPartition);
        long cut = 0;
        foreach (var e in edges)
        {
            var from = e.From < 0 ? injectorNode : nodeOfPartition[e.From];
            if (from < 0 || from != nodeOfPartition[e.To]) cut += e.Bytes;
        }

        return cut;
    }

    internal static double MaxLoad(double[] load, int[] node, int nodeCount)
    {
        var perNode = new double[nodeCount];
        for (var p = 0; p < load.Length; p++) perNode[node[p]] += load[p];
        return perNode.DefaultIfEmpty(0).Max();
    }

    private static int[] Greedy(Graph graph, double[] load, int[] stages, int nodeCount, double capacity)
    {
        var node = Enumerable.Repeat(-1, load.Length).ToArray();
        var perNode = new double[nodeCount];
        foreach (var p in Enumerable.Range(0, load.Length).OrderBy(p => stages[p]).ThenBy(p => p))
        {
            var affinity = graph.Affinity(p, node, nodeCount);
            var best = -1;
            for (var n = 0; n < nodeCount; n++)
            {
                if (perNode[n] + load[p] > capacity) continue;
                if (best < 0 || affinity[n] > affinity[best] || (affinity[n] == affinity[best] && perNode[n] < perNode[best])) best = n;
            }

            if (best < 0) best = Array.IndexOf(perNode, perNode.Min());     // nothing fits: the least-loaded node
            node[p] = best;
            perNode[best] += load[p];
        }

        return node;
    }

    private static int[] Improve(Graph graph, double[] load, int[] node, int nodeCount, double capacity)
    {
        var perNode = new double[nodeCount];
        for (var p = 0; p < load.Length; p++) perNode[node[p]] += load[p];
        for (var step = 0; step < MaxImprovements; step++)
        {
            var affinity = Enumerable.Range(0, load.Length).Select(p => graph.Affinity(p, node, nodeCount)).ToArray();
            if (!BestMove(load, node, perNode, affinity, capacity) && !BestSwap(graph, load, node, perNode, affinity, capacity)) break;
        }

        return node;
    }

    // The single move that lowers the cut most, applied; false when none does within the capacity.
    private static bool BestMove(double[] load, int[] node, double[] perNode, long[][] affinity, double capacity)
    {
        long bestGain = 0;
        (int P, int To) best = (-1, -1);
        for (var p = 0; p < load.Length; p++)
        {
            for (var n = 0; n < perNode.Length; n++)
            {
                if (n == node[p] || perNode[n] + load[p] > capacity) continue;
                var gain = affinity[p][n] - affinity[p][node[p]];
                if (gain > bestGain) (bestGain, best) = (gain, (p, n));
            }
        }

        if (best.P < 0) return false;
        perNode[node[best.P]] -= load[best.P];
        perNode[best.To] += load[best.P];
        node[best.P] = best.To;
        return true;
    }

    // The swap of two partitions on different nodes that lowers the cut most, applied; false when none does.
    private static bool BestSwap(Graph graph, double[] load, int[] node, double[] perNode, long[][] affinity, double capacity)
    {
        long bestGain = 0;
        (int P, int Q) best = (-1, -1);
        for (var p = 0; p < load.Length; p++)
        {
            for (var q = p + 1; q < load.Length; q++)
            {
                int a = node[p], b = node[q];
                if (a == b) continue;
                if (perNode[a] - load[p] + load[q] > capacity || perNode[b] - load[q] + load[p] > capacity) continue;
                var gain = affinity[p][b] - affinity[p][a] + affinity[q][a] - affinity[q][b] - (2 * graph.Between(p, q));
                if (gain > bestGain) (bestGain, best) = (gain, (p, q));
            }
        }

        if (best.P < 0) return false;
        int na = node[best.P], nb = node[best.Q];
        perNode[na] += load[best.Q] - load[best.P];
        perNode[nb] += load[best.P] - load[best.Q];
        (node[best.P], node[best.Q]) = (nb, na);
        return true;
    }

    private sealed class Graph
    {
        private readonly List<(int Other, long Bytes)>[] _adjacent;
        private readonly Dictionary<(int, int), long> _between = [];
        private readonly PlacementEdge[] _edges;
        private readonly int _injectorNode;

        public Graph(int partitions, PlacementEdge[] edges, int injectorNode)
        {
            _edges = edges;
            _injectorNode = injectorNode;
            _adjacent = Enumerable.Range(0, partitions).Select(_ => new List<(int, long)>()).ToArray();
            foreach (var e in edges)
            {
                _adjacent[e.To].Add((e.From, e.Bytes));
                if (e.From < 0) continue;
                _adjacent[e.From].Add((e.To, e.Bytes));
                var key = (Math.Min(e.From, e.To), Math.Max(e.From, e.To));
                _between[key] = _between.GetValueOrDefault(key) + e.Bytes;
            }
        }

        /// <summary>Bytes partition p exchanges with each node under a (partial: -1 unplaced) placement.</summary>
        public long[] Affinity(int p, int[] node, int nodeCount)
        {
            var bytes = new long[nodeCount];
            foreach (var (other, w) in _adjacent[p])
            {
                var n = other < 0 ? _injectorNode : node[other];
                if (n >= 0) bytes[n] += w;
            }

            return bytes;
        }

        public long Between(int p, int q) => _between.GetValueOrDefault((Math.Min(p, q), Math.Max(p, q)));

        public long Cut(int[] node) => CutBytes(_edges, node, _injectorNode);
    }
}

/// <summary>A weighted link for placement: partition <see cref="From"/> (-1: the input injector) sends <see cref="Bytes"/> to <see cref="To"/>.</summary>
public readonly record struct PlacementEdge(int From, int To, long Bytes);
