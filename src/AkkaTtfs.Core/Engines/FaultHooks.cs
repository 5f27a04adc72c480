using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Engines;

/// <summary>A model with injected weight faults applied, and how many weights they changed.</summary>
/// <param name="Model">The faulty copy (the same instance as the input when no weight fault acts).</param>
/// <param name="Counters">Only <see cref="FaultCounters.WeightsFlipped"/> and <see cref="FaultCounters.WeightsZeroed"/> are set.</param>
public sealed record FaultedModel(SnnModel Model, FaultCounters Counters);

/// <summary>
/// The faults of a run as the engines see them (Core/Faults' <c>FaultPlan</c> implements it). The engines
/// own this contract and the faults implement it, so the engines never name a fault type: the dependency
/// runs one way, Faults -> Engines.
/// </summary>
public interface IFaultInjection
{
    /// <summary>Throws (one line naming the entry) when the faults do not fit <paramref name="network"/>.</summary>
    void Validate(NetworkSpec network);

    /// <summary>Checks the faults against the model, then applies the weight faults once, to a copy.</summary>
    FaultedModel ApplyWeightFaults(SnnModel model);

    /// <summary>The spike and neuron faults that act in <paramref name="kernel"/>'s firing; null when none does.</summary>
    IStageFaultHook? ForKernel(StageKernel kernel);
}

/// <summary>
/// The spike and neuron faults of one stage kernel, built for that kernel's block (neuron faults hold
/// indices into its membrane) and immutable, so one hook serves every batch; each firing opens a
/// <see cref="IStageFaultPass"/> that holds its own counters and scratch.
/// </summary>
public interface IStageFaultHook
{
    /// <summary>The stage (layer) the faults act on.</summary>
    int Stage { get; }

    /// <summary>The neurons of the kernel they were built for.</summary>
    NeuronBlock Block { get; }

    /// <summary>True when a neuron fault acts on this stage (in some sample).</summary>
    bool HasNeuronFaults { get; }

    /// <summary>True when a spike fault acts on the stage's emitted spikes (in some sample).</summary>
    bool HasSpikeFaults { get; }

    /// <summary>True when one of them is a duplicate, so that emitted spikes may have copies.</summary>
    bool HasDuplicateFaults { get; }

    /// <summary>A pass over one firing (one batch): fresh counters.</summary>
    IStageFaultPass BeginFiring();
}

/// <summary>The faults of one stage acting in one firing; <see cref="Counters"/> says how often they acted.</summary>
public interface IStageFaultPass
{
    /// <summary>
    /// Applies the neuron faults active in global sample <paramref name="sample"/> to one sample's local spike
    /// times (computed without faults from <paramref name="membrane"/>); returns the change of the spike count.
    /// </summary>
    long ApplyNeuronFaults(int sample, ReadOnlySpan<float> membrane, Span<int> times);

    /// <summary>
    /// Applies the spike faults active in global sample <paramref name="sample"/> to its <paramref name="count"/>
    /// pooled spikes (ascending neurons, relative times, copies: empty when no duplicate acts), in place;
    /// returns the number of spikes left.
    /// </summary>
    int ApplySpikeFaults(int sample, Span<int> neurons, Span<int> times, Span<int> copies, int count);

    /// <summary>How often the faults acted in this pass so far.</summary>
    FaultCounters Counters { get; }
}
