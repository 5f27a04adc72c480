using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

public class TrafficComparisonTests
{
    [Fact]
    public void Equal_links_pass_and_each_perturbed_count_or_link_is_named()
    {
        var network = NetworkSpec.Create(TensorShape.Image(1, 8, 8), ArchitectureParser.Parse("c4k3-p2-d10"));
        var model = RandomModel.Create(network, 5, positiveShift: 0.6);
        var plan = PartitionPlanner.Plan(network, "2,1");
        var count = 6;
        var inputs = Enumerable.Range(0, count * 64).Select(i => (float)((i * 13 % 29) / 28.0)).ToArray();
        var reference = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(4, RecordSpikes: true));
        var predicted = TrafficModel.Predict(model, plan, inputs, count, reference, 4);
        var measured = predicted.Links.Select(l => new LinkTraffic(l.SourceId, l.TargetId, l.Messages, l.Spikes, l.PayloadBytes)).ToList();
        Assert.True(predicted.TotalSpikes > 0);
        Assert.Null(TrafficComparison.FirstDifference(predicted, measured));

        var last = measured.Count - 1;
        var l = measured[last];
        Assert.Contains($"link {l.SourceId}->{l.TargetId}: measured {l.Spikes + 1} spikes, predicted {l.Spikes}",
            TrafficComparison.FirstDifference(predicted, [.. measured.Take(last), l with { Spikes = l.Spikes + 1 }]));
        Assert.Contains("messages", TrafficComparison.FirstDifference(predicted, [.. measured.Take(last), l with { Messages = l.Messages - 1 }]));
        Assert.Contains("payload bytes", TrafficComparison.FirstDifference(predicted, [.. measured.Take(last), l with { PayloadBytes = l.PayloadBytes + 1 }]));
        Assert.Contains("is predicted and was not measured", TrafficComparison.FirstDifference(predicted, [.. measured.Take(last)]));
        Assert.Contains("link 1->0 was measured and is not predicted", TrafficComparison.FirstDifference(predicted, [.. measured, new LinkTraffic(1, 0, 1, 0, 1)]));
        Assert.Contains("input->0", TrafficComparison.FirstDifference(predicted, [.. measured, measured[0]]));
    }
}
