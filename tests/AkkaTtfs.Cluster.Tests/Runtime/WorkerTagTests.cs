using AkkaTtfs.Cluster.Runtime;

namespace AkkaTtfs.Cluster.Tests.Runtime;

public class WorkerTagTests
{
    [Fact]
    public void Tags_are_the_roles_with_the_tag_prefix_sorted_and_nothing_else()
    {
        Assert.Equal(["big", "fast"], WorkerNode.TagsOf(["worker", "tag:fast", "coordinator", "tag:big", "tag:", "tagfast"]));
        Assert.Empty(WorkerNode.TagsOf(["worker"]));
    }
}
