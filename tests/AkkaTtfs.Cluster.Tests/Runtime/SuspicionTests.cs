using Akka.Actor;
using Akka.Cluster;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// Recovery acts on suspicion, before any downing: a node that is only suspected (its link to the coordinator
/// cut until the failure detector marks it unreachable, then healed, well before the split-brain resolver's
/// stable time would down it) has its partitions re-homed at once; when it is reachable again, the partitions of
/// the old attempt it still hosts are stopped. Results stay bit-identical with one result per sample.
/// </summary>
public class SuspicionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_node_only_suspected_is_rehomed_at_once_and_when_it_is_back_its_old_partitions_are_stopped_with_identical_results()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, faultInjection: true);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 4000;
        var (model, inputs) = SmallConvNet.Create(samples, 9);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(RecordSpikes: true));
        var plan = PartitionPlanner.Plan(model.Network, "3");
        var suspectAddress = cluster[2].SelfAddress.ToString();
        var suspect = workers.Select(w => w.Address).ToList().IndexOf(suspectAddress);
        var hosted = Placement.Assign(plan, workers.Count).Select((node, p) => (node, p)).Where(x => x.node == suspect).Select(x => x.p).ToArray();
        Assert.NotEmpty(hosted);

        // Slowed links (relays on node 0, the coordinator's) keep the run going long after the node is back.
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new RunRequest("suspect", model, plan, inputs, samples,
            new RunOptions(BatchSize: 4, MaxInFlight: 2, RecordSpikes: true, StallTimeout: TimeSpan.FromSeconds(120), MaxRestarts: 10))
        {
            LinkInterceptor = SlowLinks.On(cluster[0].System, "suspect"),
        };
        var run = ClusterRuntime.RunAsync(cluster[0].System, request, workers, new AfterProgress(20, reached));
        await reached.Task.WaitAsync(RunTimeout);

        // The old incarnations, watched from their own node (a local watch: Terminated means stopped, not unreachable).
        var watcher = cluster.CreateProbe(2);
        var old = await IdentifyAsync(cluster[2].System, "suspect", hosted.Length);
        foreach (var actor in old) watcher.Watch(actor);

        // Cut the coordinator's link to node 2 until its failure detector suspects the node, then heal at once:
        // the split-brain resolver acts only after the unreachability has been stable for 7 s, so nothing is downed.
        await cluster.BlackholeAsync(0, 2);
        await Eventually.UntilAsync(() => cluster[0].Cluster.State.Unreachable.Any(m => m.Address == cluster[2].SelfAddress),
            TimeSpan.FromSeconds(60), "node 0 marks node 2 unreachable");
        await cluster.UnthrottleAsync(0, 2);

        // Back: the coordinator stops the old attempt's partitions there, while the run still goes on.
        foreach (var _ in old) watcher.ExpectMsg<Terminated>(TimeSpan.FromSeconds(90));
        var stillRunning = !run.IsCompleted;

        var outcome = await run.WaitAsync(RunTimeout);
        ResultAssert.BitIdentical(reference, outcome.Result, "after a node was suspected and came back");
        Assert.Equal(samples, outcome.Result.Predictions.Length);
        Assert.True(stillRunning, "the old partitions were stopped only when the run ended, not when their node came back");
        Assert.All(hosted, p => Assert.Contains(outcome.Restarts, r => r.Partition == p));
        Assert.True(outcome.ReplayedBatches > 0);
        // Only suspected: still a member, Up.
        Assert.Contains(cluster[0].Cluster.State.Members, m => m.Address == cluster[2].SelfAddress && m.Status == MemberStatus.Up);
        output.WriteLine($"restarts {string.Join(", ", outcome.Restarts)}; recoveries {string.Join(", ", outcome.Recoveries)}; " +
                         $"replayed {outcome.ReplayedBatches} batches, {outcome.DuplicateReports} stale reports dropped");
    }

    /// <summary>The partition actors of run <paramref name="runId"/> living in <paramref name="system"/> (expects <paramref name="count"/>).</summary>
    private static async Task<IReadOnlyList<IActorRef>> IdentifyAsync(ActorSystem system, string runId, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var found = new List<IActorRef>();
            var probe = new Akka.TestKit.TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
            system.ActorSelection($"/user/node-agent/{runId}-p*").Tell(new Identify(null), probe.Ref);
            while (probe.ReceiveOne(TimeSpan.FromSeconds(1)) is ActorIdentity { Subject: { } subject }) found.Add(subject);
            if (found.Count == count) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"found {found.Count} partition actors of run {runId}, expected {count}");
        }
    }
}
