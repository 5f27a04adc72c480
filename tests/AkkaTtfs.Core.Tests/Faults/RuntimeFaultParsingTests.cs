using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Faults;

/// <summary>The plan file's <c>runtime</c> list: parsed, checked, written back, and a no-op for the Core engines.</summary>
public class RuntimeFaultParsingTests
{
    [Fact]
    public void Every_kind_parses_with_its_fields_and_round_trips_through_json()
    {
        var plan = FaultPlan.Parse("""
            { "seed": 3,
              "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1 } ],
              "runtime": [
                { "kind": "crash", "partition": 2, "at": 1.5 },   // comments are fine here too
                { "kind": "kill", "node": 1, "at": 4 },
                { "kind": "cut", "node": 0, "to": 2, "at": 0.25, "for": 3, "note": "heal after 3 s" },
              ] }
            """);

        Assert.Equal(
            [
                new RuntimeFault(RuntimeFaultKind.CrashPartition, 1.5, Partition: 2),
                new RuntimeFault(RuntimeFaultKind.KillNode, 4, Node: 1),
                new RuntimeFault(RuntimeFaultKind.CutLink, 0.25, Node: 0, ToNode: 2, ForSeconds: 3),
            ],
            plan.Runtime);
        Assert.Equal(["crash partition 2 at 1.5 s", "kill node 1 at 4 s", "cut node 0 - node 2 at 0.25 s for 3 s"], plan.Runtime.Select(f => f.Describe()));
        var again = FaultPlan.Parse(plan.ToJson());
        Assert.Equal(plan.Runtime, again.Runtime);
        Assert.Equal(plan.Faults, again.Faults);
    }

