using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// Runs a partition plan (<see cref="SimulationOptions.Partitions"/>, required) in one thread: every partition
/// is a <see cref="StageKernel"/> of its block, and partitions exchange only what the routing tables say. It is
/// what the actor runtime distributes, and it must give results bit-identical to <see cref="EventDrivenSimulator"/>
/// for any plan. It ignores <see cref="SimulationOptions.MaxInFlight"/> (batches run one after the other).
/// </summary>
public sealed class PartitionedSimulator : ISimulationEngine
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">No partition plan, a plan for another network, inputs or faults that do not fit the model.</exception>
    public SimulationResult Run(SnnModel model, SimulationInputs inputs, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        // As the reference does: a batch size below 1 would never advance the batch loop below.
        options.Check();
        var plan = options.RequirePartitions(model, "partitioned simulator");
        inputs.CheckFits(model);
        var (cut, hooks, weightFaults) = Prepare(model, plan, options.Faults);
        var count = inputs.Count;
        var inputSize = model.Network.Input.Size;
        var result = new SimulationResultBuilder(model.Network, model.T, count, options.RecordSpikes, model.InputMode == InputMode.Analog);
        result.AddFaults(weightFaults);
        for (var first = 0; first < count; first += options.BatchSize)
        {
            var n = Math.Min(options.BatchSize, count - first);
            var potentials = new float[n * model.Network.ClassCount];
            RunBatch(model, cut, hooks, inputs.Samples(first, n, inputSize), n, first, options.RecordSpikes, result, potentials);
            result.AddOutputs(first, n, potentials);
            options.Progress?.Report(first + n);
        }

        return result.Build();
    }

    /// <summary>The last (model, plan, faults) prepared: repeated runs lay out the weights once (keyed by instance; nothing changes a model in place).</summary>
    private Prepared? _prepared;

    private sealed record Prepared(SnnModel Model, PartitionPlan Plan, IFaultInjection? Faults, Cut Cut, IStageFaultHook?[] Hooks, FaultCounters WeightFaults);

    private (Cut Cut, IStageFaultHook?[] Hooks, FaultCounters WeightFaults) Prepare(SnnModel model, PartitionPlan plan, IFaultInjection? faults)
    {
        if (_prepared is { } p && ReferenceEquals(p.Model, model) && ReferenceEquals(p.Plan, plan) && ReferenceEquals(p.Faults, faults))
            return (p.Cut, p.Hooks, p.WeightFaults);
        var run = model;
        FaultCounters weightFaults = default;
        if (faults is not null) (run, weightFaults) = faults.ApplyWeightFaults(model);
        var cut = new Cut(plan,
            plan.Partitions.Select(x => new StageKernel(run, x.Stage, x.Block)).ToArray(),
            plan.Routes.Select(r => new NeuronSet(r.Neurons)).ToArray(),
            plan.Routes.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i));
        var hooks = cut.Kernels.Select(k => faults?.ForKernel(k)).ToArray();
        _prepared = new Prepared(model, plan, faults, cut, hooks, weightFaults);
        return (cut, hooks, weightFaults);
    }

    /// <summary>The plan's kernels (by partition id), the neurons each route delivers (compact: see <see cref="NeuronSet"/>) and each route's index.</summary>
    private sealed record Cut(PartitionPlan Plan, StageKernel[] Kernels, NeuronSet[] RouteSets, Dictionary<Route, int> RouteIndex);

    private static void RunBatch(SnnModel model, Cut cut, IStageFaultHook?[] hooks, ReadOnlySpan<float> batch, int n, int first, bool record,
        SimulationResultBuilder result, float[] potentials)
    {
        var plan = cut.Plan;
        var inputSize = model.Network.Input.Size;
        var emitted = new SpikeBatch[plan.Partitions.Count];
        InputEvents? analog = null;
        SpikeBatch? inputSpikes = null;
        if (model.InputMode == InputMode.Analog) analog = InputEvents.FromAnalog(batch, n, inputSize);
        else inputSpikes = InputEvents.EncodeInput(batch, n, inputSize, model.InputKernel!);

        for (var d = 0; d < model.Network.Stages.Count; d++)
        {
            foreach (var partition in plan.OfStage(d))
            {
                var kernel = cut.Kernels[partition.Id];
                var routes = plan.RoutesTo(partition.Id);
                InputEvents events;
                if (d == 0 && analog is not null)
                {
                    events = routes.Count == 0 ? InputEvents.FromAnalog([], n, 0) : analog.Where(cut.RouteSets[cut.RouteIndex[routes[0]]]);
                }
                else
                {
                    var received = routes.Select(r => (r.SourceId == PartitionPlan.InputSource ? inputSpikes! : emitted[r.SourceId]).Where(cut.RouteSets[cut.RouteIndex[r]])).ToList();
                    var merged = received.Count == 0 ? SpikeBatch.Empty(n) : SpikeBatch.Merge(received);
                    events = InputEvents.FromSpikes(merged, kernel.PresynapticKernel!);
                }

                var step = kernel.Step(events, d == 0 && analog is not null, first, hooks[partition.Id], record);
                result.AddStep(kernel, step, first, potentials);
                if (step.Fired is { } fired) emitted[partition.Id] = fired.Spikes;
            }
        }
    }
}
