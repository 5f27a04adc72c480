using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>Which runtime fault acts and which is skipped, decided without a cluster.</summary>
public class RuntimeFaultRulesTests
{
    private static readonly Func<int, bool> AllAlive = _ => true;

    [Fact]
    public void A_crash_acts_on_a_running_partition_on_a_live_node()
    {
        var crash = new RuntimeFault(RuntimeFaultKind.CrashPartition, 1, Partition: 4);
        Assert.Equal(new RuntimeFaultAction.Crash(4), RuntimeFaultRules.Decide(crash, true, 1, AllAlive));
        Assert.Equal(new RuntimeFaultAction.Skip("the partition was being re-homed"), RuntimeFaultRules.Decide(crash, false, 1, AllAlive));
        Assert.Equal(new RuntimeFaultAction.Skip("its node was gone"), RuntimeFaultRules.Decide(crash, true, 1, n => n != 1));
    }

    [Fact]
    public void A_kill_acts_once_per_node()
    {
        var kill = new RuntimeFault(RuntimeFaultKind.KillNode, 1, Node: 2);
        Assert.Equal(new RuntimeFaultAction.Kill(2), RuntimeFaultRules.Decide(kill, false, -1, AllAlive));
        Assert.Equal(new RuntimeFaultAction.Skip("the node was already gone"), RuntimeFaultRules.Decide(kill, false, -1, n => n != 2));
    }

    [Fact]
    public void A_cut_needs_both_ends_and_rounds_its_length_up_to_whole_milliseconds()
    {
        var cut = new RuntimeFault(RuntimeFaultKind.CutLink, 1, Node: 0, ToNode: 2, ForSeconds: 1.0004);
        Assert.Equal(new RuntimeFaultAction.Cut(0, 2, 1001), RuntimeFaultRules.Decide(cut, false, -1, AllAlive));
        Assert.Equal(new RuntimeFaultAction.Skip("one end was already gone"), RuntimeFaultRules.Decide(cut, false, -1, n => n != 2));
        Assert.Equal(new RuntimeFaultAction.Skip("one end was already gone"), RuntimeFaultRules.Decide(cut, false, -1, n => n != 0));
    }

    [Fact]
    public void Faults_not_fired_by_the_end_are_listed_in_order_with_the_end_time()
    {
        Assert.Equal([0, 2, 4], RuntimeFaultRules.Unfired(5, [3, 1]));
        Assert.Equal("not fired: the run finished at 2.50 s", RuntimeFaultRules.NotFired(TimeSpan.FromSeconds(2.5)));
    }
}
