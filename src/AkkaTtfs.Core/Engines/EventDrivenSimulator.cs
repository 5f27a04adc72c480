using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// The event-driven reference simulator: each batch goes through the stages layer by layer; a stage
/// integrates its input events in canonical order, closes its window and fires in closed form
/// (<see cref="StageKernel.Step"/>). This is the result every other engine (partitioned, message passing,
/// actor runtime) must reproduce bit for bit. It ignores <see cref="SimulationOptions.Partitions"/> and
/// <see cref="SimulationOptions.MaxInFlight"/>: it is the unpartitioned computation.
/// </summary>
public sealed class EventDrivenSimulator : ISimulationEngine
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or the fault plan does not fit it (the message names the entry).</exception>
    public SimulationResult Run(SnnModel model, SimulationInputs inputs, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        inputs.CheckFits(model);
        var (kernels, hooks, weightFaults) = Prepare(model, options.Faults);
        var count = inputs.Count;
        var classes = model.Network.ClassCount;
        var result = new SimulationResultBuilder(model.Network, model.T, count, options.RecordSpikes, model.InputMode == InputMode.Analog);
        var potentials = new float[options.BatchSize * classes];
        result.AddFaults(weightFaults);
        for (var first = 0; first < count; first += options.BatchSize)
        {
            var n = Math.Min(options.BatchSize, count - first);
            var batch = potentials.AsSpan(0, n * classes);
            RunBatch(model, kernels, hooks, inputs.Samples(first, n, model.Network.Input.Size), n, first, options.RecordSpikes, result, batch);
            result.AddOutputs(first, n, batch);
            options.Progress?.Report(first + n);
        }

        return result.Build();
    }

    /// <summary>
    /// The last model's kernels, kept so that repeated runs of one model (benchmarks, sweeps) lay out its weights once;
    /// keyed by instance, as nothing changes a model's weights in place.
    /// </summary>
    private Prepared? _prepared;

    private sealed record Prepared(SnnModel Model, IFaultInjection? Faults, StageKernel[] Kernels, IStageFaultHook?[] Hooks, FaultCounters WeightFaults);

    /// <summary>Kernels (of the weight-faulted copy, if any) and fault hooks; kernels and hooks are immutable, so concurrent runs may share them.</summary>
    private (StageKernel[] Kernels, IStageFaultHook?[] Hooks, FaultCounters WeightFaults) Prepare(SnnModel model, IFaultInjection? faults)
    {
        if (_prepared is { } p && ReferenceEquals(p.Model, model) && ReferenceEquals(p.Faults, faults)) return (p.Kernels, p.Hooks, p.WeightFaults);
        var run = model;
        FaultCounters weightFaults = default;
        if (faults is not null) (run, weightFaults) = faults.ApplyWeightFaults(model);
        var kernels = run.Network.Stages.Select(s => new StageKernel(run, s.Index, NeuronBlock.Whole(s))).ToArray();
        var hooks = kernels.Select(k => faults?.ForKernel(k)).ToArray();
        _prepared = new Prepared(model, faults, kernels, hooks, weightFaults);
        return (kernels, hooks, weightFaults);
    }

    private static void RunBatch(SnnModel model, StageKernel[] kernels, IStageFaultHook?[] hooks, ReadOnlySpan<float> inputs, int n, int firstSample,
        bool record, SimulationResultBuilder result, Span<float> potentials)
    {
        var inputSize = model.Network.Input.Size;
        var analog = model.InputMode == InputMode.Analog;
        var events = analog
            ? InputEvents.FromAnalog(inputs, n, inputSize)
            : InputEvents.FromSpikes(InputEvents.EncodeInput(inputs, n, inputSize, model.InputKernel!), model.InputKernel!);
        for (var d = 0; d < kernels.Length; d++)
        {
            var kernel = kernels[d];
            var step = kernel.Step(events, d == 0 && analog, firstSample, hooks[d], record);
            result.AddStep(kernel, step, firstSample, potentials);
            if (step.Fired is { } fired) events = InputEvents.FromSpikes(fired.Spikes, kernel.FiringKernel!);
        }
    }
}
