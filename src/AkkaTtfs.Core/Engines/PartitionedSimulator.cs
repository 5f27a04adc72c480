using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// Runs a partition plan in one thread: every partition is a <see cref="StageKernel"/> of its block,
/// and partitions exchange only what the routing tables say. It is what the actor runtime distributes,
/// and it must give results bit-identical to <see cref="EventDrivenSimulator"/> for any plan.
/// </summary>
public sealed class PartitionedSimulator
{
    private readonly StageKernel[] _kernels;      // by partition id
    private readonly NeuronSet[] _routeSets;      // by route index: the source neurons delivered (compact: see NeuronSet)
    private readonly StageFaults?[] _faults;      // by partition id
    private readonly FaultCounters _weightFaults;

    /// <summary>A simulator of <paramref name="model"/> cut by <paramref name="plan"/>, with the faults of <paramref name="faults"/> injected if given.</summary>
    /// <exception cref="FaultPlanException">The fault plan does not fit the model (the message names the entry).</exception>
    public PartitionedSimulator(SnnModel model, PartitionPlan plan, FaultPlan? faults = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Plan = plan ?? throw new ArgumentNullException(nameof(plan));
        if (!ReferenceEquals(plan.Network, model.Network) && plan.Network.Architecture != model.Network.Architecture)
            throw new PartitionPlanException($"the plan is for {plan.Network.Architecture}, the model is {model.Network.Architecture}");
        FaultPlan = faults;
        var run = model;
        if (faults is not null)
        {
            var faulted = faults.ApplyWeightFaults(model);
            run = faulted.Model;
            _weightFaults = faulted.Counters;
        }

        _kernels = plan.Partitions.Select(p => new StageKernel(run, p.Stage, p.Block)).ToArray();
        _faults = _kernels.Select(k => faults?.ForKernel(k)).ToArray();
        _routeSets = plan.Routes.Select(r => new NeuronSet(r.Neurons)).ToArray();
    }

    public SnnModel Model { get; }

    public PartitionPlan Plan { get; }

    /// <summary>The injected faults; null: none.</summary>
    public FaultPlan? FaultPlan { get; }

    public SimulationResult Run(ReadOnlySpan<float> inputs, int count, SimulationOptions? options = null)
    {
        options ??= SimulationOptions.Default;
        // As the reference does: a batch size below 1 would never advance the batch loop below.
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "batch size must be >= 1");
        var inputSize = Model.Network.Input.Size;
        if (inputs.Length != count * inputSize)
            throw new ArgumentException($"{inputs.Length} input values do not make {count} samples of shape {Model.Network.Input}");
        var classes = Model.Network.ClassCount;
        var result = new SimulationResultBuilder(Model.Network, Model.T, count, options.RecordSpikes, Model.InputMode == InputMode.Analog);
        var routeIndex = Plan.Routes.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i);
        result.AddFaults(_weightFaults);
        for (var first = 0; first < count; first += options.BatchSize)
        {
            var n = Math.Min(options.BatchSize, count - first);
            var batch = inputs.Slice(first * inputSize, n * inputSize);
            var potentials = new float[n * classes];
            var emitted = new SpikeBatch[Plan.Partitions.Count];
            InputEvents? analog = null;
            SpikeBatch? inputSpikes = null;
            if (Model.InputMode == InputMode.Analog) analog = InputEvents.FromAnalog(batch, n, inputSize);
            else inputSpikes = InputEvents.EncodeInput(batch, n, inputSize, Model.InputKernel!);

            for (var d = 0; d < Model.Network.Stages.Count; d++)
            {
                foreach (var partition in Plan.OfStage(d))
                {
                    var kernel = _kernels[partition.Id];
                    var routes = Plan.RoutesTo(partition.Id);
                    InputEvents events;
                    if (d == 0 && analog is not null)
                    {
                        events = routes.Count == 0 ? InputEvents.FromAnalog([], n, 0) : analog.Where(_routeSets[routeIndex[routes[0]]]);
                    }
                    else
                    {
                        var received = routes.Select(r => (r.SourceId == PartitionPlan.InputSource ? inputSpikes! : emitted[r.SourceId]).Where(_routeSets[routeIndex[r]])).ToList();
                        var merged = received.Count == 0 ? SpikeBatch.Empty(n) : SpikeBatch.Merge(received);
                        events = InputEvents.FromSpikes(merged, kernel.PresynapticKernel!);
                    }

                    var membrane = kernel.NewMembrane(n);
                    var synapticEvents = kernel.Integrate(events, membrane);
                    if (d == 0 && analog is not null) result.AddAnalogInputEvents(synapticEvents);
                    else result.AddSynOps(synapticEvents);

                    if (kernel.Stage.IsOutput)
                    {
                        kernel.ReadPotentials(membrane, n, potentials);
                    }
                    else
                    {
                        var trace = result.SpikeTrace(d);
                        var localTimes = trace is null ? null : new int[n * kernel.LocalNeuronCount];
                        var fired = kernel.Fire(membrane, n, localTimes, _faults[partition.Id], first);
                        if (trace is not null) kernel.WriteTrace(localTimes, n, trace, first);
                        result.AddSpikes(d, fired.SpikeCount);
                        result.AddSpikesDelivered(fired.Spikes.DeliveryCount);
                        result.AddFaults(fired.Faults);
                        emitted[partition.Id] = fired.Spikes;
                    }
                }
            }

            result.AddOutputs(first, n, potentials);
        }

        return result.Build();
    }
}
