using AkkaTtfs.App;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// The preflight of a cluster run refuses a batch whose largest message could not fit even in parts, naming it; the batch it
/// advises is checked here to pass and the next one to fail (its claim, not its arithmetic, is what is tested).
/// </summary>
public class FramePreflightTests
{
    private static readonly NetworkSpec Network = ArchitectureParser.Build("c128k3p-d10", TensorShape.Image(1, 28, 28));
    private static readonly PartitionPlan Plan = PartitionPlanner.Plan(Network, "1,1");

    [Fact]
    public void The_issue_batches_pass_and_a_batch_past_the_limit_is_refused_naming_message_link_size_and_the_largest_batch()
    {
        Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, 256, recordSpikes: false, faults: null);
        Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, 64, recordSpikes: true, faults: null);

        var ex = Assert.Throws<UsageException>(() => Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, 4096, recordSpikes: false, faults: null));
        Assert.StartsWith("--batch 4096: a SpikeBatchMessage (partition 0 -> partition 1) can take up to ", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"more than the {FrameBudget.MaxMergedBytes} bytes", ex.Message, StringComparison.Ordinal);
        var advised = int.Parse(System.Text.RegularExpressions.Regex.Match(ex.Message, @"use --batch (\d+) or less").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, advised, recordSpikes: false, faults: null);
        Assert.Throws<UsageException>(() => Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, advised + 1, recordSpikes: false, faults: null));
        // The worst case really exceeds it: 4096 samples x 100,352 neurons spike, at least 2 bytes each (index and time).
        Assert.True(4096L * 100_352 * 2 > FrameBudget.MaxMergedBytes);
    }

    [Fact]
    public void Duplicated_spikes_and_recorded_spike_times_count()
    {
        var duplicates = FaultPlan.Parse("""{ "faults": [ { "kind": "duplicate", "layer": 0, "rate": 0.1 } ] }""");
        var plain = Advised(() => Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, 100_000, recordSpikes: false, faults: null));
        var copies = Advised(() => Preflight.CheckFrames(Network, Plan, InputMode.Analog, 32, 100_000, recordSpikes: false, faults: duplicates));
        Assert.True(copies < plain, $"with copies {copies}, without {plain}");
        var times = Advised(() => Preflight.CheckFrames(Network, PartitionPlanner.Plan(Network, "c4,1"), InputMode.Analog, 300, 100_000, recordSpikes: true, faults: null));
        var noTimes = Advised(() => Preflight.CheckFrames(Network, PartitionPlanner.Plan(Network, "c4,1"), InputMode.Analog, 300, 100_000, recordSpikes: false, faults: null));
        Assert.True(times < noTimes, $"with spike times {times}, without {noTimes}");
    }

    private static int Advised(Action check)
    {
        var ex = Assert.Throws<UsageException>(check);
        return int.Parse(System.Text.RegularExpressions.Regex.Match(ex.Message, @"use --batch (\d+) or less").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
