using Akka.Actor;
using AkkaTtfs.Cluster.Actors;
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
/// The in-process shortcut of the data plane (<see cref="InProcessSpikes"/>) as production runs it, serialize-messages
/// off: a partition sends its spikes themselves to a partition of its own actor system and an encoded payload otherwise
/// (or always, with serialize-messages on or the flag off), the spikes being the ones Core's processor computes here;
/// whole runs on 1 and 2 nodes stay bit-identical to the reference computed here, and record the payload bytes Core's
/// message-passing engine computes for every link, local or not.
/// </summary>
public class InProcessSpikesRuntimeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static Task<InProcessCluster> StartAsync(int nodes, bool serialize, bool shortcut) =>
        InProcessCluster.StartAsync(nodes, customize: (_, o) => o with
        {
            SerializeMessages = serialize,
            ExtraHocon = o.ExtraHocon + $"\n{PartitionActor.InProcessSpikesKey} = {(shortcut ? "on" : "off")}",
        });

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task A_partition_sends_its_spikes_themselves_to_a_local_target_only_when_nothing_serializes_local_sends(bool serialize, bool shortcut)
    {
        await using var cluster = await StartAsync(1, serialize, shortcut);
        ClusterRuntime.StartNodeAgent(cluster[0].System);
        var network = ArchitectureParser.Build("d12-d3", TensorShape.Vector(5));
        var model = RandomModel.Create(network, 8, positiveShift: 1.0);
        var plan = PartitionPlanner.Plan(network, "1,1");     // p0 (hidden) -> p1 (output)
        const int n = 6;
        var inputs = Enumerable.Range(0, n * 5).Select(i => ((i * 7) % 11) / 10f).ToArray();
        var input = Assert.Single(new BatchInjector(model, plan).Prepare(inputs, n));

        // What p0 sends p1, computed here by Core's processor on the encoded path.
        var reference = new PartitionProcessor(plan, 0, new StageKernel(model, 0, plan.Partitions[0].Block), model.InputMode);
        var expected = Assert.Single(reference.AcceptAnalog(new BatchKey(0, 0), n, input.Payload, 0)!.Sends);
        Assert.True(expected.SpikeCount > 0, "the test needs spikes on the link");

        var run = "run-" + Guid.NewGuid().ToString("N");
        var (coordinator, replies) = CoordinatorRelay.Start(cluster, 0);
        var agent = await cluster[0].System.ActorSelection("/user/" + NodeAgent.Name).ResolveOne(Wait);
        coordinator.Tell(new CoordinatorRelay.Send(agent, new SpawnPartitions(run, [0])));
        var partition = Assert.Single(replies.ExpectMsg<PartitionsSpawned>(Wait).Refs);
        var setup = PartitionSetup.For(model, plan, 0);
        var parameters = PartitionSetup.Parameters(model, plan, 0);
        var (weights, biases) = (parameters[..setup.WeightCount], parameters[setup.WeightCount..]);
        coordinator.Tell(new CoordinatorRelay.Send(partition, new DeployPartition(run, 0, setup.Architecture, setup.InputShape, setup.T, setup.PartitionSpec,
            PartitionSetup.InputModeName(setup.InputMode), setup.KernelTaus, setup.KernelTds, setup.WeightCount, setup.BiasCount,
            WeightAssembly.Sha256Hex(weights, biases), false, n, "")));
        foreach (var chunk in WeightChunks.Split(run, 0, weights, biases)) coordinator.Tell(new CoordinatorRelay.Send(partition, chunk));
        replies.FishForMessage(m => m is DeployComplete, Wait);
        var target = cluster.CreateProbe(0);       // stands in for p1, in the partition's own actor system
        var collector = cluster.CreateProbe(0);
        coordinator.Tell(new CoordinatorRelay.Send(partition, new WirePartition(run, 0, [1], [target.Ref], collector.Ref)));
        replies.FishForMessage(m => m is PartitionReady, Wait);

        partition.Tell(new AnalogInputMessage(run, 0, 0, 0, n, input.Payload) { SentMs = 1 }, ActorRefs.NoSender);

        var message = target.ReceiveOne(Wait);
        if (!serialize && shortcut)
        {
            var local = Assert.IsType<InProcessSpikes>(message);
            Assert.Equal((run, 0, 0, 0, 1, n), (local.RunId, local.BatchId, local.Attempt, local.SourcePartition, local.TargetPartition, local.SampleCount));
            Assert.Equal(expected.Payload, SpikeCodec.Encode(local.Spikes));      // the same spikes, whatever their form
            Assert.Equal(expected.Payload.Length, local.PayloadBytes);
        }
        else
        {
            var wire = Assert.IsType<SpikeBatchMessage>(message);
            Assert.Equal(expected.Payload, wire.Payload);
            Assert.Equal(expected.SpikeCount, wire.SpikeCount);
        }

        var report = collector.ExpectMsg<PartitionBatchReport>(Wait);
        Assert.Equal([1], report.LinkTargets);
        Assert.Equal([(long)expected.Payload.Length], report.LinkBytes);    // counted as the payload it would have been
        Assert.Equal([(long)expected.SpikeCount], report.LinkSpikes);
        coordinator.Tell(new CoordinatorRelay.Send(partition, new StopPartition(run, 0)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Runs_with_the_shortcut_are_bit_identical_to_the_reference_and_record_every_links_payload(int nodes)
    {
        await using var cluster = await StartAsync(nodes, serialize: false, shortcut: true);
        var workers = await cluster.StartWorkersAsync();
        var rng = new Random(510 + nodes);
        for (var trial = 0; trial < 3; trial++)
        {
            var count = rng.Next(20, 60);
            var random = RandomNetworks.Create(rng.Next(RandomNetworks.Topologies.Count), trial % 2 == 0 ? InputMode.Analog : InputMode.Ttfs, 5100 + (10 * nodes) + trial, count);
            var model = random.Model;
            var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 4, 2, 1));
            var options = new RunOptions(BatchSize: rng.Next(1, 17), MaxInFlight: rng.Next(1, 9), RecordSpikes: true, StallTimeout: TimeSpan.FromSeconds(60));
            var request = new RunRequest($"in-process-{nodes}-{trial}", model, plan, random.Inputs, count, options);

            var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);

            var what = $"{nodes} nodes, trial {trial}, {random.Description}, plan {plan.Describe()}, {options}";
            var reference = new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(16, RecordSpikes: true));
            ResultAssert.BitIdentical(reference, outcome.Result, what);
            var engine = new MessagePassingSimulator();
            Assert.NotNull(engine.Run(model, random.Inputs, count, new SimulationOptions(options.BatchSize, Partitions: plan)));
            var recorded = outcome.Links.ToDictionary(l => (l.SourceId, l.TargetId));
            Assert.Equal(engine.Traffic.Count, recorded.Count);
            foreach (var link in engine.Traffic)
            {
                Assert.True(recorded.TryGetValue((link.SourceId, link.TargetId), out var r), $"{what}: link {link.SourceId}->{link.TargetId} not recorded");
                Assert.True((r.Messages, r.Spikes, r.PayloadBytes) == (link.Messages, link.Spikes, link.PayloadBytes), $"{what}: {link} recorded as {r}");
            }

            var trace = Assert.IsType<RunTrace>(outcome.Trace);
            Assert.All(trace.Links.Where(l => !l.CrossProcess), l => Assert.Equal(0, l.WireBytes));
            Assert.Equal(engine.Traffic.Sum(l => l.PayloadBytes), TraceAggregation.LinkTotals(trace.Links).Sum(t => t.PayloadBytes));
            output.WriteLine($"{what}: {outcome.Links.Count} links, {trace.Links.Count(l => l.CrossProcess)} of {trace.Links.Count} link messages across nodes");
        }
    }
}
