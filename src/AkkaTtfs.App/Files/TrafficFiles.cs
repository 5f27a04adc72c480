using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Files;

/// <summary>
/// The CSV files of a run folder that the traffic instrument records (the contract: TRAFFIC-FILES.md): links, timeline,
/// partition-batches, partitions, inflight, spike-times, matrix-partitions, matrix-nodes. Node columns are indices into
/// the report's nodes (-1: the coordinator when it is not a worker); partition -1 is the input injector.
/// </summary>
public static class TrafficFiles
{
    public const string Links = "links.csv";
    public const string Timeline = "timeline.csv";
    public const string PartitionBatches = "partition-batches.csv";
    public const string Partitions = "partitions.csv";
    public const string InFlight = "inflight.csv";
    public const string SpikeTimes = "spike-times.csv";
    public const string MatrixPartitions = "matrix-partitions.csv";
    public const string MatrixNodes = "matrix-nodes.csv";

    /// <summary>Writes every file into <paramref name="folder"/>; <paramref name="perStep"/> gives spike-times.csv its per-step alternative (null: left empty).</summary>
    public static void Write(string folder, RunOutcome outcome, PartitionPlan plan, RunTrace trace, TrafficPrediction? perStep)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(trace);
        WriteLinks(Path.Combine(folder, Links), outcome, plan, trace);
        CsvWriter.Write(Path.Combine(folder, Timeline),
            ["batch", "attempt", "source", "target", "source_node", "target_node", "cross_process", "spikes", "payload_bytes", "wire_bytes", "sent_ms", "received_ms", "latency_ms"],
            csv =>
            {
                foreach (var r in trace.Links)
                {
                    csv.Field(r.Batch).Field(r.Attempt).Field(r.Source).Field(r.Target).Field(r.SourceNode).Field(r.TargetNode).Field(r.CrossProcess)
                        .Field(r.Spikes).Field(r.PayloadBytes).Field(r.WireBytes).Ms(r.SentMs).Ms(r.ReceivedMs).Ms(r.LatencyMs).EndRow();
                }
            });
        CsvWriter.Write(Path.Combine(folder, PartitionBatches),
            ["partition", "stage", "batch", "attempt", "node", "first_input_ms", "last_input_ms", "wait_ms", "decode_ms", "integrate_ms", "fire_encode_ms", "mailbox_delay_ms", "done_ms"],
            csv =>
            {
                foreach (var r in trace.Partitions)
                {
                    csv.Field(r.Partition).Field(r.Stage).Field(r.Batch).Field(r.Attempt).Field(r.Node).Ms(r.FirstInputMs).Ms(r.LastInputMs).Ms(r.WaitMs)
                        .Ms(r.DecodeMs).Ms(r.IntegrateMs).Ms(r.FireEncodeMs).Ms(r.MailboxDelayMs).Ms(r.DoneMs).EndRow();
                }
            });
        CsvWriter.Write(Path.Combine(folder, Partitions),
            ["partition", "stage", "node", "batches", "busy_ms", "wait_ms", "decode_ms", "integrate_ms", "fire_encode_ms", "mailbox_delay_ms"],
            csv =>
            {
                foreach (var t in TraceAggregation.PartitionTotals(trace.Partitions))
                {
                    csv.Field(t.Partition).Field(t.Stage).Field(t.Node).Field(t.Batches).Ms(t.BusyMs).Ms(t.WaitMs).Ms(t.DecodeMs).Ms(t.IntegrateMs)
                        .Ms(t.FireEncodeMs).Ms(t.MailboxDelayMs).EndRow();
                }
            });
        CsvWriter.Write(Path.Combine(folder, InFlight), ["ms", "batches_in_flight", "completed_samples", "credit_blocked"], csv =>
        {
            foreach (var s in trace.InFlight) csv.Ms(s.Ms).Field(s.BatchesInFlight).Field(s.CompletedSamples).Field(s.CreditBlocked).EndRow();
        });
        WriteSpikeTimes(Path.Combine(folder, SpikeTimes), plan, trace, perStep);
        CsvWriter.Write(Path.Combine(folder, MatrixPartitions), ["source", "target", "spikes", "payload_bytes", "wire_bytes"], csv =>
        {
            foreach (var c in TraceAggregation.PartitionMatrix(trace.Links)) csv.Field(c.Source).Field(c.Target).Field(c.Spikes).Field(c.PayloadBytes).Field(c.WireBytes).EndRow();
        });
        CsvWriter.Write(Path.Combine(folder, MatrixNodes), ["source_node", "target_node", "spikes", "payload_bytes", "wire_bytes"], csv =>
        {
            foreach (var c in TraceAggregation.NodeMatrix(trace.Links)) csv.Field(c.Source).Field(c.Target).Field(c.Spikes).Field(c.PayloadBytes).Field(c.WireBytes).EndRow();
        });
    }

    /// <summary>
    /// links.csv: the first columns as before (messages, events and payload of the completed batches, as the collector
    /// counted them; source_node and target_node, like every node column, are indices into report.json's nodes, the
    /// injector on the coordinator's node, or -1 when the coordinator is not a worker), then the wire bytes, whether the
    /// link crossed processes, and its replayed traffic from the trace.
    /// </summary>
    public static void WriteLinks(string path, RunOutcome outcome, PartitionPlan plan, RunTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(plan);
        var traced = trace is null ? [] : TraceAggregation.LinkTotals(trace.Links).ToDictionary(t => (t.Source, t.Target));
        CsvWriter.Write(path,
            ["source", "target", "source_stage", "target_stage", "source_node", "target_node", "messages", "events", "payload_bytes",
             "wire_bytes", "cross_process", "replay_messages", "replay_events", "replay_payload_bytes"],
            csv =>
            {
                foreach (var l in outcome.Links)
                {
                    var sourceNode = l.SourceId < 0 ? outcome.CoordinatorNode : outcome.NodeOfPartition[l.SourceId];
                    var targetNode = outcome.NodeOfPartition[l.TargetId];
                    traced.TryGetValue((l.SourceId, l.TargetId), out var t);
                    csv.Field(l.SourceId).Field(l.TargetId).Field(l.SourceId < 0 ? -1 : plan.Partitions[l.SourceId].Stage).Field(plan.Partitions[l.TargetId].Stage)
                        .Field(sourceNode).Field(targetNode).Field(l.Messages).Field(l.Spikes).Field(l.PayloadBytes)
                        .Field(t?.WireBytes ?? 0).Field(t?.CrossProcess ?? sourceNode != targetNode)
                        .Field(t?.ReplayMessages ?? 0).Field(t?.ReplaySpikes ?? 0).Field(t?.ReplayPayloadBytes ?? 0).EndRow();
                }
            });
    }

    /// <summary>
    /// spike-times.csv: per hidden layer and step, its spikes (counted where they fire), and the per-step alternative on the
    /// links out of that layer from Core's traffic model (empty fields when it was not computed).
    /// </summary>
    private static void WriteSpikeTimes(string path, PartitionPlan plan, RunTrace trace, TrafficPrediction? perStep)
    {
        CsvWriter.Write(path, ["layer", "step", "spikes", "step_messages", "step_payload_bytes"], csv =>
        {
            for (var layer = 0; layer < trace.StepSpikes.Count; layer++)
            {
                var steps = trace.StepSpikes[layer];
                var links = perStep?.Links.Where(l => l.SourceId >= 0 && plan.Partitions[l.SourceId].Stage == layer).ToArray();
                for (var t = 0; t < steps.Count; t++)
                {
                    csv.Field(layer).Field(t).Field(steps[t]);
                    if (links is null)
                    {
                        csv.Field("").Field("");
                    }
                    else
                    {
                        // Every step would be one message per batch and link, also when empty (it closes the step).
                        csv.Field(links.Sum(l => l.Messages)).Field(links.Sum(l => l.StepPayloadBytesByStep.Count > t ? l.StepPayloadBytesByStep[t] : 0));
                    }

                    csv.EndRow();
                }
            }
        });
    }
}
