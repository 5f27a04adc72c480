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

    [Theory]
    [InlineData(NodeSignal.AssociationLost)]
    [InlineData(NodeSignal.Unreachable)]
    [InlineData(NodeSignal.Removed)]
    public void The_first_loss_signal_suspects_a_node_and_names_every_partition_it_hosts_once(NodeSignal signal)
    {
        var policy = new RehomingPolicy([0, 2, 1, 2], 3, maxRestarts: 3);
        var verdict = Assert.IsType<NodeVerdict.Suspect>(policy.Observe(2, signal));
        Assert.Equal(2, verdict.Node);
        Assert.Equal([1, 3], verdict.Partitions);
        Assert.True(policy.IsSuspected(2));
        // Signals repeat (an association error per reconnection attempt, then unreachable, then removed): acted on once.
        Assert.IsType<NodeVerdict.Nothing>(policy.Observe(2, NodeSignal.AssociationLost));
        Assert.IsType<NodeVerdict.Nothing>(policy.Observe(2, NodeSignal.Unreachable));
        Assert.False(policy.IsSuspected(0));
        Assert.Equal(signal != NodeSignal.Removed, policy.IsAlive(2));
    }

    [Fact]
    public void A_suspected_node_is_not_chosen_even_though_the_cluster_still_sees_it_up_and_reachable()
    {
        // A killed process is heard at once (its sockets close); the cluster's view says Up and reachable for seconds more.
        var policy = new RehomingPolicy([0, 1, 1], 2, maxRestarts: 3);
        var suspect = Assert.IsType<NodeVerdict.Suspect>(policy.Observe(1, NodeSignal.AssociationLost));
        foreach (var p in suspect.Partitions) Assert.Equal(new RehomeDecision.MoveTo(0, 1), policy.Rehome(p, All));
        Assert.Equal([0, 0, 0], policy.Placement());
        // The only other node suspected too: nowhere to go.
        var alone = new RehomingPolicy([0, 1], 2, maxRestarts: 3);
        alone.Observe(0, NodeSignal.Unreachable);
        alone.Observe(1, NodeSignal.Unreachable);
        Assert.IsType<RehomeDecision.NoNodeLeft>(alone.Decide(1, All));
    }

    [Theory]
    [InlineData(NodeSignal.Associated)]
    [InlineData(NodeSignal.Reachable)]
    public void A_suspected_node_that_comes_back_is_reported_once_and_may_host_partitions_again(NodeSignal signal)
    {
        var policy = new RehomingPolicy([0, 1, 1], 2, maxRestarts: 3);
        Assert.IsType<NodeVerdict.Nothing>(policy.Observe(1, signal));    // never suspected: nothing to stop
        var suspect = Assert.IsType<NodeVerdict.Suspect>(policy.Observe(1, NodeSignal.Unreachable));
        foreach (var p in suspect.Partitions) policy.Rehome(p, All);
        Assert.Equal(new NodeVerdict.Back(1), policy.Observe(1, signal));
        Assert.False(policy.IsSuspected(1));
        Assert.IsType<NodeVerdict.Nothing>(policy.Observe(1, NodeSignal.Reachable));   // the other source says so too: once
        // Back, it is a candidate again: the least loaded.
        Assert.Equal(new RehomeDecision.MoveTo(1, 1), policy.Decide(0, n => n != 0));
        // Suspected again later: again every partition it hosts by then (none), and again once.
        Assert.Equal([], Assert.IsType<NodeVerdict.Suspect>(policy.Observe(1, NodeSignal.AssociationLost)).Partitions);
    }

    [Fact]
    public void A_node_lost_for_good_is_never_back()
    {
        var policy = new RehomingPolicy([0, 1], 2, maxRestarts: 3);
        policy.NodeLost(1);    // killed by the plan: its partitions still move on the first signal
        Assert.Equal([1], Assert.IsType<NodeVerdict.Suspect>(policy.Observe(1, NodeSignal.AssociationLost)).Partitions);
        Assert.IsType<NodeVerdict.Nothing>(policy.Observe(1, NodeSignal.Associated));
        Assert.True(policy.IsSuspected(1));
        var removed = new RehomingPolicy([0, 1], 2, maxRestarts: 3);
        removed.Observe(1, NodeSignal.Removed);
        Assert.IsType<NodeVerdict.Nothing>(removed.Observe(1, NodeSignal.Reachable));
        Assert.False(removed.IsAlive(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => removed.Observe(2, NodeSignal.Unreachable));
    }

    [Fact]
    public void A_placement_outside_the_nodes_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RehomingPolicy([0, 3], 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RehomingPolicy([0], 0, 1));
    }
}
