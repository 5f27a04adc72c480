using AkkaTtfs.Core.Engines;
using System.Globalization;
using System.Text;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>Builds the typed report of a cluster run from its outcome, and writes links.csv.</summary>
public static class RunReports
{
    public static RunReport Build(SnnModel model, PartitionPlan plan, RunOutcome outcome, byte[] labels, ResultComparison? verification, double referenceSeconds)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(outcome);
        var result = outcome.Result;
        var n = result.SampleCount;
        return new RunReport(
            model.Network.Architecture, n, result.Accuracy(labels), result.SpikesPerSample, ResultMetrics.SpikesPerLayer(result), result.SynOpsPerSample,
            EnergyReport.Of(EnergyModel.Default, model.Network, result),
            verification?.IsIdentical,
            plan.Spec, plan.Partitions.Count, outcome.Nodes, outcome.NodeOfPartition,
            outcome.DeployTime.TotalSeconds, outcome.RunTime.TotalSeconds, n / Math.Max(outcome.RunTime.TotalSeconds, 1e-9), referenceSeconds,
            Traffic(outcome), Recovery(outcome))
        {
            ReferenceDifferences = verification is { IsIdentical: false } ? verification.Differences.Select(d => d.ToString()).ToArray() : null,
        };
    }

    public static RecoveryReport Recovery(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new RecoveryReport(
            outcome.Restarts.Select(r => new RestartReport(r.Partition, r.Node)).ToArray(),
            outcome.ReplayedBatches,
            outcome.TimeoutReplays,
            outcome.Recoveries.Select(r => new RecoveryWindowReport(r.Noticed.TotalSeconds, r.Recovered.TotalSeconds)).ToArray(),
            outcome.DuplicateReports,
            outcome.RuntimeFaults.Select(f => new RuntimeFaultReport(f.Index, f.What, f.At.TotalSeconds, f.Skipped)).ToArray());
    }

    /// <summary>Spike payload bytes per spike over the partition-to-partition links (the injector's analog input excluded).</summary>
    public static double PayloadBytesPerSpike(IReadOnlyList<LinkTraffic> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var spikeLinks = links.Where(l => l.SourceId >= 0).ToArray();
        var spikes = spikeLinks.Sum(l => l.Spikes);
        return spikes == 0 ? 0 : (double)spikeLinks.Sum(l => l.PayloadBytes) / spikes;
    }

    public static void WriteLinksCsv(string path, RunOutcome outcome, PartitionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(plan);
        var csv = new StringBuilder("source,target,source_stage,target_stage,source_node,target_node,messages,events,payload_bytes\n");
        foreach (var l in outcome.Links)
        {
            var sourceStage = l.SourceId < 0 ? -1 : plan.Partitions[l.SourceId].Stage;
            csv.Append(CultureInfo.InvariantCulture,
                $"{l.SourceId},{l.TargetId},{sourceStage},{plan.Partitions[l.TargetId].Stage},{NodeOf(outcome, l.SourceId)},{NodeOf(outcome, l.TargetId)},{l.Messages},{l.Spikes},{l.PayloadBytes}\n");
        }

        OutputFiles.WriteText(path, csv.ToString());
    }

    private static string NodeOf(RunOutcome outcome, int partition) => partition < 0 ? "coordinator" : outcome.Nodes[outcome.NodeOfPartition[partition]];

    private static TrafficReport Traffic(RunOutcome outcome)
    {
        var spikeLinks = outcome.Links.Where(l => l.SourceId >= 0).ToArray();
        var spikesSent = spikeLinks.Sum(l => l.Spikes);
        var pairs = outcome.Links
            .GroupBy(l => (From: NodeOf(outcome, l.SourceId), To: NodeOf(outcome, l.TargetId)))
            .OrderBy(g => g.Key.From, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal)
            .Select(g => new NodePairTraffic(g.Key.From, g.Key.To, g.Sum(l => l.Messages), g.Sum(l => l.Spikes), g.Sum(l => l.PayloadBytes)))
            .ToArray();
        return new TrafficReport(outcome.Links.Count, outcome.Links.Sum(l => l.Messages), spikeLinks.Sum(l => l.Messages), spikesSent,
            spikeLinks.Sum(l => l.PayloadBytes), PayloadBytesPerSpike(outcome.Links), outcome.Links.Where(l => l.SourceId < 0).Sum(l => l.PayloadBytes), pairs);
    }
}
