using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cli.Commands;

/// <summary>The report of a cluster run: results, spikes, traffic per link and per node pair, timings.</summary>
internal static class RunReport
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static Dictionary<string, object?> Build(SnnModel model, PartitionPlan plan, RunOutcome outcome, byte[] labels, bool? identical, double referenceSeconds)
    {
        var result = outcome.Result;
        var n = result.SampleCount;
        var spikeLinks = outcome.Links.Where(l => l.SourceId >= 0).ToArray();
        var spikesSent = spikeLinks.Sum(l => l.Spikes);
        var bytesSent = spikeLinks.Sum(l => l.PayloadBytes);
        var energy = EnergyModel.Default.Estimate(model.Network, result);
        var runSeconds = Math.Max(outcome.RunTime.TotalSeconds, 1e-9);
        return new Dictionary<string, object?>
        {
            ["architecture"] = model.Network.Architecture,
            ["samples"] = n,
            ["accuracy"] = result.Accuracy(labels),
            ["spikes_per_sample"] = result.SpikesPerSample,
            ["spikes_per_sample_per_layer"] = result.SpikesPerStage.Select(s => (double)s / n).ToArray(),
            ["synops_per_sample"] = result.SynOpsPerSample,
            ["energy"] = new Dictionary<string, object>
            {
                ["snn_nJ_per_sample"] = energy.SnnPicojoules / 1000,
                ["dnn_nJ_per_sample"] = energy.DnnPicojoules / 1000,
                ["e_ac_pJ"] = energy.Model.AccumulatePicojoules,
                ["e_mac_pJ"] = energy.Model.MultiplyAccumulatePicojoules,
            },
            ["bit_identical_to_reference"] = identical,
            ["partitions"] = plan.Spec,
            ["partition_count"] = plan.Partitions.Count,
            ["nodes"] = outcome.Nodes,
            ["partition_nodes"] = outcome.NodeOfPartition,
            ["deploy_seconds"] = outcome.DeployTime.TotalSeconds,
            ["run_seconds"] = outcome.RunTime.TotalSeconds,
            ["samples_per_second"] = n / runSeconds,
            ["reference_seconds"] = referenceSeconds,
            ["traffic"] = new Dictionary<string, object>
            {
                ["links"] = outcome.Links.Count,
                ["messages"] = outcome.Links.Sum(l => l.Messages),
                ["spike_messages"] = spikeLinks.Sum(l => l.Messages),
                ["spikes_sent"] = spikesSent,
                ["spike_payload_bytes"] = bytesSent,
                ["payload_bytes_per_spike"] = spikesSent == 0 ? 0 : (double)bytesSent / spikesSent,
                ["input_payload_bytes"] = outcome.Links.Where(l => l.SourceId < 0).Sum(l => l.PayloadBytes),
                ["node_pairs"] = NodePairs(outcome),
            },
            ["recovery"] = Recovery(outcome),
        };
    }

    /// <summary>What the run survived: re-homed partitions, replays, recoveries and the plan's runtime faults.</summary>
    public static Dictionary<string, object> Recovery(RunOutcome outcome) => new()
    {
        ["partitions_restarted"] = outcome.Restarts.Select(r => new Dictionary<string, object> { ["partition"] = r.Partition, ["node"] = r.Node }).ToArray(),
        ["batches_replayed"] = outcome.ReplayedBatches,
        ["timeout_replays"] = outcome.TimeoutReplays,
        ["recoveries"] = outcome.Recoveries.Select(r => new Dictionary<string, object> { ["noticed_s"] = r.Noticed.TotalSeconds, ["recovered_s"] = r.Recovered.TotalSeconds }).ToArray(),
        ["stale_reports_dropped"] = outcome.DuplicateReports,
        ["runtime_faults"] = outcome.RuntimeFaults.Select(f => new Dictionary<string, object?>
        {
            ["index"] = f.Index,
            ["what"] = f.What,
            ["at_s"] = f.At.TotalSeconds,
            ["skipped"] = f.Skipped,
        }).ToArray(),
    };

    /// <summary>Traffic between nodes: the injector counts as "coordinator", partitions as the node hosting them.</summary>
    private static List<Dictionary<string, object>> NodePairs(RunOutcome outcome)
    {
        string NodeOf(int partition) => partition < 0 ? "coordinator" : outcome.Nodes[outcome.NodeOfPartition[partition]];
        return outcome.Links
            .GroupBy(l => (From: NodeOf(l.SourceId), To: NodeOf(l.TargetId)))
            .OrderBy(g => g.Key.From, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal)
            .Select(g => new Dictionary<string, object>
            {
                ["from"] = g.Key.From,
                ["to"] = g.Key.To,
                ["messages"] = g.Sum(l => l.Messages),
                ["events"] = g.Sum(l => l.Spikes),
                ["payload_bytes"] = g.Sum(l => l.PayloadBytes),
            }).ToList();
    }

    public static void WriteLinksCsv(string path, RunOutcome outcome, PartitionPlan plan)
    {
        var csv = new StringBuilder("source,target,source_stage,target_stage,source_node,target_node,messages,events,payload_bytes\n");
        foreach (var l in outcome.Links)
        {
            var sourceStage = l.SourceId < 0 ? -1 : plan.Partitions[l.SourceId].Stage;
            var sourceNode = l.SourceId < 0 ? "coordinator" : outcome.Nodes[outcome.NodeOfPartition[l.SourceId]];
            csv.Append(CultureInfo.InvariantCulture,
                $"{l.SourceId},{l.TargetId},{sourceStage},{plan.Partitions[l.TargetId].Stage},{sourceNode},{outcome.Nodes[outcome.NodeOfPartition[l.TargetId]]},{l.Messages},{l.Spikes},{l.PayloadBytes}\n");
        }

        CliFiles.WriteText(path, csv.ToString());
    }

    public static void Print(Dictionary<string, object?> r)
    {
        var inv = CultureInfo.InvariantCulture;
        var traffic = (Dictionary<string, object>)r["traffic"]!;
        Console.WriteLine(string.Create(inv, $"architecture       {r["architecture"]}"));
        Console.WriteLine(string.Create(inv, $"samples            {r["samples"]}"));
        Console.WriteLine(string.Create(inv, $"accuracy           {(double)r["accuracy"]!:P2}"));
        Console.WriteLine(string.Create(inv, $"spikes/sample      {Numbers.Fixed((double)r["spikes_per_sample"]!, 1)}  per layer [{Numbers.List((double[])r["spikes_per_sample_per_layer"]!, 1)}]"));
        Console.WriteLine(string.Create(inv, $"SynOps/sample      {Numbers.Fixed((double)r["synops_per_sample"]!, 0)}"));
        Console.WriteLine(string.Create(inv, $"cluster            {((IReadOnlyList<string>)r["nodes"]!).Count} worker node(s), {r["partition_count"]} partitions ({r["partitions"]})"));
        Console.WriteLine(string.Create(inv, $"time               deploy {(double)r["deploy_seconds"]!:F2} s, run {(double)r["run_seconds"]!:F2} s ({(double)r["samples_per_second"]!:F0} samples/s)"));
        Console.WriteLine(string.Create(inv, $"traffic            {traffic["messages"]} messages, {traffic["spikes_sent"]} spikes sent, {(long)traffic["spike_payload_bytes"] / 1e6:F2} MB spike payload ({(double)traffic["payload_bytes_per_spike"]:F2} B/spike)"));
        foreach (var pair in (List<Dictionary<string, object>>)traffic["node_pairs"])
            Console.WriteLine(string.Create(inv, $"  {pair["from"]} -> {pair["to"]}: {pair["messages"]} msgs, {pair["events"]} events, {(long)pair["payload_bytes"] / 1e3:F1} kB"));
        PrintRecovery((Dictionary<string, object>)r["recovery"]!);
        var identical = r["bit_identical_to_reference"];
        Console.WriteLine($"verified           {(identical is null ? "not checked (--verify false)" : (bool)identical ? "bit-identical to the Core reference" : "DIFFERS from the Core reference")}");
    }

    /// <summary>Prints a <see cref="Recovery"/> section: runtime faults as fired, then re-homings and replays when there were any.</summary>
    public static void PrintRecovery(Dictionary<string, object> recovery)
    {
        ArgumentNullException.ThrowIfNull(recovery);
        var inv = CultureInfo.InvariantCulture;
        foreach (var fault in (Dictionary<string, object?>[])recovery["runtime_faults"])
        {
            var when = fault["skipped"] is string why
                ? why.StartsWith("not fired", StringComparison.Ordinal) ? why : string.Create(inv, $"due at {(double)fault["at_s"]!:F2} s, skipped ({why})")
                : string.Create(inv, $"fired at {(double)fault["at_s"]!:F2} s");
            Console.WriteLine($"runtime fault      [{fault["index"]}] {fault["what"]}: {when}");
        }

        var restarted = ((Dictionary<string, object>[])recovery["partitions_restarted"]).Length;
        if (restarted > 0 || (long)recovery["batches_replayed"] > 0)
        {
            Console.WriteLine(string.Create(inv, $"recovery           {restarted} partitions re-homed, {recovery["batches_replayed"]} batches replayed ({recovery["timeout_replays"]} after timeouts)"));
            foreach (var rec in (Dictionary<string, object>[])recovery["recoveries"])
                Console.WriteLine(string.Create(inv, $"                   loss noticed at {(double)rec["noticed_s"]:F1} s into the run, all partitions ready again at {(double)rec["recovered_s"]:F1} s"));
        }
    }
}