    [Fact]
    public void A_plan_without_a_runtime_list_has_none_and_writes_none()
    {
        var plan = FaultPlan.Parse("""{ "faults": [ { "kind": "dead", "layer": 0, "rate": 0.5 } ] }""");
        Assert.Empty(plan.Runtime);
        Assert.DoesNotContain("runtime", plan.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[ { "kind": "explode", "at": 1 } ]""", "runtime entry 0 (runtime[0]), field 'kind': unknown runtime fault kind 'explode'")]
    [InlineData("""[ { "kind": "crash", "partition": 1 } ]""", "runtime entry 0 (runtime[0]), field 'at': is required")]
    [InlineData("""[ { "kind": "crash", "partition": 1, "at": -2 } ]""", "field 'at'")]
    [InlineData("""[ { "kind": "crash", "at": 1 } ]""", "field 'partition': is required")]
    [InlineData("""[ { "kind": "crash", "partition": 1, "at": 1, "node": 0 } ]""", "field 'node': crash takes no 'node'")]
    [InlineData("""[ { "kind": "kill", "node": 1, "at": 1 }, { "kind": "kill", "at": 1 } ]""", "runtime entry 1 (runtime[1]), field 'node'")]
    [InlineData("""[ { "kind": "cut", "node": 1, "to": 1, "at": 1, "for": 1 } ]""", "field 'to': a link joins two nodes")]
    [InlineData("""[ { "kind": "cut", "node": 1, "to": 2, "at": 1 } ]""", "field 'for'")]
    [InlineData("""[ { "kind": "cut", "node": 1, "to": 2, "at": 1, "for": 0 } ]""", "field 'for'")]
    [InlineData("""[ { "kind": "cut", "node": 1, "to": 2, "at": 1, "for": 5.5 } ]""", "field 'for': 5.5 is outside (0, 5] seconds")]
    [InlineData("""[ { "kind": "crash", "partition": 1, "at": 2e6 } ]""", "field 'at': 2000000 is not a time in seconds in [0, 1000000]")]
    [InlineData("""[ { "kind": "kill", "node": 1.5, "at": 1 } ]""", "field 'node': 1.5 is not an integer")]
    [InlineData("""[ { "kind": "kill", "node": 1, "at": "soon" } ]""", "field 'at': \"soon\" is not a number")]
    [InlineData("""[ { "kind": "kill", "node": 1, "at": 1, "when": 2 } ]""", "field 'when': unknown field")]
    [InlineData("""{ "kind": "kill" }""", "field 'runtime': must be a list")]
    public void A_bad_runtime_entry_fails_naming_the_entry_and_the_field(string runtime, string expected)
    {
        var ex = Assert.Throws<FaultPlanException>(() => FaultPlan.Parse($$"""{ "faults": [], "runtime": {{runtime}} }"""));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RuntimeFaultKind.CrashPartition, 6, -1, -1, "partitions 0..5")]
    [InlineData(RuntimeFaultKind.KillNode, -1, 3, -1, "worker nodes 0..2")]
    [InlineData(RuntimeFaultKind.KillNode, -1, 0, -1, "hosts the coordinator")]
    [InlineData(RuntimeFaultKind.CutLink, -1, 1, 3, "field 'to'")]
    public void Checked_against_a_run_the_targets_must_exist_and_the_coordinators_node_cannot_be_killed(RuntimeFaultKind kind, int partition, int node, int to, string expected)
    {
        var fault = new RuntimeFault(kind, 1, partition, node, to, 1);
        var ex = Assert.Throws<FaultPlanException>(() => fault.ValidateFor(0, partitions: 6, nodes: 3, coordinatorNode: 0));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 0, """[ { "kind": "kill", "node": 1, "at": 1 }, { "kind": "kill", "node": 2, "at": 2 } ]""", "runtime entry 1 (runtime[1]), field 'node': the plan kills 2 of the cluster's 3 members")]
    [InlineData(2, 0, """[ { "kind": "kill", "node": 1, "at": 1 } ]""", "kills 1 of the cluster's 2 members")]
    [InlineData(3, -1, """[ { "kind": "kill", "node": 1, "at": 1 }, { "kind": "kill", "node": 2, "at": 2 } ]""", "kills 2 of the cluster's 4 members")]
    [InlineData(5, 0, """[ { "kind": "crash", "partition": 1, "at": 1 }, { "kind": "crash", "partition": 1, "at": 2 }, { "kind": "kill", "node": 1, "at": 3 }, { "kind": "kill", "node": 2, "at": 4 } ]""",
        "runtime entry 1 (runtime[1]), field 'partition': partition 1 may be re-homed 4 times by this plan (2 crashes, 2 kills), more than the 3 the run allows")]
    public void Together_the_kills_must_leave_a_majority_and_no_partition_may_need_more_rehomings_than_allowed(int nodes, int coordinatorNode, string runtime, string expected)
    {
        var plan = FaultPlan.Parse($$"""{ "faults": [], "runtime": {{runtime}} }""");
        var ex = Assert.Throws<FaultPlanException>(() => RuntimeFault.ValidateAll(plan.Runtime, partitions: 6, nodes, coordinatorNode, maxRestarts: 3));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kill_leaving_a_majority_and_crashes_within_the_restart_budget_pass()
    {
        var plan = FaultPlan.Parse("""
            { "faults": [], "runtime": [ { "kind": "kill", "node": 1, "at": 1 }, { "kind": "crash", "partition": 2, "at": 2 }, { "kind": "crash", "partition": 2, "at": 3 } ] }
            """);
        RuntimeFault.ValidateAll(plan.Runtime, partitions: 6, nodes: 3, coordinatorNode: 0, maxRestarts: 3);
        Assert.Throws<FaultPlanException>(() => RuntimeFault.ValidateAll(plan.Runtime, partitions: 6, nodes: 3, coordinatorNode: 0, maxRestarts: 2));
    }

    [Fact]
    public void A_kind_outside_the_enum_is_refused()
    {
        var ex = Assert.Throws<FaultPlanException>(() => new FaultPlan(0, [], [new RuntimeFault((RuntimeFaultKind)7, 1, Node: 1)]));
        Assert.Contains("field 'kind': 7 is not a runtime fault kind", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_the_run_has_pass_the_check()
    {
        new RuntimeFault(RuntimeFaultKind.CrashPartition, 1, Partition: 5).ValidateFor(0, partitions: 6, nodes: 3, coordinatorNode: 0);
        new RuntimeFault(RuntimeFaultKind.KillNode, 1, Node: 2).ValidateFor(0, 6, 3, 0);
        new RuntimeFault(RuntimeFaultKind.KillNode, 1, Node: 0).ValidateFor(0, 6, 3, coordinatorNode: -1);   // the coordinator runs elsewhere
        new RuntimeFault(RuntimeFaultKind.CutLink, 1, Node: 0, ToNode: 2, ForSeconds: 1).ValidateFor(0, 6, 3, 0);
    }

    [Fact]
    public void The_core_engines_run_runtime_faults_as_what_they_promise_no_change_at_all()
    {
        var network = ArchitectureParser.Build("d16-d10", TensorShape.Vector(12));
        var model = RandomModel.Create(network, 5);
        var inputs = Enumerable.Range(0, 12 * 20).Select(i => (i % 5) / 5f).ToArray();
        var plan = FaultPlan.Parse("""{ "faults": [], "runtime": [ { "kind": "crash", "partition": 0, "at": 0 }, { "kind": "kill", "node": 1, "at": 0 } ] }""");
        var clean = new EventDrivenSimulator().Run(model, inputs, 20);
        var withRuntime = new EventDrivenSimulator().Run(model, inputs, 20, new SimulationOptions(Faults: plan));
        Support.ResultAssert.SameFaultyRun(clean, withRuntime, "runtime faults on the event engine");
    }
}
