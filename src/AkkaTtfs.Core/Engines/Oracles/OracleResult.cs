using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
namespace AkkaTtfs.Core.Engines.Oracles;

/// <summary>
/// What a reference implementation (an oracle) computed for a batch of samples, in double precision:
/// the output potentials and predictions, and per hidden stage every neuron's spike time and membrane value.
/// </summary>
/// <remarks>
/// Hidden-stage arrays are indexed <c>[sample * ConvShape.Size + neuron]</c>, neurons in [c][y][x] order
/// BEFORE pooling, stage index = index among the hidden (spiking) stages of <c>NetworkSpec.Stages</c>.
/// </remarks>
public sealed class OracleResult
{
    /// <summary>Wraps the arrays an oracle filled; checks that their lengths fit together.</summary>
    public OracleResult(
        int sampleCount,
        int classCount,
        int[] predictions,
        double[] outputPotentials,
        int[][] spikeTimes,
        double[][] preActivations,
        long[] spikesPerStage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(outputPotentials);
        ArgumentNullException.ThrowIfNull(spikeTimes);
        ArgumentNullException.ThrowIfNull(preActivations);
        ArgumentNullException.ThrowIfNull(spikesPerStage);
        if (predictions.Length != sampleCount)
            throw new ArgumentException($"{predictions.Length} predictions for {sampleCount} samples", nameof(predictions));
        if (outputPotentials.Length != (long)sampleCount * classCount)
            throw new ArgumentException($"{outputPotentials.Length} output potentials for {sampleCount} samples x {classCount} classes", nameof(outputPotentials));
        if (preActivations.Length != spikeTimes.Length || spikesPerStage.Length != spikeTimes.Length)
            throw new ArgumentException($"hidden stages disagree: {spikeTimes.Length} spike-time arrays, {preActivations.Length} pre-activation arrays, {spikesPerStage.Length} spike counts");
        for (var s = 0; s < spikeTimes.Length; s++)
        {
            if (spikeTimes[s].Length != preActivations[s].Length)
                throw new ArgumentException($"hidden stage {s}: {spikeTimes[s].Length} spike times but {preActivations[s].Length} pre-activations");
            if (sampleCount > 0 && spikeTimes[s].Length % sampleCount != 0)
                throw new ArgumentException($"hidden stage {s}: {spikeTimes[s].Length} spike times do not split into {sampleCount} samples");
        }

        SampleCount = sampleCount;
        ClassCount = classCount;
        Predictions = predictions;
        OutputPotentials = outputPotentials;
        SpikeTimes = spikeTimes;
        PreActivations = preActivations;
        SpikesPerStage = spikesPerStage;
    }

    /// <summary>Number of samples simulated.</summary>
    public int SampleCount { get; }

    /// <summary>Number of output neurons (classes).</summary>
    public int ClassCount { get; }

    /// <summary>Per sample, the argmax of the output potentials; ties go to the lowest index.</summary>
    public int[] Predictions { get; }

    /// <summary>Output-layer membrane values, [sample * ClassCount + class].</summary>
    public double[] OutputPotentials { get; }

    /// <summary>Per hidden stage, [sample * ConvShape.Size + neuron]: relative step in the firing window, -1 = no spike.</summary>
    public int[][] SpikeTimes { get; }

    /// <summary>Per hidden stage, [sample * ConvShape.Size + neuron]: the membrane value u (= the DNN pre-activation).</summary>
    public double[][] PreActivations { get; }

    /// <summary>Per hidden stage, the spikes emitted over all samples (before pooling; input and output not counted).</summary>
    public long[] SpikesPerStage { get; }

    /// <summary>Total hidden spikes over all stages and samples.</summary>
    public long TotalSpikes => SpikesPerStage.Sum();

    /// <summary>The output potentials of one sample.</summary>
    public ReadOnlySpan<double> PotentialsOf(int sample) => OutputPotentials.AsSpan(sample * ClassCount, ClassCount);

    /// <summary>The spike times of one hidden stage for one sample.</summary>
    public ReadOnlySpan<int> SpikeTimesOf(int stage, int sample)
    {
        var neurons = NeuronsPerSample(stage);
        return SpikeTimes[stage].AsSpan(sample * neurons, neurons);
    }

    /// <summary>The pre-activations of one hidden stage for one sample.</summary>
    public ReadOnlySpan<double> PreActivationsOf(int stage, int sample)
    {
        var neurons = NeuronsPerSample(stage);
        return PreActivations[stage].AsSpan(sample * neurons, neurons);
    }

    private int NeuronsPerSample(int stage)
    {
        if (SampleCount == 0) throw new ArgumentOutOfRangeException(nameof(stage), "the result holds no samples");
        return SpikeTimes[stage].Length / SampleCount;
    }
}
