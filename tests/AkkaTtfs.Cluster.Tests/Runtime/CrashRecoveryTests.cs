using AkkaTtfs.Core.Distributed;
using Akka.Actor;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// Faults the runtime must survive without changing results: a partition actor stopped mid-run, and a
/// whole node lost mid-run. The coordinator re-homes, redeploys, rewires and replays; the outcome must
/// be bit-identical to the Core reference, with exactly one result per sample.
/// </summary>
public class CrashRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_partition_stopped_mid_run_is_rehomed_and_the_results_are_identical()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 600;
        var (model, inputs) = SmallConvNet.Create(samples, 5);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(RecordSpikes: true));
        var plan = PartitionPlanner.Plan(model.Network, "2");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Links are slowed by relays, so batches are still on their way to the victim when it stops
        // (a PoisonPill is processed after the messages already in its mailbox): they must be replayed.
        var request = new RunRequest("crash", model, plan, inputs, samples, new RunOptions(BatchSize: 4, MaxInFlight: 3, RecordSpikes: true))
        {
            LinkInterceptor = SlowLinks.On(cluster[0].System, "crash"),
        };
        var run = ClusterRuntime.RunAsync(cluster[0].System, request, workers, new AfterProgress(40, reached));
        await reached.Task.WaitAsync(RunTimeout);
        // Stop one partition of the middle stage wherever it lives.
        var victim = await FindPartitionAsync(cluster, "crash-p2-*");
        victim.Tell(PoisonPill.Instance, ActorRefs.NoSender);

        var outcome = await run.WaitAsync(RunTimeout);
        ResultAssert.BitIdentical(reference, outcome.Result, "after a partition crash");
        Assert.Contains(outcome.Restarts, r => r.Partition == 2);
        Assert.True(outcome.ReplayedBatches > 0);
        output.WriteLine($"restarts {string.Join(", ", outcome.Restarts)}, replayed {outcome.ReplayedBatches} batches, {outcome.DuplicateReports} stale reports dropped");
    }

    [Fact]
    public async Task A_partition_crash_in_a_run_with_a_fault_plan_changes_nothing_the_plan_did_not_decide()
    {
        // The two promises together: the plan's faults are decided by keyed draws, so a replayed batch draws
        // exactly what its first attempt drew, and the crash leaves the faulty result bit-identical to Core's.
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 400;
        var (model, inputs) = SmallConvNet.Create(samples, 8);
        var faults = Core.Faults.FaultPlan.Parse("""
            { "seed": 99, "faults": [
                { "kind": "drop", "layer": 0, "rate": 0.1 },
                { "kind": "jitter", "layer": 1, "rate": 0.3, "steps": 2, "from": 100 },
                { "kind": "dead", "layer": 1, "rate": 0.1 },
                { "kind": "bitflip", "layer": 2, "rate": 0.01 } ] }
            """);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(RecordSpikes: true, Faults: faults));
        var plan = PartitionPlanner.Plan(model.Network, "2");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new RunRequest("faultycrash", model, plan, inputs, samples, new RunOptions(BatchSize: 4, MaxInFlight: 3, RecordSpikes: true))
        {
            Faults = faults,
            LinkInterceptor = SlowLinks.On(cluster[0].System, "faultycrash"),
        };
        var run = ClusterRuntime.RunAsync(cluster[0].System, request, workers, new AfterProgress(40, reached));
        await reached.Task.WaitAsync(RunTimeout);
        var victim = await FindPartitionAsync(cluster, "faultycrash-p2-*");
        victim.Tell(PoisonPill.Instance, ActorRefs.NoSender);

        var outcome = await run.WaitAsync(RunTimeout);
        ResultAssert.SameFaultyRun(reference, outcome.Result, "faulty run after a partition crash");
        Assert.True(reference.Faults.SpikesDropped > 0 && reference.Faults.NeuronsKilled > 0 && reference.Faults.WeightsFlipped > 0, reference.Faults.ToString());
        Assert.Contains(outcome.Restarts, r => r.Partition == 2);
        Assert.True(outcome.ReplayedBatches > 0);
    }

    [Fact]
    public async Task A_node_lost_mid_run_has_its_partitions_rehomed_on_the_survivors_with_identical_results()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 2000;
        var (model, inputs) = SmallConvNet.Create(samples, 6);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples);
        var plan = PartitionPlanner.Plan(model.Network, "3");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Slowed links make the run last about 10 s on any machine: the node's shutdown (a graceful leave
        // first) must end in the middle of the run, not after it.
        var request = new RunRequest("nodeloss", model, plan, inputs, samples, new RunOptions(BatchSize: 4, MaxInFlight: 2, StallTimeout: TimeSpan.FromSeconds(90)))
        {
            LinkInterceptor = SlowLinks.On(cluster[0].System, "nodeloss"),
        };
        var run = ClusterRuntime.RunAsync(cluster[0].System, request, workers, new AfterProgress(20, reached));
        await reached.Task.WaitAsync(RunTimeout);

        // The last node's actor system shuts down mid-run: its partitions die with it and must be re-homed on
        // the survivors. (A node that vanishes without leaving is RuntimeFaultTests' kill and the multi-process
        // SIGKILL test.)
        var lost = cluster[2].SelfAddress.ToString();
        await cluster[2].System.Terminate();

        var outcome = await run.WaitAsync(RunTimeout);
        ResultAssert.BitIdentical(reference, outcome.Result, "after losing a node");
        Assert.NotEmpty(outcome.Restarts);
        Assert.All(outcome.Restarts, r => Assert.NotEqual(lost, r.Node));
        Assert.DoesNotContain(outcome.NodeOfPartition, n => outcome.Nodes[n] == lost);
        output.WriteLine($"restarts {string.Join(", ", outcome.Restarts)}, replayed {outcome.ReplayedBatches} batches");
    }

    [Fact]
    public async Task A_link_cut_for_a_while_loses_messages_and_the_timed_out_batches_are_replayed_with_identical_results()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, faultInjection: true);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 4000;
        var (model, inputs) = SmallConvNet.Create(samples, 7);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples);
        var plan = PartitionPlanner.Plan(model.Network, "2");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = ClusterRuntime.RunAsync(cluster[0].System,
            new RunRequest("cut", model, plan, inputs, samples, new RunOptions(BatchSize: 2, MaxInFlight: 2, BatchTimeout: TimeSpan.FromSeconds(1))),
            workers, new AfterProgress(20, reached));
        await reached.Task.WaitAsync(RunTimeout);

        // The cut lasts 3 s on purpose (the fault under test), well below the failure detector's pause,
        // so no node is downed: messages sent meanwhile are simply lost.
        await cluster.BlackholeAsync(0, 1);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await cluster.UnthrottleAsync(0, 1);

        var outcome = await run.WaitAsync(RunTimeout);
        ResultAssert.BitIdentical(reference, outcome.Result, "after a cut link");
        Assert.True(outcome.TimeoutReplays > 0, "the cut should have lost messages and forced a replay");
        Assert.Empty(outcome.Restarts);
        output.WriteLine($"timeout replays {outcome.TimeoutReplays}, replayed {outcome.ReplayedBatches} batches, {outcome.DuplicateReports} stale reports");
    }

    private static async Task<IActorRef> FindPartitionAsync(InProcessCluster cluster, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            foreach (var node in cluster.Nodes)
            {
                try
                {
                    return await node.System.ActorSelection($"/user/node-agent/{name}").ResolveOne(TimeSpan.FromSeconds(1));
                }
                catch (ActorNotFoundException)
                {
                }
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no partition actor {name} on any node");
        }
    }
}
