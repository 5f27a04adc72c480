using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using Akka.Actor;
using Akka.Serialization;
using AkkaTtfs.Cluster.Protocol;
using MessagePack;
using static AkkaTtfs.Cluster.Serialization.WireFormat;

namespace AkkaTtfs.Cluster.Serialization;

/// <summary>
/// MessagePack serializer of the data plane (<see cref="IDataPlaneMessage"/>): spike batches, inputs,
/// outputs, statistics and weight chunks. Hand-written over MessagePackWriter/Reader: no attributes, no
/// resolver, no reflection, so the manifest switch is the complete list of what can be read. Payloads and
/// float arrays go out as single binary blocks. Bound in cluster-config/base.conf.
/// </summary>
public sealed class DataPlaneSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Serializer id on the wire; also in base.conf's serialization-identifiers. Never reuse or change.</summary>
    public const int Id = 7701;

    internal const string SpikeBatchManifest = "sb";
    internal const string AnalogInputManifest = "ai";
    internal const string PartitionReportManifest = "br";
    internal const string WeightChunkManifest = "wc";
    internal const string WeightChunkAckManifest = "wa";

    private const string Name = nameof(DataPlaneSerializer);

    private static readonly string[] KnownManifests =
        [SpikeBatchManifest, AnalogInputManifest, PartitionReportManifest, WeightChunkManifest, WeightChunkAckManifest];

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        SpikeBatchMessage => SpikeBatchManifest,
        AnalogInputMessage => AnalogInputManifest,
        PartitionBatchReport => PartitionReportManifest,
        WeightChunk => WeightChunkManifest,
        WeightChunkAck => WeightChunkAckManifest,
        _ => throw NotOurs(Name, o),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        SpikeBatchMessage m => Write(m, 64 + m.RunId.Length + m.Payload.Length, static (ref MessagePackWriter w, SpikeBatchMessage m) =>
        {
            w.WriteArrayHeader(8);
            w.Write(m.RunId);
            w.Write(m.BatchId);
            w.Write(m.Attempt);
            w.Write(m.SourcePartition);
            w.Write(m.TargetPartition);
            w.Write(m.SampleCount);
            w.Write(m.SpikeCount);
            w.Write(m.Payload);
        }),
        AnalogInputMessage m => Write(m, 64 + m.RunId.Length + m.Payload.Length, static (ref MessagePackWriter w, AnalogInputMessage m) =>
        {
            w.WriteArrayHeader(6);
            w.Write(m.RunId);
            w.Write(m.BatchId);
            w.Write(m.Attempt);
            w.Write(m.TargetPartition);
            w.Write(m.SampleCount);
            w.Write(m.Payload);
        }),
        PartitionBatchReport m => Write(m, 128 + m.RunId.Length + (4 * m.Potentials.Length) + (2 * m.LocalTimes.Length) + (32 * m.LinkTargets.Length) + (9 * m.FaultCounters.Length),
            static (ref MessagePackWriter w, PartitionBatchReport m) =>
        {
            w.WriteArrayHeader(16);
            w.Write(m.RunId);
            w.Write(m.BatchId);
            w.Write(m.Attempt);
            w.Write(m.PartitionId);
            w.Write(m.SampleCount);
            w.Write(m.Spikes);
            w.Write(m.SynOps);
            w.Write(m.AnalogEvents);
            WriteFloats(ref w, m.Potentials);
            WriteInts(ref w, m.LocalTimes);
            WriteInts(ref w, m.LinkTargets);
            WriteLongs(ref w, m.LinkMessages);
            WriteLongs(ref w, m.LinkSpikes);
            WriteLongs(ref w, m.LinkBytes);
            WriteLongs(ref w, m.FaultCounters);
            w.Write(m.SpikesDelivered);
        }),
        WeightChunk m => Write(m, 64 + m.RunId.Length + (4 * m.Values.Length), static (ref MessagePackWriter w, WeightChunk m) =>
        {
            w.WriteArrayHeader(5);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
            w.Write(m.ChunkIndex);
            w.Write(m.ChunkCount);
            WriteFloats(ref w, m.Values);
        }),
        WeightChunkAck m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, WeightChunkAck m) =>
        {
            w.WriteArrayHeader(3);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
            w.Write(m.ChunkIndex);
        }),
        _ => throw NotOurs(Name, obj),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        SpikeBatchManifest => Read(Name, manifest, nameof(SpikeBatchMessage), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 8);
            var m = new SpikeBatchMessage(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt32(), r.ReadInt32(), ReadBytes(ref r, "Payload"));
            RequireBatch(m.BatchId, m.Attempt, m.SampleCount);
            Require(m.SourcePartition >= -1, $"SourcePartition is {m.SourcePartition}, expected >= -1 (-1 = input injector)");
            RequireNonNegative(m.TargetPartition, "TargetPartition");
            RequireNonNegative(m.SpikeCount, "SpikeCount");
            return m;
        }),
        AnalogInputManifest => Read(Name, manifest, nameof(AnalogInputMessage), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 6);
            var m = new AnalogInputMessage(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                ReadBytes(ref r, "Payload"));
            RequireBatch(m.BatchId, m.Attempt, m.SampleCount);
            RequireNonNegative(m.TargetPartition, "TargetPartition");
            return m;
        }),
        PartitionReportManifest => Read(Name, manifest, nameof(PartitionBatchReport), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 16);
            var m = new PartitionBatchReport(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), ReadFloats(ref r, "Potentials"), ReadInts(ref r, "LocalTimes"),
                ReadInts(ref r, "LinkTargets"), ReadLongs(ref r, "LinkMessages"), ReadLongs(ref r, "LinkSpikes"), ReadLongs(ref r, "LinkBytes"),
                ReadLongs(ref r, "FaultCounters"), r.ReadInt64());
            RequireBatch(m.BatchId, m.Attempt, m.SampleCount);
            RequireNonNegative(m.PartitionId, "PartitionId");
            Require(m.Spikes >= 0 && m.SynOps >= 0 && m.AnalogEvents >= 0 && m.SpikesDelivered >= 0, "a count is negative");
            Require(m.SampleCount > 0 || (m.Potentials.Length == 0 && m.LocalTimes.Length == 0), "potentials or spike times for 0 samples");
            Require(m.SampleCount == 0 || m.Potentials.Length % m.SampleCount == 0, $"{m.Potentials.Length} potentials are not a whole number per sample of {m.SampleCount}");
            Require(m.SampleCount == 0 || m.LocalTimes.Length % m.SampleCount == 0, $"{m.LocalTimes.Length} spike times are not a whole number per sample of {m.SampleCount}");
            RequireSameLength(m.LinkTargets.Length, "LinkTargets", m.LinkMessages.Length, "LinkMessages");
            RequireSameLength(m.LinkTargets.Length, "LinkTargets", m.LinkSpikes.Length, "LinkSpikes");
            RequireSameLength(m.LinkTargets.Length, "LinkTargets", m.LinkBytes.Length, "LinkBytes");
            Require(m.FaultCounters.Length == 0 || m.FaultCounters.Length == FaultCounters.Names.Count,
                $"{m.FaultCounters.Length} fault counters, expected 0 or {FaultCounters.Names.Count}");
            Require(m.FaultCounters.All(c => c >= 0), "a fault counter is negative");
            return m;
        }),
        WeightChunkManifest => Read(Name, manifest, nameof(WeightChunk), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 5);
            var m = new WeightChunk(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), ReadFloats(ref r, "Values"));
            RequireNonNegative(m.PartitionId, "PartitionId");
            Require(m.ChunkCount >= 1 && m.ChunkIndex >= 0 && m.ChunkIndex < m.ChunkCount,
                $"chunk {m.ChunkIndex} of {m.ChunkCount} is not a valid chunk position");
            Require(m.Values.Length <= FrameBudget.MaxWeightChunkValues,
                $"{m.Values.Length} values, more than the {FrameBudget.MaxWeightChunkValues} a chunk may hold");
            return m;
        }),
        WeightChunkAckManifest => Read(Name, manifest, nameof(WeightChunkAck), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 3);
            var m = new WeightChunkAck(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32());
            RequireNonNegative(m.PartitionId, "PartitionId");
            RequireNonNegative(m.ChunkIndex, "ChunkIndex");
            return m;
        }),
        _ => throw UnknownManifest(Name, manifest, bytes.Length, KnownManifests),
    };

    private static void RequireBatch(int batchId, int attempt, int sampleCount)
    {
        RequireNonNegative(batchId, "BatchId");
        RequireNonNegative(attempt, "Attempt");
        RequireNonNegative(sampleCount, "SampleCount");
    }
}
