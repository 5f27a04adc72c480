using Akka.Event;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Serialization;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>
/// The transport's side of messages larger than a frame: which messages are cut, that every part fits a frame as the
/// serializer writes it, and that the receiver's merged message is byte for byte the one that was cut (its serialized form
/// compared here), whatever the order of the parts; parts of a stale attempt, of another run or for another target do nothing.
/// </summary>
public sealed class FramesTests
{
    private static readonly ILoggingAdapter Log = NoLogger.Instance;

    private static SpikeBatchMessage BigSpikes(int attempt = 0, int bytes = (3 * FrameBudget.MaxMessageBytes) + 12_345)
    {
        var payload = new byte[bytes];
        new Random(bytes).NextBytes(payload);
        return new SpikeBatchMessage("run-frames", 7, attempt, 2, 5, 256, 99_999, payload) { SentMs = 1234.5 };
    }

    /// <summary>Hands every part over in order (a loop: LINQ's Select(...).Last() on an array would call the selector only for the last part); what the last one delivered.</summary>
    private static IDataPlaneMessage? AcceptAll(FrameReassembly receiver, IEnumerable<FramePart> parts)
    {
        IDataPlaneMessage? last = null;
        foreach (var p in parts) last = receiver.Accept(p, Log);
        return last;
    }

    [Fact]
    public void A_message_that_fits_a_frame_goes_whole_and_one_that_does_not_goes_in_parts_that_each_fit()
    {
        var small = BigSpikes(bytes: FrameBudget.MaxMessageBytes - 1000);
        Assert.Same(small, Assert.Single(Frames.Cut(small)));
        var chunk = new WeightChunk("run-frames", 0, 0, 1, new float[FrameBudget.MaxWeightChunkValues]);
        Assert.Same(chunk, Assert.Single(Frames.Cut(chunk)));     // weights have their own chunks

        var big = BigSpikes();
        var parts = Frames.Cut(big).Cast<FramePart>().ToArray();
        Assert.Equal(4, parts.Length);
        Assert.All(parts, p => Assert.True(DataPlaneSerializer.Serialize(p).Length <= FrameBudget.MaxMessageBytes, "a part fits a frame"));
        Assert.All(parts, p => Assert.Equal((FramedKind.SpikeBatch, 7, 0, 2, 5, 4), (p.Kind, p.BatchId, p.Attempt, p.Source, p.Target, p.PartCount)));
        Assert.Equal(Enumerable.Range(0, 4), parts.Select(p => p.PartIndex));
    }

    [Fact]
    public void Merged_in_any_order_the_message_is_byte_identical_to_the_one_that_was_cut()
    {
        var big = BigSpikes();
        var original = DataPlaneSerializer.Serialize(big);
        var parts = Frames.Cut(big).Cast<FramePart>().ToArray();
        var receiver = new FrameReassembly("run-frames", 5);

        IDataPlaneMessage? merged = null;
        foreach (var p in new[] { parts[2], parts[0], parts[0], parts[3] }) Assert.Null(receiver.Accept(p, Log));   // includes a duplicate
        merged = receiver.Accept(parts[1], Log);

        var spikes = Assert.IsType<SpikeBatchMessage>(merged);
        Assert.Equal(original, DataPlaneSerializer.Serialize(spikes));
        Assert.Equal(big.Payload, spikes.Payload);
        Assert.Equal(original.Length, spikes.Receipt.WireBytes);       // the traffic instrument sees the whole message
        Assert.Null(receiver.Accept(parts[1], Log));                   // a late copy does not deliver it twice
    }

    [Fact]
    public void Reports_with_spike_times_are_cut_and_merged_like_spikes()
    {
        var times = Enumerable.Range(0, 6_500_000).Select(i => (i % 17) - 1).ToArray();
        var report = new PartitionBatchReport("run-frames", 3, 1, 0, 65, 10, 20, 0, [], times, [1], [1], [10], [20], [], 10);
        var parts = Frames.Cut(report).Cast<FramePart>().ToArray();
        Assert.True(parts.Length >= 2);
        Assert.All(parts, p => Assert.Equal((FramedKind.BatchReport, Frames.Collector), (p.Kind, p.Target)));
        var receiver = new FrameReassembly("run-frames", Frames.Collector);
        var merged = AcceptAll(receiver, parts.Reverse());
        Assert.Equal(DataPlaneSerializer.Serialize(report), DataPlaneSerializer.Serialize(merged!));
    }

