using Akka.Actor;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// Relays on one node that deliver every partition-to-partition message 20 ms late: a run then lasts at least
/// its batches x hops x 20 ms / credits whatever the machine's speed, so a fault at a fixed wall time, or
/// after some progress, lands mid-run. All spike traffic passes through the relays' node.
/// </summary>
public static class SlowLinks
{
    /// <summary>A run request's link interceptor that puts a new relay on <paramref name="host"/> for every wiring.</summary>
    public static Func<int, int, IActorRef, IActorRef> On(ActorSystem host, string name)
    {
        var relays = 0;
        return (source, target, targetRef) =>
            host.ActorOf(Props.Create(() => new Relay(targetRef)), $"slow-{name}-{source}-{target}-{Interlocked.Increment(ref relays)}");
    }

    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef target) =>
            ReceiveAny(m => Context.System.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), target, m, Sender));
    }
}
