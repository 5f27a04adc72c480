using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

public class PlacementFileTests
{
    private static readonly NetworkSpec Network = NetworkSpec.Create(TensorShape.Image(1, 8, 8), ArchitectureParser.Parse("c4k3-p2-d10"));

    // "2,1": two conv partitions (ids 0, 1), one dense (id 2).
    private static PartitionPlan Plan => PartitionPlanner.Plan(Network, "2,1");

    private static readonly PlacementNode[] Nodes =
    [
        new("akka.tcp://akkattfs@127.0.0.1:4000"),
        new("akka.tcp://akkattfs@127.0.0.1:4001", ["fast"]),
        new("akka.tcp://akkattfs@10.0.0.3:4053", ["fast", "big"]),
    ];

    private static PlacementChoice Choice(string json) => PlacementChoice.Parse("p.json", _ => json);

    [Fact]
    public void Pins_by_index_address_host_port_and_tag_override_the_strategy_and_the_rest_follow_it()
    {
        var plan = Plan;
        var free = Placement.Assign(plan, 3);
        var choice = Choice("""{"partitions": {"0": 2, "2": "akka.tcp://akkattfs@127.0.0.1:4001"}}""");
        var node = choice.Assign(plan, Nodes, 0, null);
        Assert.Equal([2, free[1], 1], node);
        Assert.Equal(PlacementStrategy.Balanced, choice.Strategy);
        Assert.Equal("file:p.json (rest balanced)", choice.Name);

        node = Choice("""{"strategy": "round-robin", "partitions": {"1": "10.0.0.3:4053"}}""").Assign(plan, Nodes, 0, null);
        Assert.Equal([0, 2, 2], node);     // round-robin gives 0,1,2; the pin moves partition 1 to 10.0.0.3

        // A tag several nodes carry: the pinned partitions take them in turn, in id order.
        node = Choice("""{"partitions": {"0": "tag:fast", "1": "tag:fast", "2": "tag:big"}}""").Assign(plan, Nodes, 0, null);
        Assert.Equal([1, 2, 2], node);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{}", "no \"partitions\" object")]
    [InlineData("""{"partitions": {"x": 0}}""", "partition \"x\" is not a partition id")]
    [InlineData("""{"partitions": {"-1": 0}}""", "partition \"-1\" is not a partition id")]
    [InlineData("""{"partitions": {"0": -2}}""", "node index -2 is not a whole number >= 0")]
    [InlineData("""{"partitions": {"0": 1.5}}""", "node index 1.5")]
    [InlineData("""{"partitions": {"0": "tag:"}}""", "needs a tag name")]
    [InlineData("""{"partitions": {"0": ""}}""", "an empty node address")]
    [InlineData("""{"partitions": {"0": true}}""", "expected a node index, a node address or \"tag:NAME\", got true")]
    [InlineData("""{"partitions": {"0": 0, "0": 1}}""", "partition 0 is pinned twice")]
    [InlineData("""{"partitions": {}, "nodes": 3}""", "unknown field \"nodes\"")]
    [InlineData("""{"partitions": {}, "strategy": "fastest"}""", "unknown placement 'fastest'")]
    public void Bad_files_are_one_line_naming_the_file_and_the_problem(string json, string expected)
    {
        var e = Assert.Throws<PlacementException>(() => Choice(json));
        Assert.StartsWith("placement file p.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Pins_that_fit_neither_the_plan_nor_the_nodes_are_named()
    {
        var plan = Plan;
        var e = Assert.Throws<PlacementException>(() => Choice("""{"partitions": {"3": 0}}""").File!.Check(plan, null));
        Assert.Contains("pins partition 3, and the plan", e.Message);
        Assert.Contains("has 3 (0..2)", e.Message);
        e = Assert.Throws<PlacementException>(() => Choice("""{"partitions": {"0": 3}}""").File!.Check(plan, 3));
        Assert.Contains("on node 3, and the run has 3 node(s) (0..2)", e.Message);
        Choice("""{"partitions": {"0": 3}}""").File!.Check(plan, null);     // nodes not known yet: checked when they are
        e = Assert.Throws<PlacementException>(() => Choice("""{"partitions": {"0": "akka.tcp://akkattfs@10.9.9.9:1"}}""").Assign(plan, Nodes, 0, null));
        Assert.Contains("none of the run's nodes", e.Message);
        e = Assert.Throws<PlacementException>(() => Choice("""{"partitions": {"0": "tag:gpu"}}""").Assign(plan, Nodes, 0, null));
        Assert.Contains("tag 'gpu'", e.Message);
        Assert.Contains("tags present: big, fast", e.Message);
    }

    [Fact]
    public void Strategy_names_parse_and_a_file_that_cannot_be_read_is_named()
    {
        Assert.Equal(PlacementStrategy.Traffic, PlacementChoice.Parse("traffic", _ => throw new InvalidOperationException("no file")).Strategy);
        var e = Assert.Throws<PlacementException>(() => PlacementChoice.Parse("nearest", _ => ""));
        Assert.Contains("or a placement file (*.json)", e.Message);
        e = Assert.Throws<PlacementException>(() => PlacementChoice.Parse("gone.json", f => throw new FileNotFoundException($"no {f}")));
        Assert.Contains("placement file gone.json: cannot read it: no gone.json", e.Message);
    }

    [Fact]
    public void Each_strategy_gives_what_its_own_function_gives_and_traffic_needs_a_prediction()
    {
        var network = NetworkSpec.Create(TensorShape.Image(1, 16, 16), ArchitectureParser.Parse("c6k3-p2-c6k3-p2-d10"));
        var model = RandomModel.Create(network, 9, positiveShift: 0.6);
        var plan = PartitionPlanner.Plan(network, "c3,c3,1");
        var nodes = Nodes;
        Assert.Equal(Placement.Assign(plan, 3), PlacementChoice.Balanced.Assign(plan, nodes, 0, null));
        Assert.Equal(plan.Partitions.Select(p => p.Id % 3), PlacementChoice.Of(PlacementStrategy.RoundRobin).Assign(plan, nodes, 0, null));
        Assert.Throws<PlacementException>(() => PlacementChoice.Of(PlacementStrategy.Traffic).Assign(plan, nodes, 0, null));

        // The sample prediction is the traffic model over a reference of the first samples, computed here independently.
        var count = 12;
        var inputs = Enumerable.Range(0, count * 256).Select(i => (float)((i * 37 % 101) / 100.0)).ToArray();
        var reference = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(4, RecordSpikes: true));
        var expected = TrafficModel.Predict(model, plan, inputs, count, reference, 4);
        var sample = PlacementChoice.PredictSample(model, plan, inputs, count, 4);
        Assert.Equal(expected.Links, sample.Links, (a, b) => a.SourceId == b.SourceId && a.TargetId == b.TargetId && a.PayloadBytes == b.PayloadBytes && a.Spikes == b.Spikes);
        var smart = PlacementChoice.Of(PlacementStrategy.Traffic).Assign(plan, nodes, 0, sample);
        Assert.Equal(TrafficPlacement.Assign(plan, expected, 3, 0), smart);
        Assert.True(expected.CrossNodeBytes(smart, 0) <= expected.CrossNodeBytes(Placement.Assign(plan, 3), 0));
    }
}
