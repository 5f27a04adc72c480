using AkkaTtfs.Core.Distributed;
using Akka.Actor;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>Exactness when messages are delayed and reordered on every link, and when a layer needs several weight chunks.</summary>
public class RuntimeRobustnessTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Forwards each message after a random delay, so messages on one link overtake each other.</summary>
    private sealed class DelayingRelay : ReceiveActor
    {
        public DelayingRelay(IActorRef target, int seed)
        {
            var rng = new Random(seed);
            ReceiveAny(m => Context.System.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(rng.Next(0, 25)), target, m, Sender));
        }
    }

    [Fact]
    public async Task Delayed_and_reordered_messages_on_two_nodes_give_bit_identical_results()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await cluster.StartWorkersAsync();
        for (var topology = 0; topology < RandomNetworks.Topologies.Count; topology += 2)
        {
            var random = RandomNetworks.Create(topology, InputMode.Analog, 300 + topology, 40);
            var reference = new EventDrivenSimulator().Run(random.Model, random.Inputs, 40, new SimulationOptions(8, RecordSpikes: true));
            var plan = PartitionPlanner.Plan(random.Model.Network, "2");
            var relays = 0;
            var request = new RunRequest($"reorder-{topology}", random.Model, plan, random.Inputs, 40, new RunOptions(BatchSize: 3, MaxInFlight: 6, RecordSpikes: true))
            {
                LinkInterceptor = (source, target, targetRef) =>
                    cluster[0].System.ActorOf(Props.Create(() => new DelayingRelay(targetRef, (31 * source) + target)), $"relay-{topology}-{source}-{target}-{relays++}"),
            };
            var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);
            ResultAssert.BitIdentical(reference, outcome.Result, $"topology {topology} with delayed links");
            Assert.True(relays > 0);
        }
    }

    [Fact]
    public async Task A_corrupt_or_forged_spike_message_is_dropped_and_the_run_stays_exact()
    {
        await using var cluster = await InProcessCluster.StartAsync(1);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 400;
        var (model, inputs) = SmallConvNet.Create(samples, 31);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples);
        var plan = PartitionPlanner.Plan(model.Network, "2");
        var progressed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = ClusterRuntime.RunAsync(cluster[0].System,
            new RunRequest("forged", model, plan, inputs, samples, new RunOptions(BatchSize: 4, MaxInFlight: 3)) { LinkInterceptor = SlowLinks.On(cluster[0].System, "forged") },
            workers, new AfterProgress(20, progressed));
        await progressed.Task.WaitAsync(TimeSpan.FromMinutes(2));

        // Partition 2 (stage 1) receives from partitions 0 and 1. A payload that does not decode, and one that
        // decodes but carries a neuron outside partition 0's route (its channels are 0..2 of 6), for a batch in
        // the future: both must be dropped without touching the batch.
        var target = await Eventually.ResolveAsync(cluster[0].System, "/user/node-agent/forged-p2-*", TimeSpan.FromSeconds(30));
        target.Tell(new Protocol.SpikeBatchMessage("forged", 90, 0, 0, 2, 4, 1, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]), ActorRefs.NoSender);
        // Sample 0 holds one spike of neuron 149, the last of channel 5 (of the 6 x 5 x 5 pooled outputs): partition 1's.
        var foreign = new SpikeBatch([0, 1, 1, 1, 1], [(6 * 5 * 5) - 1], [3]);
        target.Tell(new Protocol.SpikeBatchMessage("forged", 91, 0, 0, 2, 4, 1, Core.Distributed.SpikeCodec.Encode(foreign)), ActorRefs.NoSender);

        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(2));
        ResultAssert.BitIdentical(reference, outcome.Result, "after two forged messages");
        Assert.Empty(outcome.Restarts);
        await Eventually.UntilAsync(() => cluster.ErrorsOf(0).Count(e => e.Message.ToString()!.Contains("dropped a message", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(10), "partition 2 logged both drops");
    }

    [Fact]
    public async Task A_layer_larger_than_one_weight_chunk_is_deployed_in_chunks_and_runs_exactly()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await cluster.StartWorkersAsync();
        // 784 x 700 = 548,800 weights: three chunks of at most 262,144 values for the first layer's partition.
        var network = ArchitectureParser.Build("d700-d10", TensorShape.Image(1, 28, 28));
        Assert.True(network.Stages[0].WeightCount > 2 * Protocol.FrameBudget.MaxWeightChunkValues);
        var model = RandomModel.Create(network, 4);
        var rng = new Random(4);
        var inputs = new float[30 * 784];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = rng.NextDouble() < 0.7 ? 0 : (float)rng.NextDouble();
        var reference = new EventDrivenSimulator().Run(model, inputs, 30, new SimulationOptions(RecordSpikes: true));
        var plan = PartitionPlanner.Plan(network);
        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, new RunRequest("chunks", model, plan, inputs, 30, new RunOptions(BatchSize: 7, RecordSpikes: true)), workers).WaitAsync(RunTimeout);
        ResultAssert.BitIdentical(reference, outcome.Result, "chunked deployment");
    }
}
