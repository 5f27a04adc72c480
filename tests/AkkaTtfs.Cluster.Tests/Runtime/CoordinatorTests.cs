using System.Collections.Concurrent;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;
using AkkaTtfs.Core.Training;
using Xunit.Abstractions;

namespace AkkaTtfs.Cluster.Tests.Runtime;

/// <summary>A two-node cluster with one long-lived coordinator (on node 0) and a fake trainer, shared by the tests of <see cref="CoordinatorTests"/>.</summary>
public sealed class CoordinatorFixture : IAsyncLifetime
{
    private InProcessCluster? _cluster;

    public InProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("the fixture did not start");

    public FakeTrainer Trainer { get; } = new();

    public CoordinatorHandle Coordinator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _cluster = await InProcessCluster.StartAsync(2);
        foreach (var node in _cluster.Nodes) ClusterRuntime.StartNodeAgent(node.System);
        Coordinator = ClusterRuntime.StartCoordinator(_cluster[0].System, Trainer);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}

/// <summary>
/// The long-lived coordinator: several jobs over its life on one cluster, training through the injected trainer,
/// progress, provenance and cancellation. Every result is compared with the Core reference computed here.
/// </summary>
public class CoordinatorTests(CoordinatorFixture fixture, ITestOutputHelper output) : IClassFixture<CoordinatorFixture>
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Collects events as they are reported (on an actor's thread).</summary>
    private sealed class Events : IProgress<CoordinatorEvent>
    {
        public ConcurrentQueue<CoordinatorEvent> All { get; } = new();

        public Action<CoordinatorEvent>? OnEvent { get; init; }

        public void Report(CoordinatorEvent value)
        {
            All.Enqueue(value);
            OnEvent?.Invoke(value);
        }

        public IReadOnlyList<RunPhase> Phases => [.. All.OfType<PhaseChanged>().Select(p => p.Phase)];
    }

    private static RunJob Job(string runId, ModelSource model, string spec, float[] inputs, int count) =>
        new(runId, model, RunJob.Split(spec), new JobInputs.Normalised(inputs, count))
        {
            Options = new RunOptions(BatchSize: 5, MaxInFlight: 3, RecordSpikes: true),
            Workers = 2,
        };

    [Fact]
    public async Task Two_jobs_in_a_row_with_different_partition_specs_both_match_the_reference_bit_for_bit()
    {
        const int samples = 60;
        var (model, inputs) = SmallConvNet.Create(samples, 21);
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(RecordSpikes: true));
        foreach (var (spec, i) in new[] { "2", "3,2,1" }.Select((s, i) => (s, i)))
        {
            var events = new Events();
            var outcome = await fixture.Coordinator.RunAsync(Job($"two-jobs-{i}", new ModelSource.Ready(model), spec, inputs, samples), events).WaitAsync(JobTimeout);

            ResultAssert.BitIdentical(reference, outcome.Run.Result, $"job {i}, spec {spec}");
            Assert.Equal(PartitionPlanner.Plan(model.Network, spec).Describe(), outcome.Plan.Describe());
            Assert.Null(outcome.TrainedBy);
            Assert.Same(model, outcome.Model);
            Assert.Equal(2, outcome.Run.NodeOfPartition.Distinct().Count());
            Assert.True(events.Phases.SequenceEqual([RunPhase.Joining, RunPhase.Spawning, RunPhase.Deploying, RunPhase.Wiring, RunPhase.Running, RunPhase.Done]),
                $"phases {string.Join(", ", events.Phases)}");
            Assert.Contains(events.All, e => e is RunProgressed { Progress.CompletedSamples: samples });
            output.WriteLine($"job {i} ({spec}): {outcome.Plan.Partitions.Count} partitions, deploy {outcome.Run.DeployTime.TotalMilliseconds:F0} ms, run {outcome.Run.RunTime.TotalMilliseconds:F0} ms");
        }
    }

    [Fact]
    public async Task A_traffic_placement_without_a_given_prediction_is_predicted_off_the_actor_and_placed_as_core_places_it()
    {
        const int samples = 40;
        var (model, inputs) = SmallConvNet.Create(samples, 23);
        var plan = PartitionPlanner.Plan(model.Network, "2,2,1");
        var reference = new EventDrivenSimulator().Run(model, inputs, samples, new SimulationOptions(BatchSize: 5, RecordSpikes: true));
        // The prediction the coordinator must use: Core's traffic model over a reference of the samples (all 40 here: fewer than its sample of 256).
        var traffic = TrafficModel.Predict(model, plan, inputs, samples, reference, 5);
        var events = new Events();
        var job = Job("traffic-placement", new ModelSource.Ready(model), "2,2,1", inputs, samples) with { Placement = PlacementChoice.Of(PlacementStrategy.Traffic) };

        var outcome = await fixture.Coordinator.RunAsync(job, events).WaitAsync(JobTimeout);

        ResultAssert.BitIdentical(reference, outcome.Run.Result, "the traffic placement");
        Assert.Equal(PlacementStrategies.Assign(PlacementStrategy.Traffic, plan, 2, traffic, outcome.Run.CoordinatorNode), outcome.Run.NodeOfPartition);
        Assert.True(events.Phases.SequenceEqual([RunPhase.Joining, RunPhase.Spawning, RunPhase.Deploying, RunPhase.Wiring, RunPhase.Running, RunPhase.Done]),
            $"phases {string.Join(", ", events.Phases)}");
    }

    [Fact]
    public async Task A_job_without_a_model_is_trained_by_the_coordinators_trainer_then_deployed_and_its_provenance_reported()
    {
        const int samples = 30;
        var options = new TrainingOptions { Architecture = "c6k3-p2-c8k3-d10", Epochs = 3, Seed = 7 };
        var (_, inputs) = SmallConvNet.Create(samples, 22);
        // The reference runs on the model the fake trainer makes for these options, built here independently.
        var expectedModel = FakeTrainer.ModelFor(options);
        var reference = new EventDrivenSimulator().Run(expectedModel, inputs, samples, new SimulationOptions(RecordSpikes: true));
        var events = new Events();
        var before = DateTimeOffset.UtcNow;
        var calls = fixture.Trainer.Calls;

        var outcome = await fixture.Coordinator.RunAsync(Job("trained", new ModelSource.Train(options), "2,1,1", inputs, samples), events).WaitAsync(JobTimeout);

        ResultAssert.BitIdentical(reference, outcome.Run.Result, "the trained model on the cluster");
        Assert.Equal(calls + 1, fixture.Trainer.Calls);
        var trainedBy = Assert.IsType<TrainedBy>(outcome.TrainedBy);
        Assert.Equal(fixture.Cluster[0].SelfAddress.ToString(), trainedBy.Coordinator);
        Assert.Same(options, trainedBy.Options);
        Assert.Same(trainedBy.Result.Model, outcome.Model);
        Assert.Equal(3, trainedBy.Report.KeptEpoch);     // 1-based: the last of 3 epochs
        Assert.InRange(trainedBy.Started, before, trainedBy.Finished);
        Assert.Equal([0, 1, 2], events.All.OfType<TrainingProgressed>().Select(p => p.Progress.Epoch));
        Assert.Single(events.All.OfType<ModelTrained>());
        Assert.True(events.Phases.SequenceEqual([RunPhase.Joining, RunPhase.Training, RunPhase.Spawning, RunPhase.Deploying, RunPhase.Wiring, RunPhase.Running, RunPhase.Done]),
            $"phases {string.Join(", ", events.Phases)}");
    }

    [Fact]
    public async Task Cancelling_training_ends_the_job_with_OperationCanceledException_and_the_next_job_runs()
    {
        var options = new TrainingOptions { Architecture = "c6k3-p2-c8k3-d10", Epochs = 5, Seed = 3 };
        var (model, inputs) = SmallConvNet.Create(20, 23);
        using var cts = new CancellationTokenSource();
        var cancelled = fixture.Trainer.Cancelled;
        fixture.Trainer.HoldAfterFirstEpoch = true;
        try
        {
            // Cancel once the first epoch's progress arrived: training is then under way, held by the trainer. The
            // coordinator must still take the cancel message meanwhile, so this also shows training runs off its thread.
            var events = new Events { OnEvent = e => { if (e is TrainingProgressed) cts.Cancel(); } };
            var job = fixture.Coordinator.RunAsync(Job("cancel-training", new ModelSource.Train(options), "2", inputs, 20), events, cts.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(JobTimeout));
            Assert.True(job.IsCanceled);
            Assert.Equal(cancelled + 1, fixture.Trainer.Cancelled);
            Assert.Single(events.All.OfType<TrainingProgressed>());
            Assert.DoesNotContain(RunPhase.Spawning, events.Phases);
        }
        finally
        {
            fixture.Trainer.HoldAfterFirstEpoch = false;
        }

        var reference = new EventDrivenSimulator().Run(model, inputs, 20, new SimulationOptions(RecordSpikes: true));
        var next = await fixture.Coordinator.RunAsync(Job("after-cancel", new ModelSource.Ready(model), "2", inputs, 20)).WaitAsync(JobTimeout);
        ResultAssert.BitIdentical(reference, next.Run.Result, "the job after a cancelled one");
    }

    [Fact]
    public async Task Cancelling_a_running_job_stops_its_partitions_and_the_coordinator_takes_the_next_job()
    {
        const int samples = 4000;
        var (model, inputs) = SmallConvNet.Create(samples, 24);
        using var cts = new CancellationTokenSource();
        var events = new Events { OnEvent = e => { if (e is RunProgressed { Progress.CompletedSamples: > 0 }) cts.Cancel(); } };
        var job = new RunJob("cancel-run", new ModelSource.Ready(model), RunJob.Split("2"), new JobInputs.Normalised(inputs, samples))
        {
            Options = new RunOptions(BatchSize: 1, MaxInFlight: 1),
            Workers = 2,
        };
        var running = fixture.Coordinator.RunAsync(job, events, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(JobTimeout));
        // Its partitions are stopped on both nodes.
        await Eventually.UntilAsync(() => PartitionsOf(0, "cancel-run").Count == 0 && PartitionsOf(1, "cancel-run").Count == 0, TimeSpan.FromSeconds(30), "partitions of the cancelled run stopped");

        const int small = 25;
        var first = inputs[..(small * 144)];
        var reference = new EventDrivenSimulator().Run(model, first, small, new SimulationOptions(RecordSpikes: true));
        var next = await fixture.Coordinator.RunAsync(Job("after-cancelled-run", new ModelSource.Ready(model), "1,2,1", first, small)).WaitAsync(JobTimeout);
        ResultAssert.BitIdentical(reference, next.Run.Result, "the job after a cancelled run");
    }

    [Fact]
    public async Task A_job_that_does_not_fit_fails_with_one_clear_line_and_changes_nothing()
    {
        var (model, inputs) = SmallConvNet.Create(10, 25);
        var wrongSize = await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Coordinator.RunAsync(Job("wrong-inputs", new ModelSource.Ready(model), "2", inputs[..100], 10)).WaitAsync(JobTimeout));
        Assert.Contains("100 input values are not 10 samples", wrongSize.Message, StringComparison.Ordinal);
        var badSpec = await Assert.ThrowsAnyAsync<Exception>(() =>
            fixture.Coordinator.RunAsync(Job("bad-spec", new ModelSource.Ready(model), "x", inputs, 10)).WaitAsync(JobTimeout));
        Assert.IsType<PartitionPlanException>(badSpec);
        var reused = await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Coordinator.RunAsync(Job("bad-spec", new ModelSource.Ready(model), "2", inputs, 10)).WaitAsync(JobTimeout));
        Assert.Contains("run id bad-spec was already used", reused.Message, StringComparison.Ordinal);
        var noTrainer = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await using var lone = await InProcessCluster.StartAsync(1);
            ClusterRuntime.StartNodeAgent(lone[0].System);
            await ClusterRuntime.StartCoordinator(lone[0].System, trainer: null)
                .RunAsync(Job("no-trainer", new ModelSource.Train(new TrainingOptions()), "2", inputs, 10)).WaitAsync(JobTimeout);
        });
        Assert.Contains("without a trainer", noTrainer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_whose_plan_function_throws_unexpectedly_fails_and_the_coordinator_takes_the_next_job()
    {
        var (model, inputs) = SmallConvNet.Create(10, 26);
        var broken = new RunJob("broken-plan", new ModelSource.Ready(model), _ => throw new NotSupportedException("no plan today"), new JobInputs.Normalised(inputs, 10)) { Workers = 2 };
        var ex = await Assert.ThrowsAsync<RunFailedException>(() => fixture.Coordinator.RunAsync(broken).WaitAsync(JobTimeout));
        Assert.Contains("no plan today", ex.Message, StringComparison.Ordinal);

        var reference = new EventDrivenSimulator().Run(model, inputs, 10, new SimulationOptions(RecordSpikes: true));
        var next = await fixture.Coordinator.RunAsync(Job("after-broken-plan", new ModelSource.Ready(model), "2", inputs, 10)).WaitAsync(JobTimeout);
        ResultAssert.BitIdentical(reference, next.Run.Result, "the job after a coordinator restart");
    }

    private List<Akka.Actor.IActorRef> PartitionsOf(int node, string runId)
    {
        var selection = fixture.Cluster[node].System.ActorSelection($"/user/node-agent/{runId}-p*");
        var probe = fixture.Cluster.CreateProbe(node);
        selection.Tell(new Akka.Actor.Identify(1), probe.Ref);
        var found = new List<Akka.Actor.IActorRef>();
        while (probe.ReceiveOne(TimeSpan.FromMilliseconds(300)) is Akka.Actor.ActorIdentity { Subject: { } subject }) found.Add(subject);
        return found;
    }
}
