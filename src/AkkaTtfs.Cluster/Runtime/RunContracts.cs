using Akka.Actor;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cluster.Runtime;

/// <summary>A run for the coordinator: the model and its partitioning, the samples, and how to drive them.</summary>
/// <param name="RunId">Unique per run; carried by every message so late messages of other runs are dropped.</param>
/// <param name="Model">The converted network.</param>
/// <param name="Plan">Its partitioning.</param>
/// <param name="Inputs">Normalised samples, [sample][input size].</param>
/// <param name="Count">Number of samples.</param>
/// <param name="Options">Batching, credits, recording, timeouts.</param>
public sealed record RunRequest(string RunId, SnnModel Model, PartitionPlan Plan, float[] Inputs, int Count, RunOptions Options)
{
    /// <summary>
    /// Faults injected to study the network (null: none). The coordinator applies its weight faults once to a
    /// copy of the model and deploys the copy; every partition injects its spike and neuron faults, keyed by
    /// global sample, so the outcome equals Core's reference with the same plan on any partitioning and node count.
    /// </summary>
    public FaultPlan? Faults { get; init; }

    /// <summary>How partitions are put on the worker nodes (default: MAC balance); Core decides (<see cref="PlacementChoice.Assign"/>).</summary>
    public PlacementChoice Placement { get; init; } = PlacementChoice.Balanced;

    /// <summary>The plan's predicted traffic: the link weights of the traffic placement (required by it, unused otherwise).</summary>
    public TrafficPrediction? Traffic { get; init; }

    /// <summary>
    /// Test hook: given (source partition, target partition, target ref), the ref the source sends to
    /// instead, e.g. a relay that delays and reorders messages. Null: partitions talk directly.
    /// </summary>
    internal Func<int, int, IActorRef, IActorRef>? LinkInterceptor { get; init; }
}

/// <summary>How a run is driven.</summary>
/// <param name="BatchSize">Samples per batch (one message per batch, window and link).</param>
/// <param name="MaxInFlight">Credits: at most this many batches in flight (default <see cref="DefaultMaxInFlight"/>).</param>
/// <param name="RecordSpikes">Collect every spike time (for exactness checks; costs traffic).</param>
/// <param name="StallTimeout">The run fails with a message naming what it waited for if nothing happens for this long.</param>
/// <param name="MaxRestarts">How often one partition may be re-homed after a crash before the run gives up (0: a crash stops the run).</param>
/// <param name="BatchTimeout">
/// If no batch completes for this long while batches are in flight (messages lost on a cut link), they are replayed.
/// Null: adaptive (Core's <see cref="ReplayTimer"/>: 8 x the longest recent gap between completions, within 2-10 s).
/// Either way each replay that no completion follows doubles the timeout, up to 10 min.
/// </param>
/// <param name="Trace">Record the run's traffic over time (<see cref="RunOutcome.Trace"/>); on by default, off only to measure what recording costs.</param>
public sealed record RunOptions(int BatchSize = 64, int MaxInFlight = RunOptions.DefaultMaxInFlight, bool RecordSpikes = false, TimeSpan? StallTimeout = null, int MaxRestarts = 3,
    TimeSpan? BatchTimeout = null, bool Trace = true)
{
    /// <summary>
    /// Credits of a run unless the user says otherwise (<c>--in-flight</c>). With 4, a 3-stage pipeline on 2 cores was
    /// credit-blocked almost all the time: the first stage idled while the last stage and the coordinator waited for
    /// a thread, and batches completed in bursts; 8 keeps work queued in front of every stage (docs/benchmarks.md,
    /// "Run phase on 2 cores"). More costs memory (every batch in flight is held until its result is in) and
    /// longer replays after a loss.
    /// </summary>
    public const int DefaultMaxInFlight = 8;

    public TimeSpan Stall => StallTimeout ?? TimeSpan.FromSeconds(60);
}

/// <summary>Where a coordinator stands with a job (the states of its actors).</summary>
public enum RunPhase
{
    /// <summary>Waiting for the worker nodes the job asks for.</summary>
    Joining,

    /// <summary>Training the model through the injected trainer.</summary>
    Training,

    /// <summary>Node agents are spawning the partitions.</summary>
    Spawning,

    /// <summary>Partitions receive their parameters in acknowledged chunks.</summary>
    Deploying,

    /// <summary>Partitions receive their routing tables.</summary>
    Wiring,

    /// <summary>Batches are injected and results collected.</summary>
    Running,

    /// <summary>Lost partitions are re-homed, redeployed and rewired; batches in flight will be replayed.</summary>
    Recovering,

    /// <summary>The run ended (its outcome is out).</summary>
    Done,
}

