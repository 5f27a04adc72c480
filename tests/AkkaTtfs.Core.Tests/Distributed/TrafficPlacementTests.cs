using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

public class TrafficPlacementTests
{
    [Fact]
    public void Two_heavy_chains_stay_together_and_the_light_links_are_cut()
    {
        // A->B and C->D carry 100 bytes, A->D and C->B 1 byte; equal work, two nodes. Balancing alone could split
        // either chain; the traffic placement keeps both chains whole, so only the two light links cross.
        double[] load = [1, 1, 1, 1];
        PlacementEdge[] edges = [new(0, 1, 100), new(2, 3, 100), new(0, 3, 1), new(2, 1, 1)];
        var node = TrafficPlacement.Assign(load, [0, 1, 0, 1], edges, 2, injectorNode: -1, slack: 0.2, balanced: [0, 1, 1, 0]);
        Assert.Equal(node[0], node[1]);
        Assert.Equal(node[2], node[3]);
        Assert.NotEqual(node[0], node[2]);
        Assert.Equal(2, TrafficPlacement.CutBytes(edges, node, -1));
    }

    [Fact]
    public void The_balance_constraint_is_kept_even_when_one_node_would_cut_nothing()
    {
        double[] load = [1, 1, 1, 1];
        PlacementEdge[] edges = [new(0, 1, 10), new(1, 2, 10), new(2, 3, 10)];
        var node = TrafficPlacement.Assign(load, [0, 1, 2, 3], edges, 2, -1, 0.2, [0, 1, 0, 1]);
        Assert.True(TrafficPlacement.MaxLoad(load, node, 2) <= 2.4, string.Join(",", node));
        Assert.Equal(10, TrafficPlacement.CutBytes(edges, node, -1));       // the chain cut once in the middle
    }

    [Fact]
    public void The_injector_pulls_the_partitions_it_feeds_to_its_node()
    {
        double[] load = [1, 1, 1, 1];
        PlacementEdge[] edges = [new(-1, 0, 500), new(-1, 1, 5), new(0, 2, 5), new(1, 3, 5)];
        var node = TrafficPlacement.Assign(load, [0, 0, 1, 1], edges, 2, injectorNode: 1, 0.2, [0, 1, 0, 1]);
        Assert.Equal(1, node[0]);
    }

    [Fact]
    public void On_small_random_graphs_the_heuristic_finds_the_optimum_nearly_always_and_never_breaks_the_constraint()
    {
        var rng = new Random(77);
        int optimal = 0, cases = 60;
        for (var c = 0; c < cases; c++)
        {
            var n = rng.Next(3, 8);
            var nodes = rng.Next(2, 4);
            var load = Enumerable.Range(0, n).Select(_ => 1 + (rng.NextDouble() * 3)).ToArray();
            var edges = new List<PlacementEdge>();
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    if (rng.NextDouble() < 0.5) edges.Add(new PlacementEdge(i, j, rng.Next(1, 100)));
                }
            }

            var balanced = Enumerable.Range(0, n).Select(i => i % nodes).ToArray();
            var stages = Enumerable.Range(0, n).ToArray();
            var node = TrafficPlacement.Assign(load, stages, [.. edges], nodes, -1, 0.2, balanced);
            var capacity = Math.Max(Math.Max(TrafficPlacement.MaxLoad(load, balanced, nodes), load.Sum() / nodes), load.Max()) * 1.2;
            Assert.True(TrafficPlacement.MaxLoad(load, node, nodes) <= capacity + 1e-9);
            var cut = TrafficPlacement.CutBytes(edges, node, -1);
            Assert.True(cut <= TrafficPlacement.CutBytes(edges, balanced, -1), $"case {c}: worse than its start");
            if (cut == BruteForceOptimum(load, edges, nodes, capacity)) optimal++;
        }

        Assert.True(optimal >= cases * 8 / 10, $"optimal in {optimal} of {cases} cases");
    }

    [Fact]
    public void On_a_conv_net_split_in_three_traffic_placement_cuts_no_more_than_balanced_and_is_deterministic()
    {
        var network = NetworkSpec.Create(TensorShape.Image(1, 16, 16), ArchitectureParser.Parse("c6k3-p2-c6k3-p2-d10"));
        var model = RandomModel.Create(network, 9, positiveShift: 0.6);
        var count = 20;
        var inputs = Enumerable.Range(0, count * 256).Select(i => (float)((i * 37 % 101) / 100.0)).ToArray();
        var reference = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(64, RecordSpikes: true));
        foreach (var spec in new[] { "3", "1,t2x2,1", "c3,c3t1x2,c2" })
        {
            var plan = PartitionPlanner.Plan(network, spec);
            var traffic = TrafficModel.Predict(model, plan, inputs, count, reference, 8);
            var balanced = Placement.Assign(plan, 3);
            var smart = PlacementStrategies.Assign(PlacementStrategy.Traffic, plan, 3, traffic, injectorNode: 0);
            Assert.Equal(smart, PlacementStrategies.Assign(PlacementStrategy.Traffic, plan, 3, traffic, injectorNode: 0));
            Assert.True(traffic.CrossNodeBytes(smart, 0) <= traffic.CrossNodeBytes(balanced, 0), spec);
        }
    }

    [Fact]
    public void Strategy_names_parse_and_unknown_ones_are_named()
    {
        Assert.Equal(PlacementStrategy.RoundRobin, PlacementStrategies.Parse("Round-Robin"));
        Assert.Equal("traffic", PlacementStrategy.Traffic.Name());
        var e = Assert.Throws<PartitionPlanException>(() => PlacementStrategies.Parse("fastest"));
        Assert.Contains("'fastest'", e.Message);
        Assert.Contains("balanced, traffic, round-robin", e.Message);
    }

    private static long BruteForceOptimum(double[] load, List<PlacementEdge> edges, int nodes, double capacity)
    {
        var best = long.MaxValue;
        var node = new int[load.Length];
        var total = (int)Math.Pow(nodes, load.Length);
        for (var code = 0; code < total; code++)
        {
            var x = code;
            for (var p = 0; p < load.Length; p++, x /= nodes) node[p] = x % nodes;
            if (TrafficPlacement.MaxLoad(load, node, nodes) > capacity + 1e-9) continue;
            best = Math.Min(best, TrafficPlacement.CutBytes(edges, node, -1));
        }

        return best;
    }
}
