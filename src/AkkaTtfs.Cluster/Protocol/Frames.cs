using Akka.Actor;
using Akka.Event;
using AkkaTtfs.Cluster.Serialization;
using AkkaTtfs.Core.Distributed;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace AkkaTtfs.Cluster.Protocol;

/// <summary>A message that could not be sent even in parts: it is larger than <see cref="FrameBudget.MaxMergedBytes"/>.</summary>
public sealed class MessageTooLargeException(string message) : InvalidOperationException(message);

/// <summary>
/// The sender's side of messages larger than a frame: spike batches, analog inputs and batch reports that serialize to
/// more than <see cref="FrameBudget.MaxMessageBytes"/> go as <see cref="FramePart"/>s (Core's <see cref="FrameSplitter"/>
/// cuts the serialized bytes); everything else goes as it is. Actors send through <see cref="Tell"/> and do nothing else.
/// </summary>
public static class Frames
{
    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/>, in parts when it does not fit a frame.</summary>
    /// <exception cref="MessageTooLargeException">Larger than <see cref="FrameBudget.MaxMergedBytes"/> (the preflight refuses runs that could make one).</exception>
    public static void Tell(IActorRef target, IDataPlaneMessage message, IActorRef sender)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var m in Cut(message)) target.Tell(m, sender);
    }

    /// <summary>As <see cref="Tell"/>, each part through the node's emulated interconnect (a cross-node link may hold it).</summary>
    public static void Send(AkkaTtfs.Cluster.Hosting.LinkEmulation links, IActorRef target, IDataPlaneMessage message, IActorRef sender)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var m in Cut(message)) links.Send(target, m, sender);
    }

    /// <summary>The message itself when it fits a frame (or is not a kind that is ever split); otherwise its parts, in order.</summary>
    public static IReadOnlyList<IDataPlaneMessage> Cut(IDataPlaneMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Identity(message) is not { } id || FrameBudget.Fits(DataPlaneSerializer.MaxBytes(message))) return [message];
        var bytes = DataPlaneSerializer.Serialize(message);
        if (FrameBudget.Fits(bytes.Length)) return [message];
        if (bytes.Length > FrameBudget.MaxMergedBytes)
            throw new MessageTooLargeException($"a {message.GetType().Name} of batch {id.BatchId} serializes to {bytes.Length} bytes, more than the {FrameBudget.MaxMergedBytes} bytes a message may have even in parts");
        var parts = FrameSplitter.Split(bytes, FrameBudget.MaxPartBytes);
        return [.. parts.Select((p, i) => new FramePart(id.RunId, id.Kind, id.BatchId, id.Attempt, id.Source, id.Target, i, parts.Length, bytes.Length, p))];
    }

    /// <summary>What a part of the message says about it; null for a message that never travels in parts.</summary>
    internal static PartIdentity? Identity(IDataPlaneMessage message) => message switch
    {
        SpikeBatchMessage m => new(m.RunId, FramedKind.SpikeBatch, m.BatchId, m.Attempt, m.SourcePartition, m.TargetPartition),
        AnalogInputMessage m => new(m.RunId, FramedKind.AnalogInput, m.BatchId, m.Attempt, PartitionPlanInput, m.TargetPartition),
        PartitionBatchReport m => new(m.RunId, FramedKind.BatchReport, m.BatchId, m.Attempt, m.PartitionId, Collector),
        _ => null,
    };

    /// <summary>Target of a part bound for the coordinator's collector.</summary>
    public const int Collector = -1;

    private const int PartitionPlanInput = Core.Partitioning.PartitionPlan.InputSource;

    internal readonly record struct PartIdentity(string RunId, FramedKind Kind, int BatchId, int Attempt, int Source, int Target);
}

/// <summary>
/// The receiver's side: one per receiving actor (a partition, or the coordinator's collector). Core's <see cref="FrameMerger"/>
/// collects the parts; the merged bytes are read by <see cref="DataPlaneSerializer"/> exactly as one message off the wire,
/// and must say what their parts said (run, kind, batch, attempt, source, target). Parts of another run, stale attempts and
/// copies are ignored; a part or merged message that is wrong is logged and dropped (the batch is then replayed after its
/// timeout, as for any corrupt message).
/// </summary>
public sealed class FrameReassembly(string runId, int target)
{
    private readonly FrameMerger _merger = new(FrameBudget.MaxMergedBytes);

    /// <summary>Messages with some but not all of their parts.</summary>
    public int PendingCount => _merger.PendingCount;

    /// <summary>The whole message when <paramref name="part"/> was its last missing part; otherwise null.</summary>
    public IDataPlaneMessage? Accept(FramePart part, ILoggingAdapter log)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(log);
        if (part.RunId != runId) return null;
        try
        {
            if (part.Target != target) throw new PayloadException($"it is addressed to {Receiver(part.Target)}, not to {Receiver(target)}");
            var merged = _merger.Accept(new FrameKey((int)part.Kind, part.BatchId, part.Attempt, part.Source), part.PartIndex, part.PartCount, part.TotalBytes, part.Bytes);
            if (merged.Status != FrameMergeStatus.Complete) return null;
            var message = (IDataPlaneMessage)DataPlaneSerializer.Deserialize(merged.Message!, DataPlaneSerializer.ManifestOf(part.Kind));
            if (Frames.Identity(message) != new Frames.PartIdentity(part.RunId, part.Kind, part.BatchId, part.Attempt, part.Source, part.Target))
                throw new PayloadException($"the merged {message.GetType().Name} is not the message its parts announced");
            return message;
        }
        catch (Exception ex) when (ex is PayloadException or SerializationException)
        {
            var source = part.Source < 0 ? "the input injector" : $"partition {part.Source}";
            var what = $"part {part.PartIndex} of {part.PartCount} of a {part.Kind} of batch {part.BatchId} attempt {part.Attempt} from {source}";
            log.Error("{0}: dropped {1}: {2}", Receiver(target), what, ex.Message);
            return null;
        }
    }

    private static string Receiver(int id) => id == Frames.Collector ? "the coordinator's collector" : $"partition {id}";
}
