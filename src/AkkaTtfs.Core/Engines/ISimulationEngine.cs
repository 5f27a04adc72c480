using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// One way to simulate a model on a set of samples: the event-driven reference, the partitioned simulator,
/// the message-passing protocol and the clock-driven oracle all implement it, so a caller (or a test) picks
/// an engine and compares results with <see cref="SimulationResult.Compare"/>.
/// </summary>
public interface ISimulationEngine
{
    /// <summary>Simulates every sample of <paramref name="inputs"/> on <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or the options do not fit the engine (one line saying what).</exception>
    SimulationResult Run(SnnModel model, SimulationInputs inputs, SimulationOptions options);
}

/// <summary>Normalised input values of <see cref="Count"/> samples, laid out [sample][model input size].</summary>
public sealed record SimulationInputs
{
    public SimulationInputs(ReadOnlyMemory<float> values, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Values = values;
        Count = count;
    }

    public ReadOnlyMemory<float> Values { get; }

    public int Count { get; }

    /// <summary>The values of samples [first, first + n).</summary>
    public ReadOnlySpan<float> Samples(int first, int n, int inputSize) => Values.Span.Slice(first * inputSize, n * inputSize);

    /// <summary>Throws when the values do not make <see cref="Count"/> samples of the model's input shape.</summary>
    public void CheckFits(SnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Values.Length != (long)Count * model.Network.Input.Size)
            throw new ArgumentException($"{Values.Length} input values do not make {Count} samples of shape {model.Network.Input}");
    }
}

/// <summary>Options of a simulation, common to every engine; an engine ignores what it has no use for (see each).</summary>
/// <param name="BatchSize">Samples processed together (weights are read once per batch; draws and sums do not depend on it).</param>
/// <param name="RecordSpikes">Keep every spike time (memory: samples x neurons ints).</param>
/// <param name="Faults">Faults to inject (Core/Faults' <c>FaultPlan</c>); null: none.</param>
/// <param name="Partitions">How to cut the network, for engines that partition it (partitioned, message passing); the reference ignores it.</param>
/// <param name="MaxInFlight">Credits: batches in flight at most, for engines that pipeline batches (message passing).</param>
/// <param name="Progress">Told the number of samples done after each batch, by engines that run batch after batch.</param>
public sealed record SimulationOptions(
    int BatchSize = 64,
    bool RecordSpikes = false,
    IFaultInjection? Faults = null,
    PartitionPlan? Partitions = null,
    int MaxInFlight = 4,
    IProgress<int>? Progress = null)
{
    public static SimulationOptions Default { get; } = new();

    /// <summary>Throws when a value can never work (a batch size below 1 would never advance a batch loop).</summary>
    public void Check()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (MaxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, "batches in flight must be >= 1");
    }

    /// <summary>The partition plan, checked against the model; an engine that needs one and got none says so.</summary>
    internal PartitionPlan RequirePartitions(SnnModel model, string engine)
    {
        var plan = Partitions ?? throw new ArgumentException($"the {engine} needs a partition plan (SimulationOptions.Partitions)");
        if (!ReferenceEquals(plan.Network, model.Network) && plan.Network.Architecture != model.Network.Architecture)
            throw new PartitionPlanException($"the plan is for {plan.Network.Architecture}, the model is {model.Network.Architecture}");
        return plan;
    }
}

/// <summary>Convenience forms of <see cref="ISimulationEngine.Run"/>; they only forward.</summary>
public static class SimulationEngineExtensions
{
    /// <summary><see cref="ISimulationEngine.Run"/> on <paramref name="count"/> samples of <paramref name="inputs"/> ([sample][input size]); null options: <see cref="SimulationOptions.Default"/>.</summary>
    public static SimulationResult Run(this ISimulationEngine engine, SnnModel model, ReadOnlyMemory<float> inputs, int count, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.Run(model, new SimulationInputs(inputs, count), options ?? SimulationOptions.Default);
    }
}
