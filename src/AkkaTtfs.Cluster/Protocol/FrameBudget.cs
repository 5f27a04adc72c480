namespace AkkaTtfs.Cluster.Protocol;

/// <summary>
/// Size limits of one remoting frame. Akka.Remote DROPS a message larger than
/// <c>akka.remote.dot-netty.tcp.maximum-frame-size</c> (logged as a transient association error) and the
/// sender waits forever, so everything that can grow is cut to fit <see cref="MaxMessageBytes"/>: weights in
/// <see cref="WeightChunk"/>s, and spike batches, inputs and reports larger than a frame in <see cref="FramePart"/>s
/// (<see cref="Frames"/>).
/// </summary>
/// <remarks>
/// 4 MiB frames: a spike batch of 64 MNIST samples out of a 16x28x28 conv stage at ~2 bytes per spike is
/// around 0.5 MB, far over Akka's 128,000-byte default; 4 MiB leaves room for larger batches and stays
/// small enough that one frame occupies a loopback connection for a few milliseconds, so cluster
/// heartbeats queued behind it are not delayed noticeably. base.conf must say the same (a test checks).
/// </remarks>
public static class FrameBudget
{
    /// <summary>Bytes; equals <c>akka.remote.dot-netty.tcp.maximum-frame-size</c> in cluster-config/base.conf.</summary>
    public const int MaximumFrameSize = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes kept free for what remoting adds around the serialized message: the envelope with recipient and
    /// sender paths, serializer id, manifest and sequence number (a few hundred bytes), with a wide margin.
    /// </summary>
    public const int EnvelopeReserve = 64 * 1024;

    /// <summary>The largest serialized message (as the serializer returns it) that is sure to be delivered.</summary>
    public const int MaxMessageBytes = MaximumFrameSize - EnvelopeReserve;

    /// <summary>
    /// Values per <see cref="WeightChunk"/>: 256 Ki floats = 1 MiB, a quarter of the frame. A whole 784x256
    /// dense layer (200,704 weights) is one chunk; larger layers take a few, each acknowledged. Smaller
    /// chunks than the frame allows keep a weight deployment from holding the connection for long.
    /// </summary>
    public const int MaxWeightChunkValues = 256 * 1024;

    /// <summary>Longest run id that the frame budget accounts for (characters).</summary>
    public const int MaxRunIdLength = 256;

    /// <summary>
    /// Bytes of a message that one <see cref="FramePart"/> carries: a frame's message budget less room for the part's own
    /// fields (run id of at most <see cref="MaxRunIdLength"/> characters, ids and counts), with a wide margin.
    /// </summary>
    public const int MaxPartBytes = MaxMessageBytes - (16 * 1024);

    /// <summary>
    /// The largest serialized message that may travel in parts: 64 parts (256 MiB). A receiver refuses a part that
    /// claims more before it allocates anything, and the preflight refuses a run whose messages could grow past it.
    /// </summary>
    public const int MaxMergedBytes = 256 * 1024 * 1024;

    /// <summary>True when a serialized message of <paramref name="serializedBytes"/> bytes is sure to fit a frame.</summary>
    public static bool Fits(long serializedBytes) => serializedBytes <= MaxMessageBytes;
}
