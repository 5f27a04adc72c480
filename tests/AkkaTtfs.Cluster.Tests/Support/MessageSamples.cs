using System.Reflection;
using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// Every protocol message type (found by reflection) and one non-trivial sample of each. A new message
/// type without a sample here fails the round-trip tests, so none can be added untested.
/// </summary>
public static class MessageSamples
{
    public static IReadOnlyList<Type> AllMessageTypes { get; } =
        typeof(IDataPlaneMessage).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false }
                        && (typeof(IDataPlaneMessage).IsAssignableFrom(t) || typeof(IControlMessage).IsAssignableFrom(t)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();

    public static TheoryData<string> AllMessageTypeNames()
    {
        var data = new TheoryData<string>();
        foreach (var t in AllMessageTypes) data.Add(t.Name);
        return data;
    }

    public static Type TypeNamed(string name) => AllMessageTypes.Single(t => t.Name == name);

    /// <summary>A sample of <paramref name="type"/>; <paramref name="a"/> and <paramref name="b"/> fill IActorRef fields.</summary>
    public static object Create(Type type, IActorRef a, IActorRef b)
    {
        const string Run = "run-2026-01-01T00:00:00Z-ü";
        float[] oddFloats = [0f, -0f, 1.5f, -3.25e-5f, float.Epsilon, float.MaxValue, float.MinValue, 1e30f];
        return type.Name switch
        {
            nameof(SpikeBatchMessage) => new SpikeBatchMessage(Run, 12, 1, -1, 7, 64, 3, [0, 1, 2, 3, 250, 255, 128, 7]) { SentMs = 123_456_789.123_456 },
            nameof(AnalogInputMessage) => new AnalogInputMessage(Run, int.MaxValue, 0, 0, 2, [9, 8, 7, 0, 255]) { SentMs = -0.5 },
            nameof(ClockPing) => new ClockPing(Run, 3),
            nameof(ClockPong) => new ClockPong(Run, int.MaxValue, 9.87654321e9),
            nameof(PartitionBatchReport) => new PartitionBatchReport(Run, 4, 2, 5, 2, 123_456_789_012L, long.MaxValue, 0, [.. oddFloats, -1f, 2f],
                [-1, 0, 3, 255, -1, 127, 128, 31], [6, 7, 300], [1, 1, 1], [1, 2, 3_000_000_000L], [17, 0, 1L << 40],
                [.. Enumerable.Range(0, FaultCounters.Names.Count).Select(i => (i * 1_000_000_007L) + i)], 9_876_543_210L)
            {
                StepSpikes = [0, 5, 1L << 40],
                Trace = new BatchTraceWire([-1, 3], [7, 0], [12, 1], [90, 0], [1.25, 2e9], [1.5, 2e9 + 1], [2.75, 2e9 + 3], 0.125, 3.5, 1e-6, 2e9 + 4),
            },
            nameof(FramePart) => new FramePart(Run, FramedKind.BatchReport, 7, 2, 5, -1, 1, 3, 11, [0, 255, 128, 7]),
            nameof(WeightChunk) => new WeightChunk(Run, 2, 1, 3, oddFloats),
            nameof(WeightChunkAck) => new WeightChunkAck(Run, 2, 1),
            nameof(SpawnPartitions) => new SpawnPartitions(Run, [0, 3, 9]),
            nameof(PartitionsSpawned) => new PartitionsSpawned(Run, [0, 3], [a, b]),
            nameof(DeployPartition) => new DeployPartition(Run, 3, "conv16k5-pool2-conv32k3-pool2-fc10", [1, 28, 28], 16, "c1|c4|c2t2x2|c1", "ttfs",
                [4.5f, 8.25f], [0.5f, -1f], 200_704, 256, new string('a', 64), true, 32,
                """{"seed":18446744073709551615,"faults":[{"kind":"drop","layer":0,"rate":0.05,"from":3}]}"""),
            nameof(DeployComplete) => new DeployComplete(Run, 3),
            nameof(PartitionReady) => new PartitionReady(Run, 4),
            nameof(PartitionFailed) => new PartitionFailed(Run, 5, "weights checksum mismatch: expected 'ab..', got 'cd..'\nline 2"),
            nameof(WirePartition) => new WirePartition(Run, 1, [4, 5], [a, b], b),
            nameof(StopPartition) => new StopPartition(Run, 1),
            nameof(RegisterNode) => new RegisterNode("akka.tcp://akkattfs@127.0.0.1:4053", ["coordinator", "worker"]),
            nameof(NodeRegistered) => NodeRegistered.Instance,
            nameof(CrashPartition) => new CrashPartition(Run, 6, 2),
            nameof(KillNode) => new KillNode(Run, 0),
            nameof(CutLink) => new CutLink(Run, 3, "akka.trttl.gremlin.tcp://akkattfs@127.0.0.1:40111", 2500),
            nameof(NodeMemoryQuery) => new NodeMemoryQuery(Run, MemoryMoment.End),
            nameof(NodeMemory) => new NodeMemory(Run, MemoryMoment.Deployed, int.MaxValue, 5_000_000_000L, 0, long.MaxValue),
            nameof(RuntimeFaultRefused) => new RuntimeFaultRefused(Run, 1, "the throttler adapter is not loaded (start every node with --fault-injection)"),
            _ => throw new InvalidOperationException(
                $"no sample for protocol message {type.Name}: add one to {nameof(MessageSamples)}.{nameof(Create)} (and check its serializer has a manifest for it)"),
        };
    }
}

/// <summary>Compares protocol messages by content: arrays element by element (floats bit for bit), actor refs by path.</summary>
public static class MessageAssert
{
    public static void SameContent(object expected, object actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        var props = expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (var p in props)
        {
            var e = p.GetValue(expected);
            var a = p.GetValue(actual);
            switch (e)
            {
                case null:
                    Assert.Null(a);
                    break;
                case float[] ef:
                    Assert.Equal(ef.Select(BitConverter.SingleToInt32Bits), ((float[])a!).Select(BitConverter.SingleToInt32Bits));
                    break;
                case BatchTraceWire et:
                    SameContent(et, a!);
                    break;
                case double ed:
                    Assert.Equal(BitConverter.DoubleToInt64Bits(ed), BitConverter.DoubleToInt64Bits((double)a!));
                    break;
                case IActorRef er:
                    SameRef(er, (IActorRef)a!, p.Name);
                    break;
                case IActorRef[] ers:
                    var ars = (IActorRef[])a!;
                    Assert.Equal(ers.Length, ars.Length);
                    for (var k = 0; k < ers.Length; k++) SameRef(ers[k], ars[k], $"{p.Name}[{k}]");
                    break;
                case Array ea:
                    Assert.Equal(ea.Cast<object>(), ((Array)a!).Cast<object>());
                    break;
                default:
                    Assert.Equal(e, a);
                    break;
            }
        }
    }

    private static void SameRef(IActorRef expected, IActorRef actual, string field)
    {
        Assert.True(expected.Path.Elements.SequenceEqual(actual.Path.Elements), $"{field}: {actual.Path} is not {expected.Path}");
        Assert.Equal(expected.Path.Uid, actual.Path.Uid);
    }
}
