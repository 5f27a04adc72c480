using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>The process's shared partition plans: one instance per (architecture, input shape, spec), equal to a plan built afresh.</summary>
public class SharedPlansTests
{
    private const string Architecture = "c6k3-p2-c8k3-d10";
    private static readonly int[] Shape = [1, 12, 12];

    [Fact]
    public void Equal_keys_share_one_instance_even_when_asked_from_many_threads()
    {
        // Fresh strings and arrays each time: the cache compares contents, not references.
        var plans = new PartitionPlan[16];
        Parallel.For(0, plans.Length, i => plans[i] = SharedPlans.Get(new string([.. Architecture]), [.. Shape], string.Concat("c3", ",t2x1,", "2")));
        Assert.All(plans, p => Assert.Same(plans[0], p));
    }

    [Theory]
    [InlineData("1,1,1")]
    [InlineData("c3,t2x1,2")]
    [InlineData("c2t2x2,c4,5")]
    public void A_shared_plan_is_the_plan_of_its_own_spec(string spec)
    {
        var shared = SharedPlans.Get(Architecture, Shape, spec);
        var fresh = PartitionPlanner.Plan(ArchitectureParser.Build(Architecture, TensorShape.FromDims(Shape)), spec);
        Assert.Equal(fresh.Spec, shared.Spec);
        Assert.Equal(fresh.Partitions, shared.Partitions);
        Assert.Equal(fresh.Routes.Count, shared.Routes.Count);
        for (var r = 0; r < fresh.Routes.Count; r++)
        {
            Assert.Equal((fresh.Routes[r].SourceId, fresh.Routes[r].TargetId), (shared.Routes[r].SourceId, shared.Routes[r].TargetId));
            Assert.Equal(fresh.Routes[r].Neurons, shared.Routes[r].Neurons);
        }
    }

    [Fact]
    public void Another_spec_or_input_shape_gets_another_plan()
    {
        var a = SharedPlans.Get(Architecture, Shape, "2,2,2");
        var b = SharedPlans.Get(Architecture, Shape, "2,2,1");
        var c = SharedPlans.Get(Architecture, [1, 14, 14], "2,2,2");
        Assert.NotSame(a, b);
        Assert.NotSame(a, c);
        Assert.Equal(6, a.Partitions.Count);
        Assert.Equal(5, b.Partitions.Count);
        Assert.Equal(14, c.Network.Input.ToDims()[1]);
        GC.KeepAlive((a, b, c));
    }

    [Fact]
    public void A_spec_that_does_not_fit_throws_and_leaves_the_cache_working()
    {
        Assert.Throws<PartitionPlanException>(() => SharedPlans.Get(Architecture, Shape, "c99,1,1"));
        Assert.Equal(3, SharedPlans.Get(Architecture, Shape, "1,1,1").Partitions.Count);
    }
}
