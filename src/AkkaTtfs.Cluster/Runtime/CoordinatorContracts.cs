using Akka.Actor;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Cluster.Runtime;

/// <summary>Where a job's model comes from.</summary>
public abstract record ModelSource
{
    private ModelSource()
    {
    }

    /// <summary>A converted model the caller already has (e.g. loaded with --model).</summary>
    public sealed record Ready(SnnModel Model) : ModelSource;

    /// <summary>Trained and converted by the coordinator's injected <see cref="ITrainer"/> with these options.</summary>
    public sealed record Train(TrainingOptions Options) : ModelSource;
}

/// <summary>The samples a job simulates.</summary>
public abstract record JobInputs
{
    private JobInputs()
    {
    }

    /// <summary>Already normalised samples, [sample][input size].</summary>
    public sealed record Normalised(float[] Values, int Count) : JobInputs;

    /// <summary>The first <paramref name="Limit"/> samples (all when null) of a test split, normalised with the model's own normalisation.</summary>
    public sealed record TestSplit(Dataset Test, int? Limit = null) : JobInputs;

    /// <summary>The normalised samples for <paramref name="model"/>; throws ArgumentException when they do not fit it.</summary>
    internal (float[] Values, int Count) For(SnnModel model)
    {
        switch (this)
        {
            case Normalised n:
                if (n.Count < 1 || (long)n.Count * model.Network.Input.Size != n.Values.Length)
                    throw new ArgumentException($"{n.Values.Length} input values are not {n.Count} samples of the model's {model.Network.Input.Size} inputs");
                return (n.Values, n.Count);
            case TestSplit t:
                var count = Math.Min(t.Limit ?? t.Test.Count, t.Test.Count);
                if (count < 1) throw new ArgumentException($"the test split {t.Test.Name} gives no samples (limit {t.Limit})");
                return (t.Test.NormaliseRange(0, count, model.Normalisation), count);
            default:
                throw new ArgumentException($"unknown job inputs {GetType().Name}");
        }
    }
}

/// <summary>
/// One request to a long-lived coordinator: obtain the model (given, or trained), partition it, deploy it on
/// the worker nodes, simulate the inputs and collect the results.
/// </summary>
/// <param name="RunId">Unique per job; every message of its run carries it.</param>
/// <param name="Model">The model, or the training that produces it.</param>
/// <param name="Plan">The partitioning, computed once the model is known (e.g. <see cref="Split"/>).</param>
/// <param name="Inputs">The samples.</param>
public sealed record RunJob(string RunId, ModelSource Model, Func<SnnModel, PartitionPlan> Plan, JobInputs Inputs)
{
    /// <summary>Batching, credits, recording, timeouts.</summary>
    public RunOptions Options { get; init; } = new();

    /// <summary>Faults to inject (null: none); see <see cref="RunRequest.Faults"/>.</summary>
    public FaultPlan? Faults { get; init; }

    /// <summary>Worker nodes that must be up before the job deploys.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>How long to wait for them.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Use only the first this many worker nodes found (the coordinator's own node first, then by address), so that one
    /// cluster serves jobs on fewer nodes (a sweep); null: every worker that is up.
    /// </summary>
    public int? WorkerLimit { get; init; }

    /// <summary>How partitions are put on the workers; see <see cref="RunRequest.Placement"/>.</summary>
    public PlacementChoice Placement { get; init; } = PlacementChoice.Balanced;

    /// <summary>
    /// The plan's predicted traffic for the traffic placement, when the caller has it (e.g. from its reference run);
    /// null: the coordinator predicts it from a Core reference of a sample of the inputs (<see cref="PlacementChoice.PredictSample"/>).
    /// </summary>
    public TrafficPrediction? Traffic { get; init; }

    /// <summary>Test hook, as <see cref="RunRequest.LinkInterceptor"/>.</summary>
    internal Func<int, int, IActorRef, IActorRef>? LinkInterceptor { get; init; }

    /// <summary>A plan from a partition spec in Core's syntax (<see cref="PartitionPlanner.Plan(Core.Network.NetworkSpec, string)"/>), e.g. "2,1".</summary>
    public static Func<SnnModel, PartitionPlan> Split(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return model => PartitionPlanner.Plan(model.Network, spec);
    }
}

/// <summary>Who trained a job's model: for the run report's provenance.</summary>
/// <param name="Coordinator">Akka address of the coordinator node that ran the trainer.</param>
/// <param name="Started">When training started (UTC).</param>
/// <param name="Finished">When it ended (UTC).</param>
/// <param name="Options">The trainer's options.</param>
/// <param name="Result">The trainer's result: the converted model and its <see cref="TrainingReport"/>.</param>
public sealed record TrainedBy(string Coordinator, DateTimeOffset Started, DateTimeOffset Finished, TrainingOptions Options, TrainingResult Result)
{
    public TrainingReport Report => Result.Report;
}

/// <summary>What a finished job produced.</summary>
/// <param name="RunId">The job's run id.</param>
/// <param name="Model">The model that ran (trained by the coordinator when <paramref name="TrainedBy"/> is set).</param>
/// <param name="Plan">Its partitioning.</param>
/// <param name="Inputs">The normalised samples that ran, [sample][input size] (for a reference run by the caller).</param>
/// <param name="Count">Samples.</param>
/// <param name="Run">The distributed run's outcome.</param>
/// <param name="TrainedBy">Provenance of a model trained by the coordinator; null when the job brought its model.</param>
public sealed record JobOutcome(string RunId, SnnModel Model, PartitionPlan Plan, float[] Inputs, int Count, RunOutcome Run, TrainedBy? TrainedBy);

/// <summary>What a coordinator tells the caller of a job while it runs.</summary>
public abstract record CoordinatorEvent(string RunId);

/// <summary>The job entered <paramref name="Phase"/>.</summary>
public sealed record PhaseChanged(string RunId, RunPhase Phase) : CoordinatorEvent(RunId);

/// <summary>The worker nodes the job runs on (addresses, node 0 first).</summary>
public sealed record WorkersFound(string RunId, IReadOnlyList<string> Workers) : CoordinatorEvent(RunId);

/// <summary>The trainer's progress (after every epoch and a few times within one).</summary>
public sealed record TrainingProgressed(string RunId, TrainingProgress Progress) : CoordinatorEvent(RunId);

/// <summary>Training ended; the model goes into deployment.</summary>
public sealed record ModelTrained(string RunId, TrainedBy TrainedBy) : CoordinatorEvent(RunId);

/// <summary>Live numbers of the distributed run.</summary>
public sealed record RunProgressed(string RunId, RunProgress Progress) : CoordinatorEvent(RunId);
