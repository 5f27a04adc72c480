using Akka.Actor;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>Where one partition's current incarnation stands in a run.</summary>
internal enum SlotState
{
    /// <summary>Its node agent was asked to spawn it.</summary>
    Spawning,

    /// <summary>Spawned; its deployment and weight chunks are on their way.</summary>
    Deploying,

    /// <summary>Parameters in place; not wired (or its wiring waits for a target being re-homed).</summary>
    Deployed,

    /// <summary>Its routing table was sent; waiting for its ready.</summary>
    Wiring,

    /// <summary>Wired and ready to take batches.</summary>
    Ready,
}

/// <summary>One partition of a run as its coordinator tracks it: its current actor, state and what deploys it. Node and restarts are the placement policy's.</summary>
internal sealed class PartitionSlot(int id, RehomingPolicy placement, DeployPartition deploy, WeightChunk[] chunks)
{
    public int Id { get; } = id;

    /// <summary>The hosting node (index into the run's workers).</summary>
    public int Node => placement.NodeOf(Id);

    /// <summary>Times it was re-homed so far.</summary>
    public int Restarts => placement.RestartsOf(Id);

    /// <summary>The current incarnation; null while it is being spawned.</summary>
    public IActorRef? Ref { get; private set; }

    public SlotState State { get; set; } = SlotState.Spawning;

    /// <summary>A runtime fault told this incarnation to crash (a second crash fault skips it).</summary>
    public bool CrashSent { get; set; }

    public DeployPartition Deploy { get; } = deploy;

    public WeightChunk[] Chunks { get; } = chunks;

    public void Spawned(IActorRef actor)
    {
        Ref = actor;
        State = SlotState.Deploying;
    }

    /// <summary>Lost: a new incarnation is being spawned.</summary>
    public void Respawning()
    {
        Ref = null;
        State = SlotState.Spawning;
        CrashSent = false;
    }
}
