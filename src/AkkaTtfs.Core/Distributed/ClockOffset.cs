namespace AkkaTtfs.Core.Distributed;

/// <summary>One ping-pong with a node: when it left (local clock), the node's clock when it answered, when the answer came back (local clock); milliseconds.</summary>
public readonly record struct ClockSample(double SendMs, double RemoteMs, double ReceiveMs)
{
    /// <summary>The round trip on the local clock.</summary>
    public double RoundTripMs => ReceiveMs - SendMs;
}

/// <summary>
/// A node's clock against the coordinator's: remote = local + <paramref name="OffsetMs"/>, within
/// +/- <paramref name="UncertaintyMs"/> (half the round trip of the sample it came from).
/// </summary>
/// <param name="Node">The node index (-1: the coordinator itself, offset 0).</param>
public sealed record ClockOffset(int Node, double OffsetMs, double UncertaintyMs)
{
    /// <summary>A clock read on the node converted to the coordinator's clock.</summary>
    public double ToLocal(double remoteMs) => remoteMs - OffsetMs;

    /// <summary>The clock of a node that shares the coordinator's (same process): offset 0, no uncertainty.</summary>
    public static ClockOffset Same(int node) => new(node, 0, 0);

    /// <summary>
    /// Cristian's estimate: of the ping-pongs, the one with the shortest round trip (the least queueing), assuming the
    /// node read its clock halfway: offset = remote - (send + receive) / 2, uncertainty = round trip / 2.
    /// </summary>
    /// <exception cref="ArgumentException">No samples, or a sample whose answer came back before it left.</exception>
    public static ClockOffset Estimate(int node, IEnumerable<ClockSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ClockSample? best = null;
        foreach (var s in samples)
        {
            if (!(s.RoundTripMs >= 0) || !double.IsFinite(s.RemoteMs))
                throw new ArgumentException($"node {node}: a ping-pong sample with round trip {s.RoundTripMs} ms and remote clock {s.RemoteMs} is not a measurement", nameof(samples));
            if (best is null || s.RoundTripMs < best.Value.RoundTripMs) best = s;
        }

        if (best is not { } b) throw new ArgumentException($"node {node}: no ping-pong samples to estimate its clock from", nameof(samples));
        return new ClockOffset(node, b.RemoteMs - ((b.SendMs + b.ReceiveMs) / 2), b.RoundTripMs / 2);
    }
}
