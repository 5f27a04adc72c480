using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Engines;

/// <summary>One recorded spike: sample, hidden stage, neuron (before pooling, [c][y][x]) and absolute time step.</summary>
public readonly record struct SpikeRecord(int Sample, int Stage, int Neuron, int Time);

/// <summary>
/// What a simulation of a set of samples produced: predictions, output potentials, spike counts per
/// hidden stage, synaptic operations and, when asked for, every spike. <see cref="Recorded"/> says which
/// fields the engine filled (an oracle fills fewer); <see cref="Compare"/> is the one comparison of two results.
/// </summary>
public sealed partial class SimulationResult
{
    internal SimulationResult(int sampleCount, int classCount, int[] predictions, float[] outputPotentials, long[] spikesPerStage,
        long synOps, long analogInputEvents, long firstLayerMacs, int[][]? spikeTimes, int window, long spikesDelivered = 0, FaultCounters faults = default,
        ResultFields recorded = ResultFields.All)
    {
        // Spike times are recorded exactly when they are present, whatever the caller said.
        Recorded = spikeTimes is null ? recorded & ~ResultFields.SpikeTimes : recorded | ResultFields.SpikeTimes;
        SpikesDelivered = spikesDelivered;
        Faults = faults;
        SampleCount = sampleCount;
        ClassCount = classCount;
        Predictions = predictions;
        OutputPotentials = outputPotentials;
        SpikesPerStage = spikesPerStage;
        SynOps = synOps;
        AnalogInputEvents = analogInputEvents;
        FirstLayerMacs = firstLayerMacs;
        SpikeTimes = spikeTimes;
        Window = window;
    }

    public int SampleCount { get; }

    public int ClassCount { get; }

    /// <summary>The fields the engine filled; the others hold zeros (the clock-driven oracle counts no SynOps, for one).</summary>
    public ResultFields Recorded { get; }

    /// <summary>argmax of the output potentials per sample (ties: lowest class index).</summary>
    public int[] Predictions { get; }

    /// <summary>Output-layer membrane potentials at time L*T, [sample][class].</summary>
    public float[] OutputPotentials { get; }

    /// <summary>Spikes of each hidden stage's own neurons (before pooling), summed over samples.</summary>
    public long[] SpikesPerStage { get; }

    /// <summary>Synaptic events driven by spikes (each spike times the synapses it reaches).</summary>
    public long SynOps { get; }

    /// <summary>Synaptic events driven by non-zero analog input values (the first layer works as a DNN layer there).</summary>
    public long AnalogInputEvents { get; }

    /// <summary>MACs of the first layer evaluated densely, summed over samples (0 for TTFS-coded input); the energy model's analog part.</summary>
    public long FirstLayerMacs { get; }

    /// <summary>Per hidden stage, spike times [sample * ConvShape.Size + neuron] relative to the firing window (-1 none); null unless recorded.</summary>
    public int[][]? SpikeTimes { get; }

    /// <summary>The window T used to turn relative spike times into absolute ones.</summary>
    public int Window { get; }

    /// <summary>
    /// Spikes the hidden stages sent on, after pooling and spike faults, each source spike counted once
    /// (whatever the number of partitions that receive it), and a spike a duplicate fault copied once per
    /// copy (each copy is a delivery): the traffic proxy of fault studies.
    /// </summary>
    public long SpikesDelivered { get; }

    /// <summary>How often each injected fault acted (all zero without a fault plan).</summary>
    public FaultCounters Faults { get; }

    public double SpikesDeliveredPerSample => SampleCount == 0 ? 0 : (double)SpikesDelivered / SampleCount;

    public long TotalSpikes => SpikesPerStage.Sum();

    public double SpikesPerSample => SampleCount == 0 ? 0 : (double)TotalSpikes / SampleCount;

    public double SynOpsPerSample => SampleCount == 0 ? 0 : (double)SynOps / SampleCount;

    public ReadOnlySpan<float> PotentialsOf(int sample) => OutputPotentials.AsSpan(sample * ClassCount, ClassCount);

    /// <summary>Fraction of samples whose prediction equals the label.</summary>
    public double Accuracy(ReadOnlySpan<byte> labels)
    {
        if (labels.Length != SampleCount)
            throw new ArgumentException($"{labels.Length} labels for {SampleCount} samples");
        var correct = 0;
        for (var s = 0; s < SampleCount; s++)
        {
            if (Predictions[s] == labels[s]) correct++;
        }

        return SampleCount == 0 ? 0 : (double)correct / SampleCount;
    }

    /// <summary>Every recorded spike, ordered by sample, stage and neuron; absolute time = (stage + 1) * T + r.</summary>
    public IEnumerable<SpikeRecord> EnumerateSpikes()
    {
        if (SpikeTimes is null) throw new InvalidOperationException("spikes were not recorded (set RecordSpikes)");
        for (var s = 0; s < SampleCount; s++)
        {
            for (var stage = 0; stage < SpikeTimes.Length; stage++)
            {
                var perSample = SpikeTimes[stage].Length / SampleCount;
                for (var n = 0; n < perSample; n++)
                {
                    var r = SpikeTimes[stage][(s * perSample) + n];
                    if (r >= 0) yield return new SpikeRecord(s, stage, n, ((stage + 1) * Window) + r);
                }
            }
        }
    }

