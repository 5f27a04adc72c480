namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// Whole-run views of a <see cref="RunTrace"/>'s rows, pure. Traffic is booked to the nodes each row names,
/// i.e. where it happened: a partition re-homed mid-run has its earlier rows on its old node and its later
/// rows on its new one. Replays (attempt &gt; 0) are traffic too; the link totals keep them apart.
/// </summary>
public static class TraceAggregation
{
    /// <summary>Per link (ordered by source, target): first attempts and replays apart; nodes of its last row.</summary>
    public static IReadOnlyList<LinkTotal> LinkTotals(IEnumerable<LinkBatchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var totals = new SortedDictionary<(int, int), LinkTotal>();
        foreach (var r in rows)
        {
            var key = (r.Source, r.Target);
            var t = totals.TryGetValue(key, out var known) ? known : new LinkTotal(r.Source, r.Target, r.SourceNode, r.TargetNode, r.CrossProcess, 0, 0, 0, 0, 0, 0, 0);
            t = t with { SourceNode = r.SourceNode, TargetNode = r.TargetNode, CrossProcess = r.CrossProcess, WireBytes = t.WireBytes + r.WireBytes };
            t = r.IsReplay
                ? t with { ReplayMessages = t.ReplayMessages + 1, ReplaySpikes = t.ReplaySpikes + r.Spikes, ReplayPayloadBytes = t.ReplayPayloadBytes + r.PayloadBytes }
                : t with { Messages = t.Messages + 1, Spikes = t.Spikes + r.Spikes, PayloadBytes = t.PayloadBytes + r.PayloadBytes };
            totals[key] = t;
        }

        return [.. totals.Values];
    }

    /// <summary>Partition x partition traffic (long format, only pairs with a link), replays included.</summary>
    public static IReadOnlyList<TrafficCell> PartitionMatrix(IEnumerable<LinkBatchRow> rows) => Sum(rows, r => (r.Source, r.Target));

    /// <summary>Node x node traffic (every ordered pair with traffic), replays included, booked to each row's nodes.</summary>
    public static IReadOnlyList<TrafficCell> NodeMatrix(IEnumerable<LinkBatchRow> rows) => Sum(rows, r => (r.SourceNode, r.TargetNode));

    private static TrafficCell[] Sum(IEnumerable<LinkBatchRow> rows, Func<LinkBatchRow, (int, int)> key)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cells = new SortedDictionary<(int, int), TrafficCell>();
        foreach (var r in rows)
        {
            var k = key(r);
            var c = cells.TryGetValue(k, out var known) ? known : new TrafficCell(k.Item1, k.Item2, 0, 0, 0, 0);
            cells[k] = c with { Messages = c.Messages + 1, Spikes = c.Spikes + r.Spikes, PayloadBytes = c.PayloadBytes + r.PayloadBytes, WireBytes = c.WireBytes + r.WireBytes };
        }

        return [.. cells.Values];
    }

    /// <summary>Per partition (ordered by id): its batch attempts, compute split, waiting and mailbox delay; node of its last row.</summary>
    public static IReadOnlyList<PartitionTotal> PartitionTotals(IEnumerable<PartitionBatchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var totals = new SortedDictionary<int, PartitionTotal>();
        foreach (var r in rows)
        {
            var t = totals.TryGetValue(r.Partition, out var known) ? known : new PartitionTotal(r.Partition, r.Stage, r.Node, 0, 0, 0, 0, 0, 0, 0);
            totals[r.Partition] = t with
            {
                Node = r.Node, Batches = t.Batches + 1, BusyMs = t.BusyMs + r.BusyMs, WaitMs = t.WaitMs + r.WaitMs, DecodeMs = t.DecodeMs + r.DecodeMs,
                IntegrateMs = t.IntegrateMs + r.IntegrateMs, FireEncodeMs = t.FireEncodeMs + r.FireEncodeMs, MailboxDelayMs = t.MailboxDelayMs + r.MailboxDelayMs,
            };
        }

        return [.. totals.Values];
    }

    /// <summary>Replayed traffic: messages and payload bytes of attempts &gt; 0.</summary>
    public static (long Messages, long PayloadBytes) Replays(IEnumerable<LinkBatchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        long messages = 0, bytes = 0;
        foreach (var r in rows.Where(r => r.IsReplay))
        {
            messages++;
            bytes += r.PayloadBytes;
        }

        return (messages, bytes);
    }

    /// <summary>
    /// Per batch (first attempt that completed it is not known here, so every attempt counts): from the first time a
    /// link of the batch was sent to the last time a partition finished it, in milliseconds, ordered by batch.
    /// </summary>
    public static IReadOnlyList<double> BatchLatencies(IEnumerable<LinkBatchRow> links, IEnumerable<PartitionBatchRow> partitions)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(partitions);
        var start = new SortedDictionary<int, double>();
        foreach (var l in links) start[l.Batch] = start.TryGetValue(l.Batch, out var s) ? Math.Min(s, l.SentMs) : l.SentMs;
        var end = new Dictionary<int, double>();
        foreach (var p in partitions) end[p.Batch] = end.TryGetValue(p.Batch, out var e) ? Math.Max(e, p.DoneMs) : p.DoneMs;
        return [.. start.Where(kv => end.ContainsKey(kv.Key)).Select(kv => end[kv.Key] - kv.Value)];
    }
}
