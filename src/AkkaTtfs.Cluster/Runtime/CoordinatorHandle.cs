using Akka.Actor;
using AkkaTtfs.Cluster.Actors;

namespace AkkaTtfs.Cluster.Runtime;

/// <summary>
/// The caller's side of a long-lived coordinator (<see cref="ClusterRuntime.StartCoordinator"/>): submits jobs,
/// any number over the coordinator's life, one running at a time in submission order.
/// </summary>
public sealed class CoordinatorHandle
{
    private readonly ActorSystem _system;

    internal CoordinatorHandle(ActorSystem system, IActorRef coordinator)
    {
        _system = system;
        Coordinator = coordinator;
    }

    /// <summary>The coordinator actor.</summary>
    public IActorRef Coordinator { get; }

    /// <summary>
    /// Runs <paramref name="job"/>: waits for its workers, trains its model when it asks for that, deploys, simulates
    /// and collects. <paramref name="progress"/> hears phases, training progress and run progress (on an actor's
    /// thread: keep handlers short). Cancelling <paramref name="ct"/> cancels training or stops the run; the task then
    /// ends with an <see cref="OperationCanceledException"/> and the coordinator takes the next job.
    /// </summary>
    /// <exception cref="RunFailedException">The run could not finish (the message says where it stopped).</exception>
    /// <exception cref="ArgumentException">The job does not fit (e.g. its partition spec, inputs or fault plan; FaultPlanException is one).</exception>
    public Task<JobOutcome> RunAsync(RunJob job, IProgress<CoordinatorEvent>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (ct.IsCancellationRequested) return Task.FromCanceled<JobOutcome>(ct);
        var done = new TaskCompletionSource<JobOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = _system.ActorOf(Props.Create(() => new JobListener(Coordinator, done, progress, ct)));
        Coordinator.Tell(new Coordinator.SubmitJob(job, listener));
        var registration = ct.Register(() => Coordinator.Tell(new Coordinator.CancelJob(listener)));
        _ = done.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return done.Task;
    }

    /// <summary>Receives one job's events and ending for its caller; stops when the job ends or the coordinator goes away.</summary>
    private sealed class JobListener : ReceiveActor
    {
        private readonly TaskCompletionSource<JobOutcome> _done;

        public JobListener(IActorRef coordinator, TaskCompletionSource<JobOutcome> done, IProgress<CoordinatorEvent>? progress, CancellationToken ct)
        {
            _done = done;
            Context.Watch(coordinator);
            Receive<Coordinator.JobEvent>(m => progress?.Report(m.Event));
            Receive<Coordinator.JobCompleted>(m =>
            {
                done.TrySetResult(m.Outcome);
                Context.Stop(Self);
            });
            Receive<Coordinator.JobFailed>(m =>
            {
                if (m.Reason is OperationCanceledException && ct.IsCancellationRequested) done.TrySetCanceled(ct);
                else done.TrySetException(m.Reason);
                Context.Stop(Self);
            });
            Receive<Terminated>(_ =>
            {
                done.TrySetException(new RunFailedException("the coordinator stopped before the job ended"));
                Context.Stop(Self);
            });
        }

        /// <summary>Stopped from outside (the system shuts down): the caller must not wait forever.</summary>
        protected override void PostStop() => _done.TrySetException(new RunFailedException("the job's listener stopped before the job ended (is the actor system shutting down?)"));
    }
}
