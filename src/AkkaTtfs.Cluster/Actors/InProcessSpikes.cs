using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// What a <see cref="Protocol.SpikeBatchMessage"/> says, for a target partition in the same actor system: the spikes
/// themselves instead of their encoded payload, since a local send is never serialized (Akka passes the object), so
/// encoding and decoding would only cost time. The receiver checks them as it checks a decoded payload. Not a wire
/// message on purpose: no marker interface binds it to a serializer, so it can neither leave the process nor arrive
/// from another one (the serializers refuse unbound types). Sent only while akka.actor.serialize-messages is off and
/// <see cref="PartitionActor.InProcessSpikesKey"/> is on.
/// </summary>
/// <param name="PayloadBytes">What the encoded payload would have been (Core's <c>SpikeCodec.EncodedLength</c>): the traffic counters and the trace count it as sent.</param>
/// <param name="SentMs">When the sender sent it, on the process's trace clock.</param>
public sealed record InProcessSpikes(string RunId, int BatchId, int Attempt, int SourcePartition, int TargetPartition,
    int SampleCount, SpikeBatch Spikes, int PayloadBytes, double SentMs);
