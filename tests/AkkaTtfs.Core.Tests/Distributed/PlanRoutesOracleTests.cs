using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>
/// The planner's routing tables against the rule written out neuron by neuron in the test: a target receives from a source
/// exactly the source's outputs (the input, for stage 0) that ReceptiveField.Needs says its block needs, ascending, and a
/// pair with nothing to exchange has no route. Tiles, halos, padding and channel slices on every side of the cuts.
/// </summary>
public class PlanRoutesOracleTests
{
    [Theory]
    [InlineData("c4k3p1-p2-c6k5-p2-d10", "c2t2x2,t3x3,2")]
    [InlineData("c4k3p1-p2-c6k5-p2-d10", "1,c3t1x3,1")]
    [InlineData("c4k3p1-p2-c6k5-p2-d10", "4,2,5")]
    [InlineData("c3k5-c5k3p1-p2-d7", "t4x4,c5t2x3,7")]
    public void Every_route_holds_exactly_the_needed_neurons(string architecture, string spec)
    {
        var network = ArchitectureParser.Build(architecture, TensorShape.Image(2, 20, 20));
        var plan = PartitionPlanner.Plan(network, spec);
        var expected = new List<(int Source, int Target, int[] Neurons)>();
        foreach (var target in plan.OfStage(0))
            expected.Add((PartitionPlan.InputSource, target.Id, [.. Enumerable.Range(0, network.Input.Size).Where(i => ReceptiveField.Needs(network.Stages[0], target.Block, i))]));
        for (var d = 1; d < network.Stages.Count; d++)
        {
            foreach (var source in plan.OfStage(d - 1))
            {
                foreach (var target in plan.OfStage(d))
                    expected.Add((source.Id, target.Id, [.. PartitionPlanner.OwnedOutputs(network.Stages[d - 1], source.Block).Where(i => ReceptiveField.Needs(network.Stages[d], target.Block, i))]));
            }
        }

        var nonEmpty = expected.Where(e => e.Neurons.Length > 0).ToArray();
        if (spec.StartsWith("t4x4", StringComparison.Ordinal)) Assert.True(nonEmpty.Length < expected.Count, "this case has tile pairs with nothing to exchange");
        Assert.Equal(nonEmpty.Select(e => (e.Source, e.Target)), plan.Routes.Select(r => (r.SourceId, r.TargetId)));
        for (var r = 0; r < nonEmpty.Length; r++) Assert.Equal(nonEmpty[r].Neurons, plan.Routes[r].Neurons);
    }
}
