using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// Messages larger than the 4 MiB remoting frame, over a real connection between two ActorSystems: a 128-channel 28x28 conv
/// net (c128k3p-d10, 100,352 spiking neurons) whose spike batches at batch 256, and whose reports with spike times at batch 64
/// (what simulate --check-dnn records), are several MB; the runs complete bit-identical to the Core reference computed here,
/// and the traffic shows the messages really were larger than a frame. And Akka.Remote dropping a message for its size fails
/// the run at once, naming the message, its size and the limit.
/// </summary>
public sealed class FrameSplitTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The issue's network: 128 channels on 28x28 ("same" padding), random weights (seeded), inputs with 40% zeros.</summary>
    private static (SnnModel Model, float[] Inputs) WideConvNet(int samples, int seed)
    {
        var network = ArchitectureParser.Build("c128k3p-d10", TensorShape.Image(1, 28, 28));
        var model = RandomModel.Create(network, seed, t: 16);
        var rng = new Random(seed);
        var inputs = new float[samples * 784];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = rng.NextDouble() < 0.4 ? 0 : (float)rng.NextDouble();
        return (model, inputs);
    }

    /// <summary>
    /// The workers in the order that puts the conv partition (0) on the node without the coordinator (placement is Core's,
    /// by work), so its spike batches to the dense partition AND its reports to the coordinator cross the wire.
    /// </summary>
    private static async Task<IReadOnlyList<WorkerNode>> WorkersConvAwayFromCoordinatorAsync(InProcessCluster cluster, PartitionPlan plan)
    {
        var workers = await cluster.StartWorkersAsync();
        var self = cluster[0].SelfAddress.ToString();
        var (coordinator, other) = (workers.Single(w => w.Address == self), workers.Single(w => w.Address != self));
        return Placement.Assign(plan, 2)[0] == 0 ? [other, coordinator] : [coordinator, other];
    }

    [Fact]
    public async Task Spike_batches_larger_than_a_frame_arrive_in_parts_and_the_run_is_bit_identical()
    {
        const int Samples = 512, Batch = 256;    // two batches of 256
        var (model, inputs) = WideConvNet(Samples, 11);
        var plan = PartitionPlanner.Plan(model.Network, "1,1");
        var reference = new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(Batch));
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await WorkersConvAwayFromCoordinatorAsync(cluster, plan);

        var request = new RunRequest("frames-256", model, plan, inputs, Samples, new RunOptions(BatchSize: Batch, MaxInFlight: 1, StallTimeout: TimeSpan.FromSeconds(90)));
        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);

        ResultAssert.BitIdentical(reference, outcome.Result, "c128k3p-d10 at batch 256 on two nodes");
        Assert.NotEqual(outcome.NodeOfPartition[0], outcome.NodeOfPartition[1]);
        Assert.NotEqual(cluster[0].SelfAddress.ToString(), outcome.Nodes[outcome.NodeOfPartition[0]]);
        var conv = outcome.Links.Single(l => l.SourceId == 0 && l.TargetId == 1);
        output.WriteLine($"conv -> dense: {conv.Messages} messages, {conv.Spikes} spikes, {conv.PayloadBytes} bytes; run {outcome.RunTime.TotalSeconds:F1} s");
        // On average, so at least one, a batch's spikes took more than a frame holds: sent whole, Akka.Remote would have dropped it.
        Assert.Equal(2, conv.Messages);
        Assert.True(conv.PayloadBytes / 2 > FrameBudget.MaxMessageBytes, $"{conv.PayloadBytes} bytes in 2 batches; the test needs batches larger than a frame ({FrameBudget.MaxMessageBytes})");
    }

    [Fact]
    public async Task Reports_with_spike_times_larger_than_a_frame_arrive_in_parts_and_every_spike_time_is_identical()
    {
        const int Samples = 100, Batch = 64;     // what simulate --check-dnn records (spike times) at --batch 64
        var (model, inputs) = WideConvNet(Samples, 12);
        var plan = PartitionPlanner.Plan(model.Network, "1,1");
        var reference = new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(Batch, RecordSpikes: true));
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await WorkersConvAwayFromCoordinatorAsync(cluster, plan);

        var request = new RunRequest("frames-times", model, plan, inputs, Samples,
            new RunOptions(BatchSize: Batch, MaxInFlight: 1, RecordSpikes: true, StallTimeout: TimeSpan.FromSeconds(90)));
        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);

        ResultAssert.BitIdentical(reference, outcome.Result, "c128k3p-d10 at batch 64 with spike times");
        Assert.Equal(ResultFields.None, reference.Compare(outcome.Result, ResultFields.Computation).NotRecorded);   // spike times were compared
        var convNode = outcome.NodeOfPartition[0];
        Assert.NotEqual(cluster[0].SelfAddress.ToString(), outcome.Nodes[convNode]);
        // The conv partition's report of a batch of 64: one spike time per neuron and sample, at least a byte each.
        Assert.True(64L * 128 * 28 * 28 > FrameBudget.MaxMessageBytes);
    }

    [Fact]
    public async Task A_message_that_Akka_Remote_drops_for_its_size_fails_the_run_at_once_naming_type_size_and_limit()
    {
        // A partition on node 1 whose run's coordinator (a stand-in) is on node 0.
        var run = "run-" + Guid.NewGuid().ToString("N");
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await cluster.StartWorkersAsync();
        var agent = workers.Single(w => w.Address == cluster[1].SelfAddress.ToString()).Agent;
        var (coordinator, probe) = CoordinatorRelay.Start(cluster, 0);
        coordinator.Tell(new CoordinatorRelay.Send(agent, new SpawnPartitions(run, [0])));
        probe.ExpectMsg<PartitionsSpawned>(TimeSpan.FromSeconds(20));

        // Node 1 sends something larger than a frame (not one of the messages the runtime splits): Akka.Remote drops it and logs.
        const int Size = 5_000_000;
        cluster.RefFrom(1, cluster.CreateProbe(0).Ref).Tell(new byte[Size]);

        var failed = probe.ExpectMsg<PartitionFailed>(TimeSpan.FromSeconds(20));
        output.WriteLine(failed.Reason);
        Assert.Contains("Byte[]", failed.Reason, StringComparison.Ordinal);
        Assert.Matches(@"of 50000\d\d bytes", failed.Reason);
        Assert.Contains($"limit is {FrameBudget.MaximumFrameSize} bytes", failed.Reason, StringComparison.Ordinal);
        coordinator.Tell(new CoordinatorRelay.Send(agent, new StopPartition(run, 0)));
    }
}
