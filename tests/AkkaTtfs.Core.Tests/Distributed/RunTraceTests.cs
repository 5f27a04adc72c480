using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>The trace's records and the pure functions over them, with expectations computed here.</summary>
public class RunTraceTests
{
    [Fact]
    public void Clock_offset_comes_from_the_ping_pong_with_the_shortest_round_trip()
    {
        // The node's clock runs 1000 ms ahead. Sample 2 is fastest (RTT 2 ms, symmetric), the others are queued asymmetrically.
        const double truth = 1000;
        ClockSample[] samples =
        [
            new(10, 10 + 9 + truth, 10 + 9 + 1),      // RTT 10, the answer read late: biased estimate
            new(30, 30 + 1 + truth, 30 + 2),          // RTT 2
            new(50, 50 + 0.5 + truth, 50 + 6),        // RTT 6
        ];

        var offset = ClockOffset.Estimate(3, samples);

        Assert.Equal(3, offset.Node);
        Assert.Equal(truth, offset.OffsetMs, 9);               // 1031 - (30 + 32) / 2
        Assert.Equal(1, offset.UncertaintyMs, 9);
        Assert.Equal(30 + 1, offset.ToLocal(30 + 1 + truth), 9);
        // Whatever the split of the round trip, the truth lies within the uncertainty.
        var skewed = ClockOffset.Estimate(0, [new ClockSample(0, 0.1 + truth, 4)]);
        Assert.InRange(truth, skewed.OffsetMs - skewed.UncertaintyMs, skewed.OffsetMs + skewed.UncertaintyMs);
        Assert.NotEqual(truth, skewed.OffsetMs);
    }

    [Fact]
    public void Clock_offset_refuses_no_samples_and_answers_before_questions()
    {
        Assert.Throws<ArgumentException>(() => ClockOffset.Estimate(1, []));
        Assert.Throws<ArgumentException>(() => ClockOffset.Estimate(1, [new ClockSample(5, 7, 4)]));
        Assert.Throws<ArgumentException>(() => ClockOffset.Estimate(1, [new ClockSample(5, double.NaN, 6)]));
    }

    private static PartitionReport Report(int partition, int batch, int attempt, double doneMs, params InputRecord[] inputs) =>
        new(partition, new BatchKey(batch, attempt), 2, 0, 0, 0, null, null, [], Trace: new PartitionBatchTrace(inputs, 1.5, 2.5, 3.5, doneMs));

    private static InputRecord Input(int source, long spikes, long payload, double sent, double arrived, double handled, long wire) =>
        new(source, spikes, payload, new MessageStamp(sent, arrived, handled, wire));

    [Fact]
    public void A_report_becomes_one_row_per_input_and_one_for_the_partition_on_the_coordinators_clock()
    {
        var trace = new RunTrace(1, 4);
        // Node 1's clock is 500 ms ahead of the coordinator's, node 0 shares it; the run started at 100 ms.
        var offsets = new Dictionary<int, ClockOffset> { [-1] = ClockOffset.Same(-1), [0] = ClockOffset.Same(0), [1] = new(1, 500, 0.2) };
        var nodeOf = new Dictionary<int, int> { [-1] = -1, [0] = 1, [1] = 0 };
        var report = Report(2, 7, 0, 520 + 500,
            Input(0, 5, 12, sent: 110 + 500, arrived: 111 + 500, handled: 113 + 500, wire: 80),    // from p0 on node 1: local
            Input(1, 3, 9, sent: 112, arrived: 115 + 500, handled: 116 + 500, wire: 70));          // from p1 on node 0: remote

        Assert.True(trace.Record(report, stage: 1, node: 1, s => nodeOf[s], n => offsets[n], originMs: 100));

        Assert.Equal(2, trace.Links.Count);
        var local = trace.Links[0];
        Assert.Equal((7, 0, 0, 2, 1, 1, false, 5L, 12L, 0L), (local.Batch, local.Attempt, local.Source, local.Target, local.SourceNode, local.TargetNode, local.CrossProcess, local.Spikes, local.PayloadBytes, local.WireBytes));
        Assert.Equal(10, local.SentMs, 9);
        Assert.Equal(13, local.ReceivedMs, 9);
        var remote = trace.Links[1];
        Assert.Equal((0, 1, true, 70L), (remote.SourceNode, remote.TargetNode, remote.CrossProcess, remote.WireBytes));
        Assert.Equal(12, remote.SentMs, 9);
        Assert.Equal(16, remote.ReceivedMs, 9);
        Assert.Equal(4, remote.LatencyMs, 9);
        var p = Assert.Single(trace.Partitions);
        Assert.Equal((2, 1, 7, 0, 1), (p.Partition, p.Stage, p.Batch, p.Attempt, p.Node));
        Assert.Equal(13, p.FirstInputMs, 9);
        Assert.Equal(16, p.LastInputMs, 9);
        Assert.Equal(3, p.WaitMs, 9);
        Assert.Equal(2 + 1, p.MailboxDelayMs, 9);
        Assert.Equal(420, p.DoneMs, 9);
        Assert.Equal(1.5 + 2.5 + 3.5, p.BusyMs, 9);
        Assert.False(trace.Record(report with { Trace = null }, 1, 1, s => nodeOf[s], n => offsets[n], 100));
        Assert.Equal(2, trace.Links.Count);
    }