    /// <summary>Index of the largest value; ties go to the lowest index (the method's output rule).</summary>
    public static int Argmax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var j = 1; j < values.Length; j++)
        {
            if (values[j] > values[best]) best = j;
        }

        return best;
    }
}

/// <summary>
/// Collects batch results into a <see cref="SimulationResult"/>; batches may arrive in any order
/// (the actor runtime completes them out of order), each sample is written once.
/// </summary>
public sealed class SimulationResultBuilder
{
    private readonly NetworkSpec _network;
    private readonly int _window;
    private readonly float[] _potentials;
    private readonly bool[] _done;
    private readonly long[] _spikes;
    private readonly int[][]? _spikeTimes;
    private long _synOps;
    private long _analogEvents;
    private long _delivered;
    private FaultCounters _faults;
    private readonly long _firstLayerMacsPerSample;

    public SimulationResultBuilder(NetworkSpec network, int window, int sampleCount, bool recordSpikes, bool analogInput)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        _window = window;
        SampleCount = sampleCount;
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        _potentials = new float[checked(sampleCount * network.ClassCount)];
        _done = new bool[sampleCount];
        _spikes = new long[network.SpikingLayerCount];
        _firstLayerMacsPerSample = analogInput ? network.Stages[0].Macs : 0;
        if (recordSpikes)
        {
            // Every stage is sized before any is allocated, so a run too large to record fails at once, not after gigabytes.
            var lengths = new int[network.SpikingLayerCount];
            for (var d = 0; d < lengths.Length; d++) lengths[d] = SpikeTraceSize.Elements(sampleCount, network.Stages[d].ConvShape.Size, d);
            _spikeTimes = new int[lengths.Length][];
            for (var d = 0; d < _spikeTimes.Length; d++)
            {
                _spikeTimes[d] = new int[lengths[d]];
                Array.Fill(_spikeTimes[d], -1);
            }
        }
    }

    public int SampleCount { get; }

    /// <summary>Number of hidden (spiking) stages.</summary>
    public int SpikingStages => _spikes.Length;

    /// <summary>Spike-time buffers to pass to <see cref="StageKernel.Fire"/>; null when not recording.</summary>
    public int[]? SpikeTrace(int stage) => _spikeTimes?[stage];

    public void AddSpikes(int stage, long count) => _spikes[stage] += count;

    public void AddSynOps(long count) => _synOps += count;

    public void AddAnalogInputEvents(long count) => _analogEvents += count;

    /// <summary>Adds pooled spikes a hidden stage sent on (after spike faults); see <see cref="SimulationResult.SpikesDelivered"/>.</summary>
    public void AddSpikesDelivered(long count) => _delivered += count;

    /// <summary>Adds fault counters (a firing's, or the weight faults' once per run).</summary>
    public void AddFaults(FaultCounters counters) => _faults += counters;

    /// <summary>
    /// Adds what one <see cref="StageKernel.Step"/> of <paramref name="kernel"/> produced for the batch starting at
    /// <paramref name="firstSample"/>: its synaptic events and, for a hidden stage, its spikes, deliveries, fault
    /// counters and (when recording) spike times; an output stage's potentials go to <paramref name="potentials"/>
    /// ([sample][class] of the batch, global class index).
    /// </summary>
    public void AddStep(StageKernel kernel, StageStep step, int firstSample, Span<float> potentials)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(step);
        _synOps += step.SynOps;
        _analogEvents += step.AnalogEvents;
        if (step.Potentials is not null)
        {
            kernel.ReadPotentials(step.Potentials, step.SampleCount, potentials);
            return;
        }

        var fired = step.Fired ?? throw new ArgumentException($"stage {kernel.Stage.Index}: a step with neither potentials nor spikes", nameof(step));
        var stage = kernel.Stage.Index;
        AddSpikes(stage, fired.SpikeCount);
        AddSpikesDelivered(fired.Spikes.DeliveryCount);
        AddFaults(fired.Faults);
        if (step.LocalTimes is not null && SpikeTrace(stage) is { } trace) kernel.WriteTrace(step.LocalTimes, step.SampleCount, trace, firstSample);
    }

    /// <summary>Stores the output potentials of samples [firstSample, firstSample + count).</summary>
    public void AddOutputs(int firstSample, int count, ReadOnlySpan<float> potentials)
    {
        var classes = _network.ClassCount;
        if (potentials.Length != count * classes)
            throw new ArgumentException($"{potentials.Length} potentials for {count} samples of {classes} classes");
        for (var s = 0; s < count; s++)
        {
            if (_done[firstSample + s]) throw new InvalidOperationException($"sample {firstSample + s} has a result already");
            _done[firstSample + s] = true;
        }

        potentials.CopyTo(_potentials.AsSpan(firstSample * classes));
    }

    public SimulationResult Build()
    {
        var missing = Array.IndexOf(_done, false);
        if (missing >= 0) throw new InvalidOperationException($"sample {missing} has no result");
        var classes = _network.ClassCount;
        var predictions = new int[SampleCount];
        for (var s = 0; s < SampleCount; s++)
        {
            predictions[s] = SimulationResult.Argmax(_potentials.AsSpan(s * classes, classes));
        }

        return new SimulationResult(SampleCount, classes, predictions, _potentials, _spikes, _synOps, _analogEvents,
            _firstLayerMacsPerSample * SampleCount, _spikeTimes, _window, _delivered, _faults);
    }
}
