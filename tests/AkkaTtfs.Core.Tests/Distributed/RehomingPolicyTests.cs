using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>The re-homing decision without an actor system: facts in, decision out.</summary>
public class RehomingPolicyTests
{
    private static bool All(int node) => true;

    [Fact]
    public void A_partition_lost_on_a_healthy_node_goes_back_to_it()
    {
        var policy = new RehomingPolicy([0, 1, 1, 2], 3, maxRestarts: 2);
        Assert.Equal(new RehomeDecision.MoveTo(1, 1), policy.Rehome(2, All));
        Assert.Equal(1, policy.NodeOf(2));
        Assert.Equal(1, policy.RestartsOf(2));
    }

    [Fact]
    public void A_partition_of_a_lost_node_goes_to_the_least_loaded_usable_node_lowest_index_first()
    {
        // Node 0 hosts two partitions, node 1 one, node 2 one and dies: node 1 is the least loaded of the living.
        var policy = new RehomingPolicy([0, 0, 1, 2], 3, maxRestarts: 3);
        policy.NodeLost(2);
        Assert.Equal(new RehomeDecision.MoveTo(1, 1), policy.Rehome(3, All));
        Assert.Equal([0, 0, 1, 1], policy.Placement());
        // Equal loads: the lower index wins.
        var tie = new RehomingPolicy([0, 1, 2, 2], 3, maxRestarts: 3);
        tie.NodeLost(2);
        Assert.Equal(new RehomeDecision.MoveTo(0, 1), tie.Decide(2, All));
    }

    [Fact]
    public void A_node_the_cluster_sees_down_or_unreachable_is_not_chosen_even_if_it_was_the_partitions_own()
    {
        var policy = new RehomingPolicy([0, 1, 2], 3, maxRestarts: 3);
        Assert.Equal(new RehomeDecision.MoveTo(2, 1), policy.Decide(1, n => n != 1 && n != 0));
        Assert.Equal(1, policy.NodeOf(1));   // Decide changes nothing
        Assert.Equal(0, policy.RestartsOf(1));
    }

    [Fact]
    public void No_usable_node_left_ends_the_run()
    {
        var policy = new RehomingPolicy([0, 1], 2, maxRestarts: 3);
        policy.NodeLost(1);
        Assert.IsType<RehomeDecision.NoNodeLeft>(policy.Rehome(1, n => n != 0));
        Assert.Equal(1, policy.NodeOf(1));
    }

    [Fact]
    public void Restarts_are_counted_per_partition_up_to_the_limit()
    {
        var policy = new RehomingPolicy([0, 0], 1, maxRestarts: 2);
        Assert.IsType<RehomeDecision.MoveTo>(policy.Rehome(0, All));
        Assert.IsType<RehomeDecision.MoveTo>(policy.Rehome(0, All));
        Assert.Equal(new RehomeDecision.TooManyRestarts(3, 2), policy.Rehome(0, All));
        Assert.IsType<RehomeDecision.MoveTo>(policy.Rehome(1, All));   // the other partition has its own count
        Assert.Equal(new RehomeDecision.TooManyRestarts(1, 0), new RehomingPolicy([0], 1, 0).Decide(0, All));
    }

    [Fact]
    public void A_placement_outside_the_nodes_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RehomingPolicy([0, 3], 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RehomingPolicy([0], 0, 1));
    }
}