    [Fact]
    public void After_a_rehoming_traffic_is_booked_where_it_happened_and_replays_apart()
    {
        // Partition 1 runs on node 1 for batch 0, is lost, and replays batch 0 (attempt 1) and runs batch 1 on node 2.
        var trace = new RunTrace(0, 1);
        var node = 1;
        int NodeOf(int s) => s == 1 ? node : 0;
        ClockOffset Clock(int n) => ClockOffset.Same(n);
        trace.Record(Report(2, 0, 0, 5, Input(1, 10, 20, 1, 1, 2, 100)), 1, 0, NodeOf, Clock, 0);
        node = 2;
        trace.Record(Report(2, 0, 1, 9, Input(1, 10, 20, 6, 6, 7, 101)), 1, 0, NodeOf, Clock, 0);
        trace.Record(Report(2, 1, 0, 12, Input(1, 4, 8, 10, 10, 11, 90)), 1, 0, NodeOf, Clock, 0);

        var nodes = TraceAggregation.NodeMatrix(trace.Links);
        Assert.Equal([new TrafficCell(1, 0, 1, 10, 20, 100), new TrafficCell(2, 0, 2, 14, 28, 191)], nodes);
        var partitions = TraceAggregation.PartitionMatrix(trace.Links);
        Assert.Equal([new TrafficCell(1, 2, 3, 24, 48, 291)], partitions);
        var link = Assert.Single(TraceAggregation.LinkTotals(trace.Links));
        Assert.Equal(new LinkTotal(1, 2, 2, 0, true, 2, 14, 28, 291, 1, 10, 20), link);
        Assert.Equal((1L, 20L), TraceAggregation.Replays(trace.Links));
        var total = Assert.Single(TraceAggregation.PartitionTotals(trace.Partitions));
        Assert.Equal((2, 1, 0, 3), (total.Partition, total.Stage, total.Node, total.Batches));
        Assert.Equal(3 * 7.5, total.BusyMs, 9);
        Assert.Equal([9.0 - 1, 12.0 - 10], TraceAggregation.BatchLatencies(trace.Links, trace.Partitions));
    }

    [Fact]
    public void In_flight_samples_keep_changes_only_and_add_up_the_time_blocked_on_credit()
    {
        var trace = new RunTrace(0, 1);
        trace.Add(new InFlightSample(0, 4, 0, true));
        trace.Add(new InFlightSample(2, 4, 0, true));     // no change: not a row, still blocked
        trace.Add(new InFlightSample(5, 3, 64, false));
        trace.Add(new InFlightSample(6, 4, 64, true));
        trace.Add(new InFlightSample(6.5, 0, 128, false));
        Assert.Equal(4, trace.InFlight.Count);
        Assert.Equal(5 + 0.5, trace.CreditBlockedMs, 9);
        Assert.Throws<ArgumentException>(() => trace.Add(new InFlightSample(1, 0, 0, false)));
    }

    public static TheoryData<int, InputMode> Cases => RandomNetworks.TopologiesAndInputModes;

    /// <summary>
    /// The per-step spike histogram the kernel counts as it fires equals the reference run's recorded spike times
    /// binned here, per stage, on a random plan; and a processor's batch timing lists every stamped input.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_histograms_of_partitions_add_up_to_the_references_spike_time_profile(int topology, InputMode inputMode)
    {
        var rng = new Random(5200 + (topology * 2) + (int)inputMode);
        var count = rng.Next(1, 20);
        var random = RandomNetworks.Create(topology, inputMode, 77 + topology, count);
        var model = random.Model;
        var reference = new EventDrivenSimulator().Run(model, random.Inputs, count, new SimulationOptions(64, RecordSpikes: true));
        var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 4, 3, 2));
        var processors = plan.Partitions.Select(p => PartitionSetup.For(model, plan, p.Id).Build(PartitionSetup.Parameters(model, plan, p.Id), false, null)).ToArray();
        var expected = model.Network.Stages.Take(model.Network.Stages.Count - 1).Select((_, stage) =>
        {
            var counts = new long[model.T];
            foreach (var t in reference.SpikeTimes![stage]) if (t >= 0) counts[t]++;
            return counts;
        }).ToArray();

        var trace = new RunTrace(expected.Length, model.T);
        var key = new BatchKey(0, 0);
        var queue = new Queue<(int Target, int Source, bool Analog, byte[] Payload)>(
            new BatchInjector(model, plan).Prepare(random.Inputs, count).Select(s => (s.TargetId, PartitionPlan.InputSource, s.IsAnalog, s.Payload)));
        var stamp = new MessageStamp(1, 2, 3, 4);
        while (queue.TryDequeue(out var m))
        {
            var processor = processors[m.Target];
            var output = m.Analog ? processor.AcceptAnalog(key, count, m.Payload, 0, stamp) : processor.AcceptSpikes(key, m.Source, count, m.Payload, 0, stamp);
            if (output is null) continue;
            foreach (var send in output.Sends) queue.Enqueue((send.TargetId, m.Target, false, send.Payload));
            var timing = Assert.IsType<BatchTiming>(output.Timing);
            Assert.Equal(processor.Inputs.Select(r => r.SourceId).Order(), timing.Inputs.Select(i => i.SourceId).Order());
            Assert.All(timing.Inputs, i => Assert.Equal(stamp, i.Stamp));
            Assert.True(timing.DecodeTicks >= 0 && timing.IntegrateTicks >= 0 && timing.FireEncodeTicks >= 0);
            if (output.StepSpikes is { } steps)
            {
                Assert.Equal(output.Spikes, steps.Sum());
                trace.AddStepSpikes(processor.Partition.Stage, steps);
            }
        }

        for (var stage = 0; stage < expected.Length; stage++) Assert.Equal(expected[stage], trace.StepSpikes[stage]);
        Assert.Equal(TrafficModel.SpikeTimeProfile(reference).Select(p => p.ToArray()), trace.StepSpikes.Select(p => p.ToArray()));
    }
}
