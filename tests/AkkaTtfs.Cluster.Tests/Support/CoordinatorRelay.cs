using Akka.Actor;
using Akka.TestKit;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// An actor under /user of one node that sends what it is told to, as itself, and hands every reply to a probe:
/// a stand-in for a run coordinator (node agents take commands only from an actor under /user on a member with
/// the coordinator role), or, on a worker-only node, for an impostor. The refs it is given must be of its own system.
/// </summary>
public static class CoordinatorRelay
{
    public static (IActorRef Relay, TestProbe Replies) Start(InProcessCluster cluster, int node)
    {
        var probe = cluster.CreateProbe(node);
        var relay = cluster[node].System.ActorOf(Props.Create(() => new RelayActor(probe.Ref)), "relay-" + Guid.NewGuid().ToString("N"));
        return (relay, probe);
    }

    /// <summary>Local only (never crosses the wire).</summary>
    public sealed record Send(IActorRef To, object Message) : INoSerializationVerificationNeeded;

    private sealed class RelayActor : ReceiveActor
    {
        public RelayActor(IActorRef replies)
        {
            Receive<Send>(s => s.To.Tell(s.Message, Self));
            ReceiveAny(m => replies.Tell(m));
        }
    }
}
