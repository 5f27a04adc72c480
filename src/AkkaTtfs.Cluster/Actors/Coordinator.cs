using Akka.Actor;
using Akka.Event;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Training;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Actors;

/// <summary>
/// The long-lived coordinator of a coordinator process (at /user/coordinator): takes jobs one at a time, for
/// as long as the process runs. For each it waits for the worker nodes (joining), trains the model through the
/// injected <see cref="ITrainer"/> when the job asks for it (training, off this actor's thread; progress and
/// the result come back as messages), predicts the plan's traffic when a traffic placement needs it (also off
/// this thread, piped back), then hands the run to a child <see cref="RunCoordinator"/> (spawning ...
/// running) and goes back to idle when it ends. Jobs that arrive meanwhile wait in order. A job is cancelled
/// by its caller at any point: training through the trainer's token, a run by stopping its coordinator (which
/// stops its partitions); the caller then sees an OperationCanceledException and the next job starts.
/// Everything here is local (the job, its callbacks, the model): nothing of it crosses the wire.
/// </summary>
public sealed class Coordinator : ReceiveActor
{
    public const string Name = "coordinator";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ITrainer? _trainer;
    private readonly Queue<SubmitJob> _queue = new();
    private readonly HashSet<string> _runIds = new(StringComparer.Ordinal);   // late messages of a run are told apart by its id
    private ActiveJob? _job;
    private long _sequence;

    public Coordinator(ITrainer? trainer)
    {
        _trainer = trainer;
        Become(Idle);
    }

    public static Props CreateProps(ITrainer? trainer) => Props.Create(() => new Coordinator(trainer));

    // ---- Messages (local only) ----------------------------------------------------------------

