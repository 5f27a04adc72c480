using System.Text;
using Akka.Actor;
using AkkaTtfs.Cluster.Actors;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Serialization;
using AkkaTtfs.Cluster.Tests.Support;

namespace AkkaTtfs.Cluster.Tests.Security;

/// <summary>
/// A hostile member (node 0 plays it, over a real remoting connection) sends payloads that name types of its
/// choosing, under Akka's JSON id, under Hyperion's id and under ours. Node 1 must refuse each one before an
/// object exists, log a line naming node 0 and the refused type, create and spawn nothing, and go on working.
/// </summary>
public sealed class WireRefusalTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string CanaryName => HyperionPayloads.ShortName(typeof(Canary));

    [Fact]
    public void The_canary_sees_objects_that_Hyperion_makes_without_a_constructor()
    {
        // Control for the census below: an unguarded Hyperion does create a canary (uninitialised), and the census counts it.
        var bytes = HyperionPayloads.Of(Canary.Quiet());
        var before = Canary.Census();
        Assert.True(DeserializesACanary(bytes));
        var after = Canary.Census();
        Assert.Equal(before.Constructed, after.Constructed);
        Assert.Equal(before.Finalized + 1, after.Finalized);
    }

    [Fact]
    public async Task Forged_payloads_are_refused_before_any_object_exists_and_the_sender_is_named()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, customize: (i, o) => i != 0 ? o : o with { ExtraHocon = o.ExtraHocon + HostileNode.Hocon });
        await cluster.StartWorkersAsync();
        var attacker = cluster[0].SelfAddress.ToString();
        var probe = cluster.CreateProbe(1);
        var target = cluster.RefFrom(0, probe.Ref);
        var agent = cluster.RefFrom(0, await Eventually.ResolveAsync(cluster[1].System, "/user/" + NodeAgent.Name, Wait));

        var spawn = new SpawnPartitions("evil-run", [0]);
        var spawnControlBytes = new ControlSerializer((ExtendedActorSystem)cluster[0].System).ToBinary(spawn);
        // Each with the refusal it must cause: the JSON stand-in's, the allow-list's (or Hyperion's deny-list's, same
        // message), or our serializers' unknown manifest. Each names the type the payload asked for.
        const string Fsw = "System.IO.FileSystemWatcher, System.IO.FileSystem.Watcher";
        const string FileInfo = "System.IO.FileInfo, System.IO.FileSystem";
        const string Psi = "System.Diagnostics.ProcessStartInfo, System.Diagnostics.Process";
        const string Kill = "Akka.Actor.Kill, Akka";
        var spawnName = HyperionPayloads.ShortName(typeof(SpawnPartitions));
        (object Payload, IActorRef To, string Refusal)[] forgeries =
        [
            (Json(CanaryName, """{"Path":"/tmp"}"""), target, JsonRefusal(CanaryName)),
            (Json(Fsw, """{"Path":"/tmp","EnableRaisingEvents":true}"""), target, JsonRefusal(Fsw)),
            (Json(FileInfo, """{"OriginalPath":"/etc/passwd"}"""), target, JsonRefusal(FileInfo)),
            (Json(spawnName, """{"RunId":"evil-run","PartitionIds":[0]}"""), agent, JsonRefusal(spawnName)),
            (new ForgedHyperion(HyperionPayloads.Of(Canary.Quiet())), target, HyperionRefusal(CanaryName)),
            (new ForgedHyperion(HyperionPayloads.Naming(Fsw)), target, HyperionRefusal(Fsw)),
            (new ForgedHyperion(HyperionPayloads.Naming(FileInfo)), target, HyperionRefusal(FileInfo)),
            (new ForgedHyperion(HyperionPayloads.Naming(Psi)), target, HyperionRefusal(Psi)),
            (new ForgedHyperion(HyperionPayloads.Naming(Kill)), agent, HyperionRefusal(Kill)),
            (new ForgedHyperion(HyperionPayloads.Of(spawn)), agent, HyperionRefusal(spawnName)),
            (new ForgedControl(typeof(Canary).AssemblyQualifiedName!, HyperionPayloads.Of(Canary.Quiet())), target, $"unknown manifest '{typeof(Canary).AssemblyQualifiedName}'"),
            (new ForgedMessage(ControlSerializer.SpawnPartitionsManifest, spawnControlBytes), agent, $"unknown manifest '{ControlSerializer.SpawnPartitionsManifest}'"),
        ];

        var before = Canary.Census();
        foreach (var (payload, to, _) in forgeries) to.Tell(payload);

        // Each forgery is refused on node 1 by a log line that names node 0 and what was refused.
        foreach (var (_, _, refusal) in forgeries)
        {
            await Eventually.UntilAsync(
                () => cluster.WarningsOf(1).Any(w => w.Message.ToString() is { } m && m.StartsWith($"refused a message from {attacker}", StringComparison.Ordinal) && m.Contains(refusal, StringComparison.Ordinal)),
                Wait, $"node 1 logged \"{refusal}\" for a message from {attacker}");
        }

        // Node 1 goes on: a real message sent after the forgeries arrives, and both nodes are still members.
        var real = new WeightChunkAck("run", 1, 2);
        target.Tell(real);
        Assert.Equal(real, probe.ExpectMsg<WeightChunkAck>(Wait));
        Assert.True(cluster.Nodes.All(n => n.Cluster.State.Members.Count == 2));

        // Nothing was created: no canary (constructed, set or made uninitialised), no partition spawned.
        Assert.Equal(before, Canary.Census());
        var children = await cluster[1].System.ActorSelection($"/user/{NodeAgent.Name}/*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(5)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Subject : null);
        Assert.Null(children);
    }

    [Fact]
    public async Task An_allowed_catch_all_message_still_crosses_through_Hyperion()
    {
        // Control for the refusals: the guarded Hyperion is bound to System.Object and reads what its allow-list holds.
        // The production binding, not the tests' local-verification stand-in (serialize-messages off).
        await using var cluster = await InProcessCluster.StartAsync(2, customize: (_, o) => o with { SerializeMessages = false, ExtraHocon = "akka.loglevel = WARNING" });
        var probe = cluster.CreateProbe(1);
        var target = cluster.RefFrom(0, probe.Ref);
        var list = new List<int> { 3, 1, 4 };
        Assert.IsType<GuardedHyperionSerializer>(cluster[0].System.Serialization.FindSerializerFor(list));
        target.Tell(list);
        Assert.Equal(list, probe.ExpectMsg<List<int>>(Wait));
    }

    /// <summary>In its own frame, so that the canary is unreachable (and finalizable) once it returns.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool DeserializesACanary(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return HyperionPayloads.Unguarded().Deserialize(stream) is Canary;
    }

    private static string JsonRefusal(string type) => $"(Newtonsoft JSON) is disabled on this node; refused type '{type}'";

    private static string HyperionRefusal(string type) => $"Hyperion (serializer {GuardedHyperionSerializer.Id}) refused type '{type}'";

    private static ForgedJson Json(string type, string fields) =>
        new(string.Empty, Encoding.UTF8.GetBytes("{\"$type\":\"" + type + "\"," + fields[1..]));
}
