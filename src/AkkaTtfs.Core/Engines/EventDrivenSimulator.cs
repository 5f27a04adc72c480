using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Core.Engines;

/// <summary>Options of a reference simulation.</summary>
/// <param name="BatchSize">Samples processed together (weights are read once per batch).</param>
/// <param name="RecordSpikes">Keep every spike time (memory: samples x neurons ints).</param>
public sealed record SimulationOptions(int BatchSize = 64, bool RecordSpikes = false)
{
    public static SimulationOptions Default { get; } = new();
}

/// <summary>
/// The event-driven reference simulator: each batch goes through the stages layer by layer; a stage
/// integrates its input events in canonical order, closes its window and fires in closed form.
/// This is the result every other engine (partitioned, actor runtime) must reproduce bit for bit.
/// </summary>
public sealed class EventDrivenSimulator
{
    private readonly StageKernel[] _kernels;
    private readonly StageFaults?[] _faults;
    private readonly FaultCounters _weightFaults;

    /// <summary>A simulator of <paramref name="model"/>, with the faults of <paramref name="faults"/> injected if given.</summary>
    /// <exception cref="FaultPlanException">The plan does not fit the model (the message names the entry).</exception>
    public EventDrivenSimulator(SnnModel model, FaultPlan? faults = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        FaultPlan = faults;
        var run = model;
        if (faults is not null)
        {
            var faulted = faults.ApplyWeightFaults(model);
            run = faulted.Model;
            _weightFaults = faulted.Counters;
        }

        _kernels = run.Network.Stages.Select(s => new StageKernel(run, s.Index, NeuronBlock.Whole(s))).ToArray();
        _faults = _kernels.Select(k => faults?.ForKernel(k)).ToArray();
    }

    /// <summary>The model as given (weight faults, if any, act on a copy).</summary>
    public SnnModel Model { get; }

    /// <summary>The injected faults; null: none.</summary>
    public FaultPlan? FaultPlan { get; }

    /// <summary>Simulates <paramref name="count"/> samples of normalised inputs ([sample][input size]).</summary>
    public SimulationResult Run(ReadOnlySpan<float> inputs, int count, SimulationOptions? options = null, IProgress<int>? progress = null)
    {
        options ??= SimulationOptions.Default;
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "batch size must be >= 1");
        var inputSize = Model.Network.Input.Size;
        if (inputs.Length != count * inputSize)
            throw new ArgumentException($"{inputs.Length} input values do not make {count} samples of shape {Model.Network.Input}");

        var result = new SimulationResultBuilder(Model.Network, Model.T, count, options.RecordSpikes, Model.InputMode == InputMode.Analog);
        var potentials = new float[options.BatchSize * Model.Network.ClassCount];
        result.AddFaults(_weightFaults);
        for (var first = 0; first < count; first += options.BatchSize)
        {
            var n = Math.Min(options.BatchSize, count - first);
            var batch = inputs.Slice(first * inputSize, n * inputSize);
            RunBatch(batch, n, first, result, potentials.AsSpan(0, n * Model.Network.ClassCount));
            result.AddOutputs(first, n, potentials.AsSpan(0, n * Model.Network.ClassCount));
            progress?.Report(first + n);
        }

        return result.Build();
    }

    private void RunBatch(ReadOnlySpan<float> inputs, int n, int firstSample, SimulationResultBuilder result, Span<float> potentials)
    {
        var inputSize = Model.Network.Input.Size;
        InputEvents events;
        if (Model.InputMode == InputMode.Analog)
        {
            events = InputEvents.FromAnalog(inputs, n, inputSize);
        }
        else
        {
            events = InputEvents.FromSpikes(InputEvents.EncodeInput(inputs, n, inputSize, Model.InputKernel!), Model.InputKernel!);
        }

        for (var d = 0; d < _kernels.Length; d++)
        {
            var kernel = _kernels[d];
            var membrane = kernel.NewMembrane(n);
            var synapticEvents = kernel.Integrate(events, membrane);
            if (d == 0 && Model.InputMode == InputMode.Analog) result.AddAnalogInputEvents(synapticEvents);
            else result.AddSynOps(synapticEvents);

            if (kernel.Stage.IsOutput)
            {
                kernel.ReadPotentials(membrane, n, potentials);
                return;
            }

            var trace = result.SpikeTrace(d);
            var localTimes = trace is null ? null : new int[n * kernel.LocalNeuronCount];
            var fired = kernel.Fire(membrane, n, localTimes, _faults[d], firstSample);
            if (trace is not null) kernel.WriteTrace(localTimes, n, trace, firstSample);
            result.AddSpikes(d, fired.SpikeCount);
            result.AddSpikesDelivered(fired.Spikes.DeliveryCount);
            result.AddFaults(fired.Faults);
            events = InputEvents.FromSpikes(fired.Spikes, kernel.FiringKernel!);
        }
    }
}
