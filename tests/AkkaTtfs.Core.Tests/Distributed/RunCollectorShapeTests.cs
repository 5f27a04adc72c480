using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>The collector refuses a report whose sizes do not fit its partition and batch, before it counts.</summary>
public class RunCollectorShapeTests
{
    // d4-d3 on 5 inputs, split "2,1": partitions 0 and 1 hold 2 hidden neurons each, partition 2 the 3 outputs.
    private static (RunCollector Collector, RunLedger Ledger) Create()
    {
        var network = ArchitectureParser.Build("d4-d3", TensorShape.Vector(5));
        var model = RandomModel.Create(network, 1);
        var plan = PartitionPlanner.Plan(network, "2,1");
        var ledger = new RunLedger(sampleCount: 3, batchSize: 2, maxInFlight: 2);
        ledger.TakeSendable();
        return (new RunCollector(model, plan, ledger, recordSpikes: false), ledger);
    }

    private static PartitionReport Report(int partition, int samples, float[]? potentials) =>
        new(partition, new BatchKey(0, 0), samples, 1, 2, 0, potentials, null, []);

    [Fact]
    public void Well_formed_reports_of_every_partition_complete_the_batch()
    {
        var (collector, ledger) = Create();
        Assert.False(collector.Accept(Report(0, 2, null)));
        Assert.False(collector.Accept(Report(1, 2, null)));
        Assert.True(collector.Accept(Report(2, 2, new float[6])));
        Assert.True(ledger.IsDone(0));
    }

    [Theory]
    [InlineData(2, 2, 5, "5 potentials, expected 2 x 3")]
    [InlineData(2, 2, -1, "no output potentials from an output partition")]
    [InlineData(0, 2, 4, "output potentials from a hidden partition")]
    [InlineData(0, 1, -1, "1 samples, batch 0 has 2")]
    [InlineData(3, 2, -1, "the plan has 0..2")]
    public void A_report_that_does_not_fit_is_refused_and_changes_nothing(int partition, int samples, int potentials, string expected)
    {
        var (collector, ledger) = Create();
        var ex = Assert.Throws<ArgumentException>(() => collector.Accept(Report(partition, samples, potentials < 0 ? null : new float[potentials])));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        // The batch still completes with well-formed reports: the refused one was not counted.
        Assert.False(collector.Accept(Report(0, 2, null)));
        Assert.False(collector.Accept(Report(1, 2, null)));
        Assert.True(collector.Accept(Report(2, 2, new float[6])));
        Assert.True(ledger.IsDone(0));
    }
}
