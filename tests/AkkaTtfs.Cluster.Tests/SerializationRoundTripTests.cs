using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Serialization;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>
/// Every protocol message, found by reflection, through Akka's Serialization extension: serialized in
/// node 0, deserialized in node 1 (so actor refs resolve in another ActorSystem), and sent locally
/// with serialize-messages on.
/// </summary>
public sealed class SerializationRoundTripTests(TwoNodeFixture fixture) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private InProcessCluster Cluster => fixture.Cluster;

    public static TheoryData<string> MessageTypes => MessageSamples.AllMessageTypeNames();

    [Fact]
    public void The_protocol_has_all_the_expected_messages_and_each_has_one_marker()
    {
        Assert.Equal(24, MessageSamples.AllMessageTypes.Count);
        foreach (var t in MessageSamples.AllMessageTypes)
        {
            var markers = (typeof(IDataPlaneMessage).IsAssignableFrom(t) ? 1 : 0) + (typeof(IControlMessage).IsAssignableFrom(t) ? 1 : 0);
            Assert.True(markers == 1, $"{t.Name} implements {markers} marker interfaces; exactly one binds it to a serializer");
            Assert.True(t.IsSealed, $"{t.Name} must be sealed");
            Assert.True(t.GetMethod("<Clone>$") is not null, $"{t.Name} must be a record");
        }
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Round_trips_through_the_bound_serializer_into_another_actor_system(string typeName)
    {
        var type = MessageSamples.TypeNamed(typeName);
        var probe0 = Cluster.CreateProbe(0);
        var probe1 = Cluster.CreateProbe(1);
        // Node 0 serializes refs to an actor of its own and to one of node 1 (as node 0 sees it).
        var message = MessageSamples.Create(type, probe0.Ref, Cluster.RefFrom(0, probe1.Ref));

        var serializer = Cluster[0].System.Serialization.FindSerializerFor(message);
        if (message is IDataPlaneMessage) Assert.IsType<DataPlaneSerializer>(serializer);
        else Assert.IsType<ControlSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var manifest = AkkaSerialization.ManifestFor(serializer, message);
        Assert.InRange(manifest.Length, 1, 3);

        var back = Cluster[1].System.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        MessageAssert.SameContent(message, back);
        if (message is NodeRegistered) Assert.Same(NodeRegistered.Instance, back);

        // Refs resolved in node 1 reach the original actors: probe0 remotely, probe1 locally.
        foreach (var (r, k) in RefsOf(back).Select((r, k) => (r, k)))
        {
            var ping = new WeightChunkAck("ping", 0, k);
            r.Tell(ping);
            var target = ((IInternalActorRef)r).IsLocal ? probe1 : probe0;
            Assert.Equal(ping, target.ExpectMsg<WeightChunkAck>(Timeout));
        }
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Is_delivered_by_a_local_send_with_serialize_messages_on(string typeName)
    {
        Assert.True(Cluster[0].System.Settings.SerializeAllMessages);
        var probe = Cluster.CreateProbe(0);
        var message = MessageSamples.Create(MessageSamples.TypeNamed(typeName), probe.Ref, probe.Ref);
        probe.Ref.Tell(message);
        var received = probe.ExpectMsg<object>(Timeout);
        MessageAssert.SameContent(message, received);
        if (message is not NodeRegistered) Assert.NotSame(message, received); // a copy: it went through the serializer
    }

    [Fact]
    public void Manifests_are_distinct_across_both_serializers()
    {
        var system = Cluster[0].System;
        var probe = Cluster.CreateProbe(0);
        var manifests = MessageSamples.AllMessageTypes
            .Select(t => MessageSamples.Create(t, probe.Ref, probe.Ref))
            .Select(m => AkkaSerialization.ManifestFor(system.Serialization.FindSerializerFor(m), m))
            .ToArray();
        Assert.Equal(manifests.Length, manifests.Distinct().Count());
    }

    [Fact]
    public void A_spike_batch_costs_its_payload_plus_a_small_fixed_header()
    {
        var payload = new byte[100_000];
        var message = new SpikeBatchMessage("run-1", 1_000_000, 3, 120, 121, 64, 50_000, payload);
        var bytes = Cluster[0].System.Serialization.FindSerializerFor(message).ToBinary(message);
        Assert.InRange(bytes.Length - payload.Length, 1, 40);
    }

    [Fact]
    public void A_maximum_weight_chunk_crosses_the_wire_intact()
    {
        var values = new float[FrameBudget.MaxWeightChunkValues];
        var rng = new Random(7);
        for (var k = 0; k < values.Length; k++) values[k] = (float)((rng.NextDouble() * 2) - 1);
        var chunk = new WeightChunk(new string('r', FrameBudget.MaxRunIdLength), 3, 0, 1, values);
        var probe = Cluster.CreateProbe(1);

        Cluster.RefFrom(0, probe.Ref).Tell(chunk);

        var received = probe.ExpectMsg<WeightChunk>(TimeSpan.FromSeconds(30));
        MessageAssert.SameContent(chunk, received);
    }

    private static IActorRef[] RefsOf(object message) => message switch
    {
        PartitionsSpawned m => m.Refs,
        WirePartition m => [.. m.TargetRefs, m.Collector],
        _ => [],
    };
}
