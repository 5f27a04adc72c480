using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Serialization;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// The traffic a cluster run records, against values computed here: Core's message-passing engine for the spikes
/// and payload of every link, the data-plane serializer for the bytes on the wire, the reference's spike times for
/// the per-step histogram; and, after a crash, replays recorded as replays on the node where they ran.
/// </summary>
public class TrafficTraceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(InputMode.Analog)]
    [InlineData(InputMode.Ttfs)]
    public async Task A_three_node_run_records_every_links_spikes_bytes_and_wire_bytes_exactly(InputMode inputMode)
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var workers = await cluster.StartWorkersAsync();
        var rng = new Random(9100 + (int)inputMode);
        const int count = 37;
        var random = RandomNetworks.Create(2, inputMode, 4242 + (int)inputMode, count);
        var model = random.Model;
        var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 4, 2, 1));
        var options = new RunOptions(BatchSize: 5, MaxInFlight: 3, StallTimeout: TimeSpan.FromSeconds(60));
        var request = new RunRequest($"trace-{inputMode}", model, plan, random.Inputs, count, options);

        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, request, workers).WaitAsync(RunTimeout);

        var trace = Assert.IsType<RunTrace>(outcome.Trace);
        var what = $"{random.Description}, plan {plan.Describe()}";
        // Spikes, messages and payload per link: Core's message-passing engine on the same plan and batches.
        var engine = new MessagePassingSimulator();
        var expected = engine.Run(model, random.Inputs, count, new SimulationOptions(options.BatchSize, Partitions: plan));
        Assert.NotNull(expected);
        var totals = TraceAggregation.LinkTotals(trace.Links).ToDictionary(t => (t.Source, t.Target));
        Assert.Equal(engine.Traffic.Count, totals.Count);
        foreach (var link in engine.Traffic)
        {
            Assert.True(totals.TryGetValue((link.SourceId, link.TargetId), out var t), $"{what}: link {link.SourceId}->{link.TargetId} not recorded");
            Assert.True((t.Messages, t.Spikes, t.PayloadBytes) == (link.Messages, link.Spikes, link.PayloadBytes), $"{what}: {link} recorded as {t}");
            Assert.Equal(0, t.ReplayMessages);
        }

        // Wire bytes: what the serializer makes of the same message (payload bytes of the same length), local links 0.
        var serializer = (DataPlaneSerializer)cluster[0].System.Serialization.FindSerializerForType(typeof(SpikeBatchMessage));
        var batchSizes = Enumerable.Range(0, (count + options.BatchSize - 1) / options.BatchSize).Select(b => Math.Min(options.BatchSize, count - (b * options.BatchSize))).ToArray();
        foreach (var row in trace.Links)
        {
            Assert.Equal(row.SourceNode != row.TargetNode, row.CrossProcess);
            Assert.Equal(row.Source == PartitionPlan.InputSource ? outcome.CoordinatorNode : outcome.NodeOfPartition[row.Source], row.SourceNode);
            Assert.Equal(outcome.NodeOfPartition[row.Target], row.TargetNode);
            if (!row.CrossProcess)
            {
                Assert.Equal(0, row.WireBytes);
                continue;
            }

            var payload = new byte[row.PayloadBytes];
            object message = row.Source == PartitionPlan.InputSource && model.InputMode == InputMode.Analog
                ? new AnalogInputMessage(request.RunId, row.Batch, row.Attempt, row.Target, batchSizes[row.Batch], payload) { SentMs = 1 }
                : new SpikeBatchMessage(request.RunId, row.Batch, row.Attempt, row.Source, row.Target, batchSizes[row.Batch], (int)row.Spikes, payload) { SentMs = 1 };
            Assert.Equal(serializer.ToBinary(message).Length, row.WireBytes);
        }

        Assert.Contains(trace.Links, r => r.CrossProcess);
        // Per-step spikes: the reference's recorded spike times binned.
        var reference = new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(16, RecordSpikes: true));
        Assert.Equal(TrafficModel.SpikeTimeProfile(reference).Select(p => p.ToArray()), trace.StepSpikes.Select(p => p.ToArray()));
        // One partition row per partition and batch; times in order; clocks of one process agree within the estimate's uncertainty.
        Assert.Equal(plan.Partitions.Count * batchSizes.Length, trace.Partitions.Count);
        Assert.All(trace.Partitions, p => Assert.True(p.FirstInputMs <= p.LastInputMs && p.LastInputMs <= p.DoneMs + 1e-6 && p.BusyMs >= 0, $"{p}"));
        Assert.Equal(outcome.NodeOfPartition.Distinct().Order(), trace.ClockOffsets.Select(o => o.Node));
        Assert.All(trace.ClockOffsets, o => Assert.True(Math.Abs(o.OffsetMs) <= o.UncertaintyMs + 1e-9, $"{o}"));
        Assert.NotEmpty(trace.InFlight);
        Assert.Equal(count, trace.InFlight[^1].CompletedSamples);
        output.WriteLine($"{what}: {trace.Links.Count} link rows, {trace.Partitions.Count} partition rows, offsets {string.Join(", ", trace.ClockOffsets)}");
    }

    [Fact]
    public async Task After_a_crash_the_replayed_traffic_is_recorded_as_replays_on_the_node_where_it_ran()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var workers = await cluster.StartWorkersAsync();
        const int samples = 600;
        var (model, inputs) = SmallConvNet.Create(samples, 5);
        var plan = PartitionPlanner.Plan(model.Network, "2");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new RunRequest("trace-crash", model, plan, inputs, samples, new RunOptions(BatchSize: 4, MaxInFlight: 3))
        {
            LinkInterceptor = SlowLinks.On(cluster[0].System, "trace-crash"),
        };
        var run = ClusterRuntime.RunAsync(cluster[0].System, request, workers, new AfterProgress(40, reached));
        await reached.Task.WaitAsync(RunTimeout);
        var victim = await FindPartitionAsync(cluster, "trace-crash-p2-*");
        victim.Tell(PoisonPill.Instance, ActorRefs.NoSender);

        var outcome = await run.WaitAsync(RunTimeout);

        Assert.True(outcome.ReplayedBatches > 0);
        var trace = Assert.IsType<RunTrace>(outcome.Trace);
        var replays = trace.Links.Where(r => r.IsReplay).ToArray();
        Assert.NotEmpty(replays);
        Assert.Equal((replays.LongLength, replays.Sum(r => r.PayloadBytes)), TraceAggregation.Replays(trace.Links));
        Assert.Contains(trace.Partitions, p => p.IsReplay);
        // Every batch completed once: the first attempts plus replays carry at least the engine's traffic.
        var engine = new MessagePassingSimulator();
        engine.Run(model, inputs, samples, new SimulationOptions(4, Partitions: plan));
        var totals = TraceAggregation.LinkTotals(trace.Links).ToDictionary(t => (t.Source, t.Target));
        foreach (var link in engine.Traffic)
            Assert.True(totals[(link.SourceId, link.TargetId)].Spikes + totals[(link.SourceId, link.TargetId)].ReplaySpikes >= link.Spikes, $"{link}");
        // Rows of partition 2 are booked to the node of the incarnation that produced them: each node that hosted it.
        var hosts = outcome.Restarts.Where(r => r.Partition == 2).Select(r => outcome.Nodes.ToList().IndexOf(r.Node)).Append(outcome.NodeOfPartition[2]).ToHashSet();
        Assert.All(trace.Partitions.Where(p => p.Partition == 2), p => Assert.Contains(p.Node, hosts));
        output.WriteLine($"{replays.Length} replayed link rows, restarts {string.Join(", ", outcome.Restarts)}");
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
