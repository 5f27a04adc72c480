using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// Everything a partition needs besides its parameters, as plain values that travel in a deploy message:
/// the architecture and partition spec (every node derives the same plan from them), the window, the
/// input mode and the temporal kernels it uses (presynaptic first when its stage receives spikes, then
/// its own when its stage spikes). <see cref="Build"/> turns it and the parameters back into a processor.
/// </summary>
public sealed record PartitionSetup(string Architecture, int[] InputShape, int T, string PartitionSpec, InputMode InputMode,
    int PartitionId, float[] KernelTaus, float[] KernelTds, int WeightCount, int BiasCount)
{
    /// <summary>The input mode as it travels ("analog" or "ttfs", as in the model file).</summary>
    public static string InputModeName(InputMode mode) => mode == InputMode.Ttfs ? "ttfs" : "analog";

    /// <summary>Parses <see cref="InputModeName"/>; anything else is an error naming the value.</summary>
    public static InputMode ParseInputMode(string name) => name switch
    {
        "analog" => InputMode.Analog,
        "ttfs" => InputMode.Ttfs,
        _ => throw new ArgumentException($"input mode '{name}' is neither 'analog' nor 'ttfs'"),
    };

    /// <summary>The setup of one partition of a model cut by a plan.</summary>
    public static PartitionSetup For(SnnModel model, PartitionPlan plan, int partitionId)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        var partition = plan.Partitions[partitionId];
        var kernels = new[] { model.PresynapticKernel(partition.Stage), model.Layers[partition.Stage].Kernel }.OfType<TemporalKernel>().ToArray();
        var stage = model.Network.Stages[partition.Stage];
        var rowLength = stage.WeightCount / stage.BiasCount;
        return new PartitionSetup(model.Network.Architecture, model.Network.Input.ToDims(), model.T, plan.Spec, model.InputMode, partitionId,
            kernels.Select(k => k.Tau).ToArray(), kernels.Select(k => k.Td).ToArray(),
            partition.Block.ChannelCount * rowLength, partition.Block.ChannelCount);
    }

    /// <summary>The partition's parameters: weight rows of its channels (file layout), then their biases.</summary>
    public static float[] Parameters(SnnModel model, PartitionPlan plan, int partitionId)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var p = plan.Partitions[partitionId];
        return [.. StageKernel.SliceWeights(model, p.Stage, p.Block), .. StageKernel.SliceBias(model, p.Stage, p.Block)];
    }

    /// <summary>Rebuilds the plan and the partition's processor; every mismatch is an <see cref="ArgumentException"/> naming it.</summary>
    /// <param name="parameters">Weights then biases (with weight faults: those of <see cref="IFaultInjection.ApplyWeightFaults"/>'s copy).</param>
    /// <param name="recordSpikes">Keep every local spike time.</param>
    /// <param name="faults">The run's fault plan (its spike and neuron faults act in the processor); null: none. A plan that does not fit is a <see cref="FaultPlanException"/>, an <see cref="ArgumentException"/>.</param>
    public PartitionProcessor Build(ReadOnlySpan<float> parameters, bool recordSpikes, IFaultInjection? faults = null)
    {
        var plan = SharedPlans.Get(Architecture, InputShape, PartitionSpec);     // one plan per process, not one per partition
        var network = plan.Network;
        if (PartitionId < 0 || PartitionId >= plan.Partitions.Count)
            throw new ArgumentException($"partition {PartitionId} is not in plan {PartitionSpec} ({plan.Partitions.Count} partitions)");
        var partition = plan.Partitions[PartitionId];
        var stage = network.Stages[partition.Stage];
        var receivesSpikes = partition.Stage > 0 || InputMode == InputMode.Ttfs;
        var expectedKernels = (receivesSpikes ? 1 : 0) + (stage.IsOutput ? 0 : 1);
        if (KernelTaus.Length != expectedKernels || KernelTds.Length != expectedKernels)
            throw new ArgumentException($"partition {PartitionId} (stage {partition.Stage}) needs {expectedKernels} temporal kernels, got {KernelTaus.Length} taus and {KernelTds.Length} tds");
        var kernels = KernelTaus.Select((tau, i) => new TemporalKernel(tau, KernelTds[i], T)).ToArray();
        var presynaptic = receivesSpikes ? kernels[0] : null;
        var firing = stage.IsOutput ? null : kernels[^1];
        if (parameters.Length != WeightCount + BiasCount)
            throw new ArgumentException($"partition {PartitionId}: {parameters.Length} parameter values, expected {WeightCount} weights + {BiasCount} biases");
        var kernel = new StageKernel(stage, partition.Block, parameters[..WeightCount], parameters[WeightCount..], presynaptic, firing);
        return new PartitionProcessor(plan, PartitionId, kernel, InputMode, recordSpikes, faults);
    }
}