/// <summary>Phrases for messages.</summary>
public static class RunPhases
{
    /// <summary>What the coordinator is doing in <paramref name="phase"/>, e.g. "deploying weights".</summary>
    public static string Describe(this RunPhase phase) => phase switch
    {
        RunPhase.Joining => "waiting for worker nodes",
        RunPhase.Training => "training the model",
        RunPhase.Spawning => "spawning partitions",
        RunPhase.Deploying => "deploying weights",
        RunPhase.Wiring => "wiring routing tables",
        RunPhase.Running => "running batches",
        RunPhase.Recovering => "re-homing partitions",
        _ => "finishing",
    };
}

/// <summary>Live numbers of a run, reported as batches complete.</summary>
public sealed record RunProgress(int CompletedSamples, int TotalSamples, int BatchesInFlight, long Spikes, long Messages, long PayloadBytes, TimeSpan Elapsed);

/// <summary>What a finished run produced.</summary>
/// <param name="Result">Predictions, potentials, spike counts (and spikes when recorded), as the Core reference would give.</param>
/// <param name="Links">Traffic per link (partition -> partition; source -1 = the input injector).</param>
/// <param name="NodeOfPartition">Index into <paramref name="Nodes"/> of each partition's host.</param>
/// <param name="Nodes">Addresses of the worker nodes used.</param>
/// <param name="DeployTime">From the first spawn request to the last partition wired.</param>
/// <param name="RunTime">From the first injected batch to the last result.</param>
/// <param name="ReplayedBatches">Batches sent again after a failure.</param>
/// <param name="Restarts">Partitions re-homed after a crash, as (partition, node address) in order.</param>
/// <param name="TimeoutReplays">Times the batches in flight were replayed because none completed within the batch timeout.</param>
/// <param name="Recoveries">Each recovery: when the first loss was noticed and when every partition was ready again (since the run started).</param>
/// <param name="DuplicateReports">Partition reports dropped as duplicates or stale.</param>
public sealed record RunOutcome(SimulationResult Result, IReadOnlyList<LinkTraffic> Links, int[] NodeOfPartition, IReadOnlyList<string> Nodes,
    TimeSpan DeployTime, TimeSpan RunTime, long ReplayedBatches, long DuplicateReports, IReadOnlyList<(int Partition, string Node)> Restarts, int TimeoutReplays,
    IReadOnlyList<(TimeSpan Noticed, TimeSpan Recovered)> Recoveries)
{
    /// <summary>The plan's runtime faults in firing order; those due after the run finished come last, marked as not fired.</summary>
    public IReadOnlyList<RuntimeFaultFired> RuntimeFaults { get; init; } = [];

    /// <summary>The run's traffic over time (rows per link and partition x batch x attempt, in-flight samples, clock offsets, spikes per step); null when not recorded.</summary>
    public RunTrace? Trace { get; init; }

    /// <summary>Index of the coordinator's node in <see cref="Nodes"/>, or -1 when it is not a worker (its input injector is then node -1 in the trace).</summary>
    public int CoordinatorNode { get; init; } = -1;

    /// <summary>
    /// The worker nodes' process memory as each node reported it, after deployment and at the end of the run (see
    /// <see cref="NodeMemorySample"/>), ordered by node then moment; a node that did not answer in time is missing.
    /// </summary>
    public IReadOnlyList<NodeMemorySample> NodeMemory { get; init; } = [];
}

/// <summary>One worker node's process memory at one moment of a run, as the node reported it.</summary>
/// <param name="Node">Index into <see cref="RunOutcome.Nodes"/>.</param>
/// <param name="Memory">What the node's agent sent (<see cref="Protocol.NodeMemory"/>).</param>
public sealed record NodeMemorySample(int Node, Protocol.NodeMemory Memory);

/// <summary>A runtime fault of the plan as the coordinator fired it.</summary>
/// <param name="Index">Its index in the plan's runtime list.</param>
/// <param name="What">Its description.</param>
/// <param name="At">When it fired, since the run's first batch (not fired: when the run finished).</param>
/// <param name="Skipped">Why it was not applied (its target was already gone, or the run finished first), or null when it was.</param>
public sealed record RuntimeFaultFired(int Index, string What, TimeSpan At, string? Skipped);

/// <summary>A run that could not finish; the message says where it stopped and which samples completed.</summary>
public sealed class RunFailedException(string message) : Exception(message);

/// <summary>A worker node's agent as the coordinator sees it.</summary>
public sealed record WorkerNode(string Address, IActorRef Agent)
{
    /// <summary>Cluster roles that carry a node's tag (<c>akkattfs node --tag NAME</c> joins with role "tag:NAME").</summary>
    public const string TagRolePrefix = "tag:";

    /// <summary>The node's tags, for placement files that pin partitions to tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The node as Core's placement sees it.</summary>
    public PlacementNode ForPlacement => new(Address, Tags);

    /// <summary>The tags among a member's cluster roles.</summary>
    public static IReadOnlyList<string> TagsOf(IEnumerable<string> roles) =>
        [.. roles.Where(r => r.StartsWith(TagRolePrefix, StringComparison.Ordinal) && r.Length > TagRolePrefix.Length).Select(r => r[TagRolePrefix.Length..]).Order(StringComparer.Ordinal)];
}
