using System.Globalization;
using AkkaTtfs.Cluster.Runtime;

namespace AkkaTtfs.App.Cluster;

/// <summary>
/// Turns what the coordinator reports about a job (phases, workers, training epochs, the trained model, run
/// progress) into the application's events. Called on an actor's thread: every handler is short, except the
/// caller's <c>onTrained</c>, which saves the model once per job.
/// </summary>
internal sealed class CoordinatorEvents(IAppEvents events, int samples, Action<TrainedBy>? onTrained) : IProgress<CoordinatorEvent>
{
    private readonly IProgress<Core.Training.TrainingProgress>? _training = events.Training();
    private readonly IProgress<RunProgress>? _run = events.Simulation(samples);

    public void Report(CoordinatorEvent value)
    {
        switch (value)
        {
            case PhaseChanged { Phase: RunPhase.Training or RunPhase.Spawning or RunPhase.Recovering } phase:
                events.Status($"coordinator: {phase.Phase.Describe()}");
                break;
            case WorkersFound workers:
                events.Status($"coordinator: {workers.Workers.Count} worker node(s) up: {string.Join(", ", workers.Workers)}");
                break;
            case TrainingProgressed training:
                _training?.Report(training.Progress);
                break;
            case ModelTrained trained:
                events.Status(string.Create(CultureInfo.InvariantCulture,
                    $"coordinator {trained.TrainedBy.Coordinator} trained the model in {(trained.TrainedBy.Finished - trained.TrainedBy.Started).TotalSeconds:F0} s"));
                onTrained?.Invoke(trained.TrainedBy);
                break;
            case RunProgressed run:
                _run?.Report(run.Progress);
                break;
        }
    }
}
