using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>
/// The paper's CIFAR-10 network (vgg16, 15 M parameters) with calibrated random weights on synthetic CIFAR-shaped
/// images, on 3 ActorSystems over loopback (serialize-messages on): every spike, prediction and output potential
/// bit-identical to the Core reference computed here. Few samples and small batches: the widest stages' spike
/// batches stay well inside the 4 MiB frame, and the test stays short on a loaded 2-core machine.
/// </summary>
public class Vgg16ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>
    /// A mixed plan: channel slices, a row tiling and whole layers, 21 partitions spread over the 3 nodes, so that
    /// spikes cross node boundaries between every kind of cut.
    /// </summary>
    [Fact]
    public async Task Vgg16_on_three_nodes_matches_the_reference_bit_for_bit()
    {
        const string partitions = "c2,t2x1,1,c2,1,1,1,c2,1,1,1,1,1,1,c2,1";
        const int samples = 4;
        const int batch = 2;
        var data = SyntheticCifar.Create(8, samples);
        var network = ArchitectureParser.Build("vgg16", data.Train.SampleShape);
        var model = SpikeRateCalibration.Create(network, data.Train, seed: 1, sampleCount: 4).Model;
        var inputs = data.Test.NormaliseRange(0, samples, model.Normalisation);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(BatchSize: samples, RecordSpikes: true));
        Assert.All(reference.SpikesPerStage, s => Assert.True(s > 0, "a silent layer would make the comparison weak"));

        await using var cluster = await InProcessCluster.StartAsync(3);
        var workers = await cluster.StartWorkersAsync();
        var plan = PartitionPlanner.Plan(network, partitions);
        var options = new RunOptions(BatchSize: batch, MaxInFlight: 2, RecordSpikes: true, StallTimeout: TimeSpan.FromMinutes(2));
        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, new RunRequest($"vgg16-{plan.Partitions.Count}", model, plan, inputs, samples, options), workers)
            .WaitAsync(RunTimeout);

        ResultAssert.BitIdentical(reference, outcome.Result, $"vgg16 on 3 nodes, plan {plan.Describe()}, batch {batch}");
        Assert.Equal(21, plan.Partitions.Count);
        Assert.Equal(3, outcome.NodeOfPartition.Distinct().Count());
        output.WriteLine($"vgg16, {plan.Partitions.Count} partitions on 3 nodes: deploy {outcome.DeployTime.TotalSeconds:F2} s, run {outcome.RunTime.TotalSeconds:F2} s, " +
                         $"spikes/sample {reference.SpikesPerSample:F0}, process peak working set {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
    }
}
