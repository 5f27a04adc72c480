using AkkaTtfs.Core.Engines;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>The one per-batch report message carries Core's PartitionReport field for field, both ways.</summary>
public class PartitionBatchReportTests
{
    [Fact]
    public void Core_report_to_wire_and_back_keeps_every_field()
    {
        var faults = FaultCounters.FromArray([.. Enumerable.Range(1, FaultCounters.Names.Count).Select(i => (long)i * 3)]);
        var report = new PartitionReport(4, new BatchKey(7, 2), 3, 11, 22, 33, [1f, -0f, 2.5f], [0, -1, 5],
            [new LinkTraffic(4, 6, 1, 9, 100), new LinkTraffic(4, 8, 1, 0, 12)], faults, 44);

        var wire = PartitionBatchReport.From("run", report);
        var back = wire.ToReport();

        Assert.Equal(("run", 7, 2, 4, 3), (wire.RunId, wire.BatchId, wire.Attempt, wire.PartitionId, wire.SampleCount));
        Assert.Equal((report.PartitionId, report.Key, report.SampleCount, report.Spikes, report.SynOps, report.AnalogEvents, report.SpikesDelivered),
            (back.PartitionId, back.Key, back.SampleCount, back.Spikes, back.SynOps, back.AnalogEvents, back.SpikesDelivered));
        Assert.Equal(report.Potentials!.Select(BitConverter.SingleToInt32Bits), back.Potentials!.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(report.LocalTimes, back.LocalTimes);
        Assert.Equal(report.Links, back.Links);
        Assert.True(report.Faults == back.Faults);
    }

    [Fact]
    public void Absent_potentials_spike_times_and_fault_counts_travel_as_empty_arrays_and_come_back_absent()
    {
        var report = new PartitionReport(1, new BatchKey(0, 0), 2, 5, 6, 0, null, null, []);
        var wire = PartitionBatchReport.From("run", report);
        Assert.Empty(wire.Potentials);
        Assert.Empty(wire.LocalTimes);
        Assert.Empty(wire.FaultCounters);
        var back = wire.ToReport();
        Assert.Null(back.Potentials);
        Assert.Null(back.LocalTimes);
        Assert.True(back.Faults.IsZero);
    }
}