    /// <summary>Caller -> coordinator: run this job and tell <paramref name="ReplyTo"/> how it goes.</summary>
    internal sealed record SubmitJob(RunJob Job, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    /// <summary>Caller -> coordinator: cancel the job reported to <paramref name="ReplyTo"/> (queued or running).</summary>
    internal sealed record CancelJob(IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    /// <summary>Coordinator -> caller: something happened in the job.</summary>
    internal sealed record JobEvent(CoordinatorEvent Event) : INoSerializationVerificationNeeded;

    /// <summary>Coordinator -> caller: the job finished.</summary>
    internal sealed record JobCompleted(JobOutcome Outcome) : INoSerializationVerificationNeeded;

    /// <summary>Coordinator -> caller: the job failed (an <see cref="OperationCanceledException"/> when it was cancelled).</summary>
    internal sealed record JobFailed(Exception Reason) : INoSerializationVerificationNeeded;

    private sealed record Joined(long Job, IReadOnlyList<WorkerNode> Workers) : INoSerializationVerificationNeeded;

    private sealed record TrainingTick(long Job, TrainingProgress Progress) : INoSerializationVerificationNeeded;

    private sealed record Trained(long Job, TrainedBy TrainedBy) : INoSerializationVerificationNeeded;

    private sealed record Predicted(long Job, TrafficPrediction Traffic) : INoSerializationVerificationNeeded;

    private sealed record RunEnded(long Job, RunOutcome? Outcome, Exception? Error) : INoSerializationVerificationNeeded;

    private sealed record StepFailed(long Job, Exception Reason) : INoSerializationVerificationNeeded;

    /// <summary>The job in progress and what it has gathered so far.</summary>
    private sealed class ActiveJob(long id, SubmitJob request)
    {
        public long Id { get; } = id;

        public RunJob Job => Request.Job;

        public IActorRef ReplyTo => Request.ReplyTo;

        public SubmitJob Request { get; } = request;

        public CancellationTokenSource Cancel { get; } = new();

        public IReadOnlyList<WorkerNode> Workers { get; set; } = [];

        public TrainedBy? TrainedBy { get; set; }

        public SnnModel? Model { get; set; }

        public PartitionPlan? Plan { get; set; }

        public (float[] Values, int Count) Inputs { get; set; }

        public IActorRef? Run { get; set; }

        public void Tell(CoordinatorEvent e) => ReplyTo.Tell(new JobEvent(e));
    }

    // ---- States -------------------------------------------------------------------------------

    private void Idle()
    {
        Receive<SubmitJob>(m =>
        {
            _queue.Enqueue(m);
            StartNext();
        });
        Receive<CancelJob>(Cancelled);
        ReceiveAny(_ => { });   // late messages of a job that ended
    }

    private void Joining()
    {
        Receive<Joined>(m => m.Job == _job!.Id, m =>
        {
            _job!.Workers = _job.Job.WorkerLimit is { } limit ? [.. m.Workers.Take(limit)] : m.Workers;
            _job.Tell(new WorkersFound(_job.Job.RunId, [.. m.Workers.Select(w => w.Address)]));
            if (_job.Job.Model is ModelSource.Train train) StartTraining(train.Options);
            else Deploy(((ModelSource.Ready)_job.Job.Model).Model);
        });
        Busy();
    }

    private void Training()
    {
        Receive<TrainingTick>(m => m.Job == _job!.Id, m => _job!.Tell(new TrainingProgressed(_job.Job.RunId, m.Progress)));
        Receive<Trained>(m => m.Job == _job!.Id, m =>
        {
            _job!.TrainedBy = m.TrainedBy;
            _log.Info("job {0}: model trained in {1:F1} s", _job.Job.RunId, (m.TrainedBy.Finished - m.TrainedBy.Started).TotalSeconds);
            _job.Tell(new ModelTrained(_job.Job.RunId, m.TrainedBy));
            Deploy(m.TrainedBy.Result.Model);
        });
        Busy();
    }

    /// <summary>The traffic placement's prediction is computed off this thread; a job cancelled meanwhile does not start its run.</summary>
    private void Predicting()
    {
        Receive<Predicted>(m => m.Job == _job!.Id, m =>
        {
            if (_job!.Cancel.IsCancellationRequested) Fail(new OperationCanceledException($"job {_job.Job.RunId} was cancelled before it deployed"));
            else StartRun(m.Traffic);
        });
        Busy();
    }

    /// <summary>A child <see cref="RunCoordinator"/> drives the run (spawning -> ... -> done); this actor waits for its outcome.</summary>
    private void Running()
    {
        Receive<RunEnded>(m => m.Job == _job!.Id, m =>
        {
            var job = _job!;
            if (job.Cancel.IsCancellationRequested) Fail(new OperationCanceledException($"job {job.Job.RunId} was cancelled while it ran"));
            else if (m.Outcome is { } outcome) Complete(new JobOutcome(job.Job.RunId, job.Model!, job.Plan!, job.Inputs.Values, job.Inputs.Count, outcome, job.TrainedBy));
            else Fail(m.Error!);
        });
        Busy();
    }

    /// <summary>What every busy state handles after its own messages: new jobs wait, cancellation, a failed step.</summary>
    private void Busy()
    {
        Receive<SubmitJob>(_queue.Enqueue);
        Receive<CancelJob>(Cancelled);
        Receive<StepFailed>(m => m.Job == _job!.Id, m => Fail(m.Reason));
        ReceiveAny(_ => { });   // late messages of an earlier job
    }

    // ---- Steps --------------------------------------------------------------------------------

    private void StartNext()
    {
        if (_job is not null || !_queue.TryDequeue(out var next)) return;
        var job = _job = new ActiveJob(++_sequence, next);
        if (Preflight(job.Job) is { } problem)
        {
            Fail(new ArgumentException(problem));
            return;
        }

        Enter(Joining, RunPhase.Joining);
        var self = Self;
        ClusterRuntime.DiscoverWorkersAsync(Context.System, job.Job.Workers, job.Job.JoinTimeout, job.Cancel.Token)
            .PipeTo(self, success: w => new Joined(job.Id, w), failure: ex => new StepFailed(job.Id, Unwrap(ex)));
    }

    /// <summary>What can be checked before anything waits or trains: one line naming what is wrong.</summary>
    private string? Preflight(RunJob job)
    {
        if (string.IsNullOrWhiteSpace(job.RunId)) return "a job needs a run id";
        if (!_runIds.Add(job.RunId)) return $"run id {job.RunId} was already used by a job of this coordinator; every job needs its own";
        if (job.Workers < 1) return $"job {job.RunId}: at least one worker node is needed, got {job.Workers}";
        if (job.WorkerLimit is { } limit && (limit < 1 || limit > job.Workers))
            return $"job {job.RunId}: its worker limit {limit} must be between 1 and the {job.Workers} worker(s) it waits for";
        if (job.Model is ModelSource.Train && _trainer is null)
            return $"job {job.RunId} asks for training, and this coordinator was started without a trainer: give it a model";
        return null;
    }

    /// <summary>Trains on a dedicated thread; the trainer's progress and its result come back to this actor as messages.</summary>
    private void StartTraining(TrainingOptions options)
    {
        Enter(Training, RunPhase.Training);
        var job = _job!;
        var self = Self;
        var trainer = _trainer!;
        var coordinator = AkkaCluster.Get(Context.System).SelfAddress.ToString();
        var progress = new CallbackProgress<TrainingProgress>(p => self.Tell(new TrainingTick(job.Id, p)));
        var token = job.Cancel.Token;
        Task.Factory.StartNew(() =>
            {
                var started = DateTimeOffset.UtcNow;
                var result = trainer.Train(options, progress, token);
                return new TrainedBy(coordinator, started, DateTimeOffset.UtcNow, options, result);
            }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .PipeTo(self, success: t => new Trained(job.Id, t), failure: ex => new StepFailed(job.Id, Unwrap(ex)));
    }

    /// <summary>
    /// Plans and prepares the inputs; a traffic placement without the caller's prediction first has it computed off
    /// this actor's thread (a Core reference of a sample of the inputs, piped back as <see cref="Predicted"/>).
    /// </summary>
    private void Deploy(SnnModel model)
    {
        var job = _job!;
        try
        {
            job.Model = model;
            job.Plan = job.Job.Plan(model);
            job.Inputs = job.Job.Inputs.For(model);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or PartitionPlanException)
        {
            Fail(ex);
            return;
        }

        if (!job.Job.Placement.NeedsTraffic || job.Job.Traffic is not null)
        {
            StartRun(job.Job.Placement.NeedsTraffic ? job.Job.Traffic : null);
            return;
        }

        // Still in the phase the caller last saw (joining or training): the prediction is part of getting ready to deploy.
        Become(Predicting);
        var self = Self;
        var (plan, values, count, batch) = (job.Plan, job.Inputs.Values, job.Inputs.Count, job.Job.Options.BatchSize);
        Task.Run(() => PlacementChoice.PredictSample(model, plan, values, count, batch), job.Cancel.Token)
            .PipeTo(self, success: p => new Predicted(job.Id, p), failure: ex => new StepFailed(job.Id, Unwrap(ex)));
    }

    /// <summary>Checks the request and starts its run coordinator; <paramref name="traffic"/>: the plan's predicted traffic for a traffic placement.</summary>
    private void StartRun(TrafficPrediction? traffic)
    {
        var job = _job!;
        RunRequest request;
        try
        {
            request = new RunRequest(job.Job.RunId, job.Model!, job.Plan!, job.Inputs.Values, job.Inputs.Count, job.Job.Options)
            {
                Faults = job.Job.Faults,
                LinkInterceptor = job.Job.LinkInterceptor,
                Placement = job.Job.Placement,
                Traffic = traffic,
            };
            ClusterRuntime.Validate(Context.System, request, job.Workers);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or PartitionPlanException or RunFailedException or PlacementException)
        {
            Fail(ex);
            return;
        }

        Enter(Running, RunPhase.Spawning);
        var outcome = new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = job.ReplyTo;
        var runId = job.Job.RunId;
        var progress = new CallbackProgress<RunProgress>(p => reply.Tell(new JobEvent(new RunProgressed(runId, p))));
        var phases = new CallbackProgress<RunPhase>(p => reply.Tell(new JobEvent(new PhaseChanged(runId, p))));
        job.Run = Context.ActorOf(RunCoordinator.CreateProps(request, job.Workers, outcome, progress, phases), $"run-{NodeAgent.ChildName(runId, 0)}-{job.Id}");
        var self = Self;
        outcome.Task.PipeTo(self, success: o => new RunEnded(job.Id, o, null), failure: ex => new RunEnded(job.Id, null, Unwrap(ex)));
    }

    private void Cancelled(CancelJob m)
    {
        if (_job is { } job && job.ReplyTo.Equals(m.ReplyTo))
        {
            _log.Warning("job {0}: cancelled by its caller", job.Job.RunId);
            job.Cancel.Cancel();
            // A run ends when its coordinator has stopped its partitions; its outcome then ends the job as cancelled.
            if (job.Run is { } run) Context.Stop(run);
            return;
        }

        var queued = _queue.FirstOrDefault(q => q.ReplyTo.Equals(m.ReplyTo));
        if (queued is null) return;
        var rest = _queue.Where(q => !ReferenceEquals(q, queued)).ToArray();
        _queue.Clear();
        foreach (var q in rest) _queue.Enqueue(q);
        queued.ReplyTo.Tell(new JobFailed(new OperationCanceledException($"job {queued.Job.RunId} was cancelled before it started")));
    }

    private void Complete(JobOutcome outcome)
    {
        _job!.ReplyTo.Tell(new JobCompleted(outcome));
        End(RunPhase.Done);
    }

    private void Fail(Exception reason)
    {
        var job = _job!;
        if (job.Cancel.IsCancellationRequested && reason is not OperationCanceledException)
            reason = new OperationCanceledException($"job {job.Job.RunId} was cancelled: {reason.Message}", reason);
        _log.Warning("job {0} ended: {1}", job.Job.RunId, reason.Message);
        job.ReplyTo.Tell(new JobFailed(reason));
        End(RunPhase.Done);
    }

    private void End(RunPhase phase)
    {
        var job = _job!;
        if (job.Run is null) job.Tell(new PhaseChanged(job.Job.RunId, phase));   // a run coordinator reported its own end
        _job = null;
        Become(Idle);
        StartNext();
    }

    private void Enter(Action state, RunPhase phase)
    {
        Become(state);
        if (phase != RunPhase.Spawning) _job!.Tell(new PhaseChanged(_job.Job.RunId, phase));   // the run coordinator reports its own phases
    }

    private static Exception Unwrap(Exception ex) => ex is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : ex;

    /// <summary>An unexpected exception (a bug, or a job's plan function that throws something unforeseen) ends the job, and those waiting, with its message; the restarted coordinator is idle.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        var failure = new RunFailedException($"the coordinator failed{(_job is { } j ? $" during job {j.Job.RunId}" : "")}: {reason.GetType().Name}: {reason.Message}");
        _job?.Cancel.Cancel();
        _job?.ReplyTo.Tell(new JobFailed(failure));
        foreach (var q in _queue) q.ReplyTo.Tell(new JobFailed(failure));
        _job = null;
        _queue.Clear();
        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        var stopped = new RunFailedException("the coordinator was stopped");
        _job?.ReplyTo.Tell(new JobFailed(stopped));
        _job?.Cancel.Cancel();
        foreach (var q in _queue) q.ReplyTo.Tell(new JobFailed(stopped));
    }

    /// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to a captured context).</summary>
    private sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