    [Fact]
    public void Parts_of_a_stale_attempt_another_run_or_another_target_deliver_nothing()
    {
        var stale = Frames.Cut(BigSpikes(attempt: 0)).Cast<FramePart>().ToArray();
        var current = Frames.Cut(BigSpikes(attempt: 1)).Cast<FramePart>().ToArray();
        var receiver = new FrameReassembly("run-frames", 5);

        Assert.Null(receiver.Accept(current[0], Log));
        foreach (var p in stale) Assert.Null(receiver.Accept(p, Log));                          // attempt 0 is stale once 1 began
        foreach (var p in current) Assert.Null(receiver.Accept(p with { RunId = "other" }, Log));
        foreach (var p in current) Assert.Null(new FrameReassembly("run-frames", 6).Accept(p, Log));
        Assert.Equal(1, receiver.PendingCount);
        var merged = AcceptAll(receiver, current.Skip(1));
        Assert.Equal(1, Assert.IsType<SpikeBatchMessage>(merged).Attempt);
    }

    [Fact]
    public void Parts_whose_merged_bytes_are_not_the_message_they_announce_are_dropped()
    {
        // The parts of a spike batch relabelled as parts of another batch: merged, they name batch 7, not 8.
        var relabelled = Frames.Cut(BigSpikes()).Cast<FramePart>().Select(p => p with { BatchId = 8 }).ToArray();
        var receiver = new FrameReassembly("run-frames", 5);
        Assert.All(relabelled, p => Assert.Null(receiver.Accept(p, Log)));
        // Control: the same parts with their own label deliver.
        var honest = Frames.Cut(BigSpikes()).Cast<FramePart>().ToArray();
        Assert.NotNull(AcceptAll(receiver, honest));
    }

    [Fact]
    public void A_message_past_the_largest_that_may_travel_in_parts_is_refused_saying_its_size()
    {
        var huge = new SpikeBatchMessage("run-frames", 1, 0, 0, 1, 1, 1, new byte[FrameBudget.MaxMergedBytes + 1]);
        var ex = Assert.Throws<MessageTooLargeException>(() => Frames.Cut(huge));
        Assert.Contains($"more than the {FrameBudget.MaxMergedBytes} bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Akka_Remotes_oversized_payload_error_is_recognised_and_named()
    {
        // Akka's own exception type (internal to Akka.Remote), with the text its endpoint writer gives it.
        var type = typeof(Akka.Remote.RemoteActorRef).Assembly.GetType("Akka.Remote.OversizedPayloadException", throwOnError: true)!;
        var cause = (Exception)Activator.CreateInstance(type, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null,
            ["Discarding oversized payload sent to [akka.tcp://akkattfs@127.0.0.1:4053/user/x]: max allowed size 4194304 bytes, actual size of encoded AkkaTtfs.Cluster.Protocol.DeployPartition was 5000123 bytes."], null)!;
        var line = OversizedPayload.Describe(new Error(cause, "endpointWriter", typeof(object), "Transient association error (association remains live)"));
        Assert.Equal("Akka.Remote dropped a DeployPartition of 5000123 bytes sent to [akka.tcp://akkattfs@127.0.0.1:4053/user/x]: the remoting frame limit is 4194304 bytes " +
            "(akka.remote.dot-netty.tcp.maximum-frame-size; this build splits spike batches, inputs and reports, so this is a message that is not split)", line);
        Assert.Null(OversizedPayload.Describe(new Error(new InvalidOperationException("x"), "a", typeof(object), "other")));
        Assert.Null(OversizedPayload.Describe(new Warning("a", typeof(object), "Discarding oversized payload")));
    }
}
