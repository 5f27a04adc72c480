using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using Akka.Actor;
using Akka.Serialization;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Distributed;
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
    internal const string ClockPingManifest = "tp";
    internal const string ClockPongManifest = "tq";
    internal const string FramePartManifest = "fp";

    private const string Name = nameof(DataPlaneSerializer);

    private static readonly string[] KnownManifests =
        [SpikeBatchManifest, AnalogInputManifest, PartitionReportManifest, WeightChunkManifest, WeightChunkAckManifest, ClockPingManifest, ClockPongManifest, FramePartManifest];

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        SpikeBatchMessage => SpikeBatchManifest,
        AnalogInputMessage => AnalogInputManifest,
        PartitionBatchReport => PartitionReportManifest,
        WeightChunk => WeightChunkManifest,
        WeightChunkAck => WeightChunkAckManifest,
        ClockPing => ClockPingManifest,
        ClockPong => ClockPongManifest,
        FramePart => FramePartManifest,
        _ => throw NotOurs(Name, o),
    };

    public override byte[] ToBinary(object obj) => Serialize(obj);

    /// <summary>
    /// At least the bytes <see cref="Serialize"/> makes of <paramref name="message"/>, found without writing it (MessagePack
    /// writes an int in at most 5 bytes, a long or double in at most 9, a string in at most 3 per UTF-16 unit plus 5), so
    /// that a sender serializes a message itself only when it may not fit a frame.
    /// </summary>
    internal static long MaxBytes(IDataPlaneMessage message) => message switch
    {
        SpikeBatchMessage m => 64 + (3L * m.RunId.Length) + m.Payload.Length,
        AnalogInputMessage m => 64 + (3L * m.RunId.Length) + m.Payload.Length,
        PartitionBatchReport m => 512 + (3L * m.RunId.Length) + (4L * m.Potentials.Length) + (5L * m.LocalTimes.Length) + (32L * m.LinkTargets.Length)
            + (9L * m.FaultCounters.Length) + (9L * m.StepSpikes.Length) + (64L * (m.Trace?.InputSources.Length ?? 0)),
        FramePart m => 128 + (3L * m.RunId.Length) + m.Bytes.Length,
        _ => long.MaxValue,
    };

    /// <summary>The message as this serializer writes it (what <see cref="ToBinary"/> returns).</summary>
    internal static byte[] Serialize(object obj) => obj switch
    {
        SpikeBatchMessage m => Write(m, 64 + m.RunId.Length + m.Payload.Length, static (ref MessagePackWriter w, SpikeBatchMessage m) =>
        {
            w.WriteArrayHeader(9);
            w.Write(m.RunId);
            w.Write(m.BatchId);
            w.Write(m.Attempt);
            w.Write(m.SourcePartition);
            w.Write(m.TargetPartition);
            w.Write(m.SampleCount);
            w.Write(m.SpikeCount);
            w.Write(m.Payload);
            w.Write(m.SentMs);
        }),
        AnalogInputMessage m => Write(m, 64 + m.RunId.Length + m.Payload.Length, static (ref MessagePackWriter w, AnalogInputMessage m) =>
        {
            w.WriteArrayHeader(7);
            w.Write(m.RunId);
            w.Write(m.BatchId);
            w.Write(m.Attempt);
            w.Write(m.TargetPartition);
            w.Write(m.SampleCount);
            w.Write(m.Payload);
            w.Write(m.SentMs);
        }),
        PartitionBatchReport m => Write(m, 256 + m.RunId.Length + (4 * m.Potentials.Length) + (2 * m.LocalTimes.Length) + (32 * m.LinkTargets.Length) + (9 * m.FaultCounters.Length)
                + (9 * m.StepSpikes.Length) + (64 * (m.Trace?.InputSources.Length ?? 0)),
            static (ref MessagePackWriter w, PartitionBatchReport m) =>
        {
            w.WriteArrayHeader(18);
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
            WriteLongs(ref w, m.StepSpikes);
            WriteTrace(ref w, m.Trace);
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
        ClockPing m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, ClockPing m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            w.Write(m.Sequence);
        }),
        ClockPong m => Write(m, 40 + m.RunId.Length, static (ref MessagePackWriter w, ClockPong m) =>
        {
            w.WriteArrayHeader(3);
            w.Write(m.RunId);
            w.Write(m.Sequence);
            w.Write(m.RemoteMs);
        }),
        FramePart m => Write(m, 128 + m.RunId.Length + m.Bytes.Length, static (ref MessagePackWriter w, FramePart m) =>
        {
            w.WriteArrayHeader(10);
            w.Write(m.RunId);
            w.Write((byte)m.Kind);
            w.Write(m.BatchId);
            w.Write(m.Attempt);
            w.Write(m.Source);
            w.Write(m.Target);
            w.Write(m.PartIndex);
            w.Write(m.PartCount);
            w.Write(m.TotalBytes);
            w.Write(m.Bytes);
        }),
        _ => throw NotOurs(Name, obj),
    };

    /// <summary>A message from bytes <see cref="Serialize"/> made (the merged parts of a <see cref="FramePart"/>), stamped as <see cref="FromBinary"/> stamps.</summary>
    internal static object Deserialize(byte[] bytes, string manifest) => Stamp(ReadMessage(bytes, manifest), bytes.Length);

    /// <summary>
    /// Reads a message and, for the traffic instrument, stamps a spike or input message with the bytes it came in and
    /// when (this process's trace clock); the stamp is never on the wire.
    /// </summary>
    public override object FromBinary(byte[] bytes, string manifest) => Stamp(ReadMessage(bytes, manifest), bytes.Length);

    private static object ReadMessage(byte[] bytes, string manifest) => manifest switch
    {
        SpikeBatchManifest => Read(Name, manifest, nameof(SpikeBatchMessage), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 9);
            var m = new SpikeBatchMessage(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt32(), r.ReadInt32(), ReadBytes(ref r, "Payload")) { SentMs = ReadTime(ref r, "SentMs") };
            RequireBatch(m.BatchId, m.Attempt, m.SampleCount);
            Require(m.SourcePartition >= -1, $"SourcePartition is {m.SourcePartition}, expected >= -1 (-1 = input injector)");
            RequireNonNegative(m.TargetPartition, "TargetPartition");
            RequireNonNegative(m.SpikeCount, "SpikeCount");
            return m;
        }),
        AnalogInputManifest => Read(Name, manifest, nameof(AnalogInputMessage), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 7);
            var m = new AnalogInputMessage(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                ReadBytes(ref r, "Payload")) { SentMs = ReadTime(ref r, "SentMs") };
            RequireBatch(m.BatchId, m.Attempt, m.SampleCount);
            RequireNonNegative(m.TargetPartition, "TargetPartition");
            return m;
        }),
        PartitionReportManifest => Read(Name, manifest, nameof(PartitionBatchReport), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 18);
            var m = new PartitionBatchReport(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), ReadFloats(ref r, "Potentials"), ReadInts(ref r, "LocalTimes"),
                ReadInts(ref r, "LinkTargets"), ReadLongs(ref r, "LinkMessages"), ReadLongs(ref r, "LinkSpikes"), ReadLongs(ref r, "LinkBytes"),
                ReadLongs(ref r, "FaultCounters"), r.ReadInt64())
            {
                StepSpikes = ReadLongs(ref r, "StepSpikes"),
                Trace = ReadTrace(ref r),
            };
            Require(m.StepSpikes.All(c => c >= 0), "a step spike count is negative");
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
        ClockPingManifest => Read(Name, manifest, nameof(ClockPing), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new ClockPing(ReadString(ref r, "RunId"), r.ReadInt32());
        }),
        ClockPongManifest => Read(Name, manifest, nameof(ClockPong), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 3);
            return new ClockPong(ReadString(ref r, "RunId"), r.ReadInt32(), ReadTime(ref r, "RemoteMs"));
        }),
        FramePartManifest => Read(Name, manifest, nameof(FramePart), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 10);
            var runId = ReadString(ref r, "RunId");
            var kind = r.ReadByte();
            Require(Enum.IsDefined((FramedKind)kind), $"Kind is {kind}, not a kind of message that travels in parts");
            var m = new FramePart(runId, (FramedKind)kind, r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), ReadBytes(ref r, "Bytes"));
            RequireBatch(m.BatchId, m.Attempt, 0);
            Require(m.Source >= -1 && m.Target >= -1, $"Source {m.Source} or Target {m.Target} is below -1");
            Require(m.PartCount >= 2 && m.PartIndex >= 0 && m.PartIndex < m.PartCount, $"part {m.PartIndex} of {m.PartCount} is not a valid part position");
            Require(m.TotalBytes <= FrameBudget.MaxMergedBytes, $"TotalBytes {m.TotalBytes} is more than the {FrameBudget.MaxMergedBytes} a message in parts may have");
            Require(m.Bytes.Length <= FrameBudget.MaxPartBytes, $"{m.Bytes.Length} bytes, more than the {FrameBudget.MaxPartBytes} a part may hold");
            return m;
        }),
        _ => throw UnknownManifest(Name, manifest, bytes.Length, KnownManifests),
    };

    /// <summary>The manifest of a message kind that travels in parts.</summary>
    internal static string ManifestOf(FramedKind kind) => kind switch
    {
        FramedKind.SpikeBatch => SpikeBatchManifest,
        FramedKind.AnalogInput => AnalogInputManifest,
        FramedKind.BatchReport => PartitionReportManifest,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind of message that travels in parts"),
    };

    private static object Stamp(object message, int length)
    {
        var arrived = TraceClock.NowMs;
        switch (message)
        {
            case SpikeBatchMessage s:
                s.Receipt = new ReceiptStamp(length, arrived);
                break;
            case AnalogInputMessage a:
                a.Receipt = new ReceiptStamp(length, arrived);
                break;
        }

        return message;
    }

    private static double ReadTime(ref MessagePackReader r, string field)
    {
        var value = r.ReadDouble();
        Require(double.IsFinite(value), $"{field} is {value}, expected a finite time");
        return value;
    }

    private static void WriteDoubles(ref MessagePackWriter w, double[] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static double[] ReadDoubles(ref MessagePackReader r, string field, int expected)
    {
        var count = r.ReadArrayHeader();
        Require(count == expected, $"{field} has {count} entries, expected {expected}");
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = ReadTime(ref r, field);
        return values;
    }

    private static void WriteTrace(ref MessagePackWriter w, BatchTraceWire? t)
    {
        if (t is null)
        {
            w.WriteNil();
            return;
        }

        w.WriteArrayHeader(11);
        WriteInts(ref w, t.InputSources);
        WriteLongs(ref w, t.InputSpikes);
        WriteLongs(ref w, t.InputPayloadBytes);
        WriteLongs(ref w, t.InputWireBytes);
        WriteDoubles(ref w, t.InputSentMs);
        WriteDoubles(ref w, t.InputArrivedMs);
        WriteDoubles(ref w, t.InputHandledMs);
        w.Write(t.DecodeMs);
        w.Write(t.IntegrateMs);
        w.Write(t.FireEncodeMs);
        w.Write(t.DoneMs);
    }

    private static BatchTraceWire? ReadTrace(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return null;
        ReadHeader(ref r, 11);
        var sources = ReadInts(ref r, "InputSources");
        var spikes = ReadLongs(ref r, "InputSpikes");
        var payload = ReadLongs(ref r, "InputPayloadBytes");
        var wire = ReadLongs(ref r, "InputWireBytes");
        RequireSameLength(sources.Length, "InputSources", spikes.Length, "InputSpikes");
        RequireSameLength(sources.Length, "InputSources", payload.Length, "InputPayloadBytes");
        RequireSameLength(sources.Length, "InputSources", wire.Length, "InputWireBytes");
        Require(sources.All(s => s >= -1) && spikes.All(c => c >= 0) && payload.All(c => c >= 0) && wire.All(c => c >= 0), "a trace input count or source is negative");
        return new BatchTraceWire(sources, spikes, payload, wire, ReadDoubles(ref r, "InputSentMs", sources.Length), ReadDoubles(ref r, "InputArrivedMs", sources.Length),
            ReadDoubles(ref r, "InputHandledMs", sources.Length), ReadTime(ref r, "DecodeMs"), ReadTime(ref r, "IntegrateMs"), ReadTime(ref r, "FireEncodeMs"), ReadTime(ref r, "DoneMs"));
    }

    private static void RequireBatch(int batchId, int attempt, int sampleCount)
    {
        RequireNonNegative(batchId, "BatchId");
        RequireNonNegative(attempt, "Attempt");
        RequireNonNegative(sampleCount, "SampleCount");
    }
}
