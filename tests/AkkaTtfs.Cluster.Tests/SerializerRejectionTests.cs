using System.Runtime.Serialization;
using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Serialization;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>Bytes that are not a protocol message are refused with a SerializationException, and the node goes on.</summary>
public sealed class SerializerRejectionTests(TwoNodeFixture fixture) : IClassFixture<TwoNodeFixture>
{
    private const string ForeignType = "System.IO.FileInfo, System.IO.FileSystem";

    private InProcessCluster Cluster => fixture.Cluster;

    private AkkaSerialization Serialization => Cluster[0].System.Serialization;

    public static TheoryData<string> MessageTypes => MessageSamples.AllMessageTypeNames();

    [Theory]
    [InlineData(DataPlaneSerializer.Id, "zz")]
    [InlineData(ControlSerializer.Id, "zz")]
    [InlineData(DataPlaneSerializer.Id, ForeignType)]
    [InlineData(ControlSerializer.Id, ForeignType)]
    [InlineData(ControlSerializer.Id, "AkkaTtfs.Cluster.Protocol.WirePartition, AkkaTtfs.Cluster")]
    [InlineData(DataPlaneSerializer.Id, "")]
    public void An_unknown_manifest_is_rejected_and_named(int serializerId, string manifest)
    {
        var e = Assert.Throws<SerializationException>(() => Serialization.Deserialize([0x91, 0x01], serializerId, manifest));
        Assert.Contains($"unknown manifest '{manifest}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Truncated_bytes_are_rejected_naming_the_message(string typeName)
    {
        var (bytes, id, manifest) = Serialize(typeName);
        var e = Assert.Throws<SerializationException>(() => Serialization.Deserialize(bytes[..^1], id, manifest));
        Assert.Contains(typeName, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Trailing_bytes_are_rejected(string typeName)
    {
        var (bytes, id, manifest) = Serialize(typeName);
        var e = Assert.Throws<SerializationException>(() => Serialization.Deserialize([.. bytes, 0xC0], id, manifest));
        Assert.Contains("left over", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_of_one_message_under_the_manifest_of_another_are_rejected()
    {
        var (bytes, id, _) = Serialize(nameof(SpikeBatchMessage));
        var e = Assert.Throws<SerializationException>(() => Serialization.Deserialize(bytes, id, DataPlaneSerializer.WeightChunkManifest));
        Assert.Contains(nameof(WeightChunk), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parallel_arrays_of_different_lengths_are_rejected()
    {
        var probe = Cluster.CreateProbe(0);
        var bad = new WirePartition("run", 1, [4, 5], [probe.Ref], probe.Ref);
        var serializer = Serialization.FindSerializerFor(bad);
        var e = Assert.Throws<SerializationException>(() =>
            Serialization.Deserialize(serializer.ToBinary(bad), serializer.Identifier, ControlSerializer.WirePartitionManifest));
        Assert.Contains("TargetIds has 2 entries but TargetRefs has 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weight_chunk_over_the_frame_budget_is_rejected_on_read()
    {
        var big = new WeightChunk("run", 0, 0, 1, new float[FrameBudget.MaxWeightChunkValues + 1]);
        var serializer = Serialization.FindSerializerFor(big);
        var e = Assert.Throws<SerializationException>(() =>
            Serialization.Deserialize(serializer.ToBinary(big), serializer.Identifier, DataPlaneSerializer.WeightChunkManifest));
        Assert.Contains("more than the", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_actor_ref_is_refused_when_sending()
    {
        var bad = new WirePartition("run", 1, [], [], null!);
        Assert.ThrowsAny<ArgumentException>(() => Serialization.FindSerializerFor(bad).ToBinary(bad));
    }

    [Fact]
    public void An_object_outside_the_protocol_is_refused_by_both_serializers()
    {
        var system = (ExtendedActorSystem)Cluster[0].System;
        Assert.Throws<ArgumentException>(() => new DataPlaneSerializer(system).ToBinary("a string"));
        Assert.Throws<ArgumentException>(() => new ControlSerializer(system).Manifest(new object()));
    }

    [Fact]
    public async Task A_forged_message_from_the_wire_is_dropped_and_the_node_keeps_working()
    {
        // Node 0 is hostile: under the data-plane serializer's id it sends a manifest naming a CLR type,
        // garbage under a real manifest, and an unknown manifest. Node 1 must refuse all three and still
        // take the real messages sent after them on the same association.
        await using var cluster = await InProcessCluster.StartAsync(2, customize: (i, o) => i != 0 ? o : o with
        {
            ExtraHocon = o.ExtraHocon + """

                akka.actor.serializers.ttfs-data = "AkkaTtfs.Cluster.Tests.Support.ForgingSerializer, AkkaTtfs.Cluster.Tests"
                akka.actor.serialization-bindings { "AkkaTtfs.Cluster.Tests.Support.ForgedMessage, AkkaTtfs.Cluster.Tests" = ttfs-data }
                """,
        });
        var probe = cluster.CreateProbe(1);
        var target = cluster.RefFrom(0, probe.Ref);

        target.Tell(new ForgedMessage(ForeignType, """{"OriginalPath":"/etc/passwd"}"""u8.ToArray()));
        target.Tell(new ForgedMessage(DataPlaneSerializer.SpikeBatchManifest, [0x98, 0xFF, 0x00, 0x13]));
        target.Tell(new ForgedMessage("no-such-manifest", [0x90]));
        var real = new SpikeBatchMessage("run", 1, 0, 0, 1, 1, 0, [0]);
        target.Tell(real);

        var received = probe.ExpectMsg<SpikeBatchMessage>(TimeSpan.FromSeconds(20));
        MessageAssert.SameContent(real, received);
        var again = new WeightChunkAck("run", 1, 2);
        target.Tell(again);
        Assert.Equal(again, probe.ExpectMsg<WeightChunkAck>(TimeSpan.FromSeconds(20)));
        Assert.True(cluster.Nodes.All(n => n.Cluster.State.Members.Count == 2));

        // All three forgeries reached node 1 and were refused by its serializer (Akka logs and drops them).
        string[] refusals = [$"unknown manifest '{ForeignType}'", "cannot read a SpikeBatchMessage", "unknown manifest 'no-such-manifest'"];
        await Eventually.UntilAsync(
            () => refusals.All(r => cluster.WarningsOf(1).Concat(cluster.ErrorsOf(1)).Any(e => e.Message.ToString()!.Contains(r, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10), "node 1 logged the three refusals");
    }

    private (byte[] Bytes, int Id, string Manifest) Serialize(string typeName)
    {
        var probe = Cluster.CreateProbe(0);
        var message = MessageSamples.Create(MessageSamples.TypeNamed(typeName), probe.Ref, probe.Ref);
        var serializer = Serialization.FindSerializerFor(message);
        return (serializer.ToBinary(message), serializer.Identifier, AkkaSerialization.ManifestFor(serializer, message));
    }
}
