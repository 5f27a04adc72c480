using Akka.Actor;
using Akka.Serialization;
using AkkaTtfs.Cluster.Protocol;
using MessagePack;
using static AkkaTtfs.Cluster.Serialization.WireFormat;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace AkkaTtfs.Cluster.Serialization;

/// <summary>
/// MessagePack serializer of the control plane (<see cref="IControlMessage"/>). Same rules as
/// <see cref="DataPlaneSerializer"/>: hand-written fields, a short manifest per record and nothing else
/// readable. Actor references travel as their full serialized path (host and port included) and are
/// resolved by the receiving system's provider, so a ref sent from one node works on every other.
/// Why MessagePack and not Hyperion: see README.md beside this file.
/// </summary>
public sealed class ControlSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Serializer id on the wire; also in base.conf's serialization-identifiers. Never reuse or change.</summary>
    public const int Id = 7702;

    internal const string SpawnPartitionsManifest = "sp";
    internal const string PartitionsSpawnedManifest = "ss";
    internal const string DeployPartitionManifest = "dp";
    internal const string DeployCompleteManifest = "dc";
    internal const string PartitionReadyManifest = "pr";
    internal const string PartitionFailedManifest = "pf";
    internal const string WirePartitionManifest = "wp";
    internal const string StopPartitionManifest = "st";
    internal const string RegisterNodeManifest = "rn";
    internal const string NodeRegisteredManifest = "nr";
    internal const string CrashPartitionManifest = "cp";
    internal const string KillNodeManifest = "kn";
    internal const string CutLinkManifest = "cl";
    internal const string RuntimeFaultRefusedManifest = "rf";
    internal const string NodeMemoryQueryManifest = "mq";
    internal const string NodeMemoryManifest = "nm";

    private const string Name = nameof(ControlSerializer);

    private static readonly string[] KnownManifests =
    [
        SpawnPartitionsManifest, PartitionsSpawnedManifest, DeployPartitionManifest, DeployCompleteManifest, PartitionReadyManifest,
        PartitionFailedManifest, WirePartitionManifest, StopPartitionManifest, RegisterNodeManifest, NodeRegisteredManifest,
        CrashPartitionManifest, KillNodeManifest, CutLinkManifest, RuntimeFaultRefusedManifest, NodeMemoryQueryManifest, NodeMemoryManifest,
    ];

    private readonly ExtendedActorSystem _system = system;

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        SpawnPartitions => SpawnPartitionsManifest,
        PartitionsSpawned => PartitionsSpawnedManifest,
        DeployPartition => DeployPartitionManifest,
        DeployComplete => DeployCompleteManifest,
        PartitionReady => PartitionReadyManifest,
        PartitionFailed => PartitionFailedManifest,
        WirePartition => WirePartitionManifest,
        StopPartition => StopPartitionManifest,
        RegisterNode => RegisterNodeManifest,
        NodeRegistered => NodeRegisteredManifest,
        CrashPartition => CrashPartitionManifest,
        KillNode => KillNodeManifest,
        CutLink => CutLinkManifest,
        RuntimeFaultRefused => RuntimeFaultRefusedManifest,
        NodeMemoryQuery => NodeMemoryQueryManifest,
        NodeMemory => NodeMemoryManifest,
        _ => throw NotOurs(Name, o),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        SpawnPartitions m => Write(m, 32 + m.RunId.Length + (5 * m.PartitionIds.Length), static (ref MessagePackWriter w, SpawnPartitions m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            WriteInts(ref w, m.PartitionIds);
        }),
        PartitionsSpawned m => Write(m, 256, static (ref MessagePackWriter w, PartitionsSpawned m) =>
        {
            w.WriteArrayHeader(3);
            w.Write(m.RunId);
            WriteInts(ref w, m.PartitionIds);
            WriteRefs(ref w, m.Refs);
        }),
        DeployPartition m => Write(m, 256 + m.Architecture.Length + m.PartitionSpec.Length + (3 * m.FaultPlanJson.Length), static (ref MessagePackWriter w, DeployPartition m) =>
        {
            w.WriteArrayHeader(15);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
            w.Write(m.Architecture);
            WriteInts(ref w, m.InputShape);
            w.Write(m.T);
            w.Write(m.PartitionSpec);
            w.Write(m.InputMode);
            WriteFloats(ref w, m.KernelTaus);
            WriteFloats(ref w, m.KernelTds);
            w.Write(m.WeightCount);
            w.Write(m.BiasCount);
            w.Write(m.Sha256);
            w.Write(m.RecordSpikes);
            w.Write(m.BatchSize);
            w.Write(m.FaultPlanJson);
        }),
        DeployComplete m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, DeployComplete m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
        }),
        PartitionReady m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, PartitionReady m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
        }),
        PartitionFailed m => Write(m, 32 + m.RunId.Length + m.Reason.Length, static (ref MessagePackWriter w, PartitionFailed m) =>
        {
            w.WriteArrayHeader(3);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
            w.Write(m.Reason);
        }),
        WirePartition m => Write(m, 256, static (ref MessagePackWriter w, WirePartition m) =>
        {
            w.WriteArrayHeader(5);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
            WriteInts(ref w, m.TargetIds);
            WriteRefs(ref w, m.TargetRefs);
            WriteRef(ref w, m.Collector);
        }),
        StopPartition m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, StopPartition m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
        }),
        RegisterNode m => Write(m, 64 + m.Address.Length, static (ref MessagePackWriter w, RegisterNode m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.Address);
            WriteStrings(ref w, m.Roles);
        }),
        NodeRegistered m => Write(m, 4, static (ref MessagePackWriter w, NodeRegistered _) => w.WriteArrayHeader(0)),
        CrashPartition m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, CrashPartition m) =>
        {
            w.WriteArrayHeader(3);
            w.Write(m.RunId);
            w.Write(m.PartitionId);
            w.Write(m.FaultIndex);
        }),
        KillNode m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, KillNode m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            w.Write(m.FaultIndex);
        }),
        CutLink m => Write(m, 48 + m.RunId.Length + m.Remote.Length, static (ref MessagePackWriter w, CutLink m) =>
        {
            w.WriteArrayHeader(4);
            w.Write(m.RunId);
            w.Write(m.FaultIndex);
            w.Write(m.Remote);
            w.Write(m.Milliseconds);
        }),
        RuntimeFaultRefused m => Write(m, 32 + m.RunId.Length + (3 * m.Reason.Length), static (ref MessagePackWriter w, RuntimeFaultRefused m) =>
        {
            w.WriteArrayHeader(3);
            w.Write(m.RunId);
            w.Write(m.FaultIndex);
            w.Write(m.Reason);
        }),
        NodeMemoryQuery m => Write(m, 32 + m.RunId.Length, static (ref MessagePackWriter w, NodeMemoryQuery m) =>
        {
            w.WriteArrayHeader(2);
            w.Write(m.RunId);
            w.Write((byte)m.Moment);
        }),
        NodeMemory m => Write(m, 64 + m.RunId.Length, static (ref MessagePackWriter w, NodeMemory m) =>
        {
            w.WriteArrayHeader(6);
            w.Write(m.RunId);
            w.Write((byte)m.Moment);
            w.Write(m.ProcessId);
            w.Write(m.PeakWorkingSetBytes);
            w.Write(m.WorkingSetBytes);
            w.Write(m.ManagedHeapBytes);
        }),
        _ => throw NotOurs(Name, obj),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        SpawnPartitionsManifest => Read(Name, manifest, nameof(SpawnPartitions), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new SpawnPartitions(ReadString(ref r, "RunId"), ReadInts(ref r, "PartitionIds"));
        }),
        PartitionsSpawnedManifest => Read(Name, manifest, nameof(PartitionsSpawned), bytes, (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 3);
            var m = new PartitionsSpawned(ReadString(ref r, "RunId"), ReadInts(ref r, "PartitionIds"), ReadRefs(ref r, "Refs"));
            RequireSameLength(m.PartitionIds.Length, "PartitionIds", m.Refs.Length, "Refs");
            return m;
        }),
        DeployPartitionManifest => Read(Name, manifest, nameof(DeployPartition), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 15);
            var m = new DeployPartition(ReadString(ref r, "RunId"), r.ReadInt32(), ReadString(ref r, "Architecture"), ReadInts(ref r, "InputShape"),
                r.ReadInt32(), ReadString(ref r, "PartitionSpec"), ReadString(ref r, "InputMode"), ReadFloats(ref r, "KernelTaus"),
                ReadFloats(ref r, "KernelTds"), r.ReadInt32(), r.ReadInt32(), ReadString(ref r, "Sha256"), r.ReadBoolean(), r.ReadInt32(),
                ReadString(ref r, "FaultPlanJson"));
            Require(m.BatchSize >= 1, $"BatchSize is {m.BatchSize}, expected >= 1");
            RequireNonNegative(m.PartitionId, "PartitionId");
            RequireNonNegative(m.WeightCount, "WeightCount");
            RequireNonNegative(m.BiasCount, "BiasCount");
            Require(m.T >= 1, $"T is {m.T}, expected >= 1");
            RequireSameLength(m.KernelTaus.Length, "KernelTaus", m.KernelTds.Length, "KernelTds");
            Require(m.KernelTaus.Length <= 2, $"{m.KernelTaus.Length} kernels, expected at most 2 (presynaptic, own)");
            Require(m.KernelTaus.All(float.IsFinite) && m.KernelTds.All(float.IsFinite), "a kernel tau or td is NaN or infinite");
            return m;
        }),
        DeployCompleteManifest => Read(Name, manifest, nameof(DeployComplete), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new DeployComplete(ReadString(ref r, "RunId"), r.ReadInt32());
        }),
        PartitionReadyManifest => Read(Name, manifest, nameof(PartitionReady), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new PartitionReady(ReadString(ref r, "RunId"), r.ReadInt32());
        }),
        PartitionFailedManifest => Read(Name, manifest, nameof(PartitionFailed), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 3);
            return new PartitionFailed(ReadString(ref r, "RunId"), r.ReadInt32(), ReadString(ref r, "Reason"));
        }),
        WirePartitionManifest => Read(Name, manifest, nameof(WirePartition), bytes, (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 5);
            var m = new WirePartition(ReadString(ref r, "RunId"), r.ReadInt32(), ReadInts(ref r, "TargetIds"), ReadRefs(ref r, "TargetRefs"),
                ReadRef(ref r, "Collector"));
            RequireSameLength(m.TargetIds.Length, "TargetIds", m.TargetRefs.Length, "TargetRefs");
            return m;
        }),
        StopPartitionManifest => Read(Name, manifest, nameof(StopPartition), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new StopPartition(ReadString(ref r, "RunId"), r.ReadInt32());
        }),
        RegisterNodeManifest => Read(Name, manifest, nameof(RegisterNode), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new RegisterNode(ReadString(ref r, "Address"), ReadStrings(ref r, "Roles"));
        }),
        NodeRegisteredManifest => Read(Name, manifest, nameof(NodeRegistered), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 0);
            return NodeRegistered.Instance;
        }),
        CrashPartitionManifest => Read(Name, manifest, nameof(CrashPartition), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 3);
            var m = new CrashPartition(ReadString(ref r, "RunId"), r.ReadInt32(), r.ReadInt32());
            RequireNonNegative(m.PartitionId, "PartitionId");
            RequireNonNegative(m.FaultIndex, "FaultIndex");
            return m;
        }),
        KillNodeManifest => Read(Name, manifest, nameof(KillNode), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            var m = new KillNode(ReadString(ref r, "RunId"), r.ReadInt32());
            RequireNonNegative(m.FaultIndex, "FaultIndex");
            return m;
        }),
        CutLinkManifest => Read(Name, manifest, nameof(CutLink), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 4);
            var m = new CutLink(ReadString(ref r, "RunId"), r.ReadInt32(), ReadString(ref r, "Remote"), r.ReadInt32());
            RequireNonNegative(m.FaultIndex, "FaultIndex");
            Require(m.Milliseconds > 0, $"Milliseconds is {m.Milliseconds}, expected > 0");
            Require(m.Remote.Length > 0, "Remote is empty");
            return m;
        }),
        RuntimeFaultRefusedManifest => Read(Name, manifest, nameof(RuntimeFaultRefused), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 3);
            var m = new RuntimeFaultRefused(ReadString(ref r, "RunId"), r.ReadInt32(), ReadString(ref r, "Reason"));
            RequireNonNegative(m.FaultIndex, "FaultIndex");
            return m;
        }),
        NodeMemoryQueryManifest => Read(Name, manifest, nameof(NodeMemoryQuery), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 2);
            return new NodeMemoryQuery(ReadString(ref r, "RunId"), ReadMoment(ref r));
        }),
        NodeMemoryManifest => Read(Name, manifest, nameof(NodeMemory), bytes, static (ref MessagePackReader r) =>
        {
            ReadHeader(ref r, 6);
            var m = new NodeMemory(ReadString(ref r, "RunId"), ReadMoment(ref r), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64());
            Require(m.PeakWorkingSetBytes >= 0, $"PeakWorkingSetBytes is {m.PeakWorkingSetBytes}, expected >= 0");
            Require(m.WorkingSetBytes >= 0, $"WorkingSetBytes is {m.WorkingSetBytes}, expected >= 0");
            Require(m.ManagedHeapBytes >= 0, $"ManagedHeapBytes is {m.ManagedHeapBytes}, expected >= 0");
            return m;
        }),
        _ => throw UnknownManifest(Name, manifest, bytes.Length, KnownManifests),
    };

    private static MemoryMoment ReadMoment(ref MessagePackReader reader)
    {
        var value = reader.ReadByte();
        Require(Enum.IsDefined((MemoryMoment)value), $"Moment is {value}, not a known moment");
        return (MemoryMoment)value;
    }

    private static void WriteRef(ref MessagePackWriter writer, IActorRef? actorRef)
    {
        // A missing ref would serialize as "" and fail only at the receiver; refuse it at the sender.
        if (actorRef is null || actorRef.IsNobody())
            throw new ArgumentException("an actor ref of a control message is null or Nobody; every ref field must name a live actor", nameof(actorRef));
        // The full path with the address this node is reachable at (the transport's, when remoting is on).
        writer.Write(AkkaSerialization.SerializedActorPath(actorRef));
    }

    private static void WriteRefs(ref MessagePackWriter writer, IActorRef[] refs)
    {
        writer.WriteArrayHeader(refs.Length);
        foreach (var r in refs) WriteRef(ref writer, r);
    }

    private IActorRef ReadRef(ref MessagePackReader reader, string field)
    {
        var path = ReadString(ref reader, field);
        Require(path.Length > 0, $"field {field} is an empty actor path");
        return _system.Provider.ResolveActorRef(path);
    }

    private IActorRef[] ReadRefs(ref MessagePackReader reader, string field)
    {
        var refs = new IActorRef[ReadCount(ref reader, field)];
        for (var k = 0; k < refs.Length; k++) refs[k] = ReadRef(ref reader, $"{field}[{k}]");
        return refs;
    }
}
