using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// The event-driven kernel of one partition of one stage: the neurons of a <see cref="NeuronBlock"/>,
/// their weights in a scatter-friendly layout, integration of input events and the closed-form firing
/// at window close (with first-spike max pooling). The reference simulator runs one kernel per stage;
/// partitioned runs and the actor runtime run several, and get bit-identical results because:
/// every neuron starts from its bias and adds w * value for its inputs in ascending presynaptic index,
/// each with one fused multiply-add, on every code path (vector body and scalar tail alike).
/// </summary>
public sealed partial class StageKernel
{
    // dense: [in][localChannel]; conv: [inChannel][ky][k-1-kx][localChannel]. The kernel column is stored
    // reversed because, at stride 1, one input spike reaches output columns ox = x + padding - kx: as kx
    // falls ox rises, so a whole kernel row then meets one contiguous run of the [y][x][c] membrane and is
    // added with a single vector FMA pass (k x channels wide) instead of k passes of `channels` values,
    // which are scalar when a partition holds fewer channels than a SIMD vector.
    private readonly float[] _weights;
    private readonly float[] _bias;      // [localChannel]
    private readonly int _convRowStart;
    private readonly int _convRowEnd;
    private readonly int _convColStart;
    private readonly int _convColEnd;
    private readonly int _inChannels;
    private readonly int _inHeight;
    private readonly int _inWidth;
    private readonly int _kernelSize;
    private readonly int _stride;
    private readonly int _padding;
    private readonly double _meanReach;   // see MeanReach
    private readonly SpikeTimeThresholds? _thresholds;   // the firing kernel's Encode as comparisons (null: output stage)

    /// <summary>The kernel of a block of a model's stage (weights sliced from the model).</summary>
    public StageKernel(SnnModel model, int stageIndex, NeuronBlock block)
        : this(StageOf(model, stageIndex), block, SliceWeights(model, stageIndex, block), SliceBias(model, stageIndex, block),
            model.PresynapticKernel(stageIndex), model.Layers[stageIndex].Kernel)
    {
    }

    /// <summary>
    /// The kernel of a block from the weights of its own output channels only, as a partition receives
    /// them when deployed: <paramref name="channelWeights"/> are the rows of channels
    /// [ChannelStart, ChannelEnd) in file layout (dense [out][in], conv [out][in][k][k]).
    /// </summary>
    public StageKernel(Stage stage, NeuronBlock block, ReadOnlySpan<float> channelWeights, ReadOnlySpan<float> channelBias,
        TemporalKernel? presynapticKernel, TemporalKernel? firingKernel)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(block);
        Stage = stage;
        Geometry = StageGeometry.Of(Stage);
        Block = block;
        var g = Geometry;
        if (block.ChannelStart < 0 || block.ChannelEnd > g.Channels || block.ChannelStart >= block.ChannelEnd ||
            block.RowStart < 0 || block.RowEnd > g.PooledHeight || block.RowStart >= block.RowEnd ||
            block.ColStart < 0 || block.ColEnd > g.PooledWidth || block.ColStart >= block.ColEnd)
        {
            throw new ArgumentException($"stage {stage.Index}: block {block} does not fit [{g.Channels},{g.PooledHeight},{g.PooledWidth}]");
        }

        var rowLength = stage.WeightCount / stage.BiasCount;
        if (channelWeights.Length != block.ChannelCount * rowLength)
            throw new ArgumentException($"stage {stage.Index}: {channelWeights.Length} weights for {block.ChannelCount} channels of {rowLength}");
        if (channelBias.Length != block.ChannelCount)
            throw new ArgumentException($"stage {stage.Index}: {channelBias.Length} biases for {block.ChannelCount} channels");
        if (stage.IsOutput != firingKernel is null)
            throw new ArgumentException($"stage {stage.Index}: {(stage.IsOutput ? "the output layer has no" : "a spiking layer needs a")} firing kernel");

        PresynapticKernel = presynapticKernel;
        FiringKernel = firingKernel;
        _thresholds = firingKernel is null ? null : SpikeTimeThresholds.Of(firingKernel);
        _convRowStart = g.ConvRowStart(block.RowStart);
        _convRowEnd = g.ConvRowEnd(block.RowEnd);
        _convColStart = g.ConvColStart(block.ColStart);
        _convColEnd = g.ConvColEnd(block.ColEnd);
        LocalChannels = block.ChannelCount;
        LocalHeight = _convRowEnd - _convRowStart;
        LocalWidth = _convColEnd - _convColStart;

        var input = Stage.InputShape;
        _inChannels = input.Channels;
        _inHeight = input.Height;
        _inWidth = input.Width;
        _bias = channelBias.ToArray();
        if (Stage.Layer is Conv2dSpec conv)
        {
            _kernelSize = conv.Kernel;
            _stride = conv.Stride;
            _padding = conv.Padding;
            _meanReach = MeanReach();
            var k = conv.Kernel;
            _weights = new float[_inChannels * k * k * LocalChannels];
            for (var lo = 0; lo < LocalChannels; lo++)
            {
                for (var c = 0; c < _inChannels; c++)
                {
                    for (var ky = 0; ky < k; ky++)
                    {
                        for (var kx = 0; kx < k; kx++)
                        {
                            _weights[((((c * k) + ky) * k) + (k - 1 - kx)) * LocalChannels + lo] = channelWeights[((((lo * _inChannels) + c) * k) + ky) * k + kx];
                        }
                    }
                }
            }
        }
        else
        {
            var inSize = input.Size;
            _weights = new float[inSize * LocalChannels];
            for (var lo = 0; lo < LocalChannels; lo++)
            {
                var row = channelWeights.Slice(lo * inSize, inSize);
                for (var i = 0; i < inSize; i++)
                {
                    _weights[(i * LocalChannels) + lo] = row[i];
                }
            }
        }
    }

    /// <summary>The weight rows of a block's channels, in file layout (what deployment sends to a partition).</summary>
    public static float[] SliceWeights(SnnModel model, int stageIndex, NeuronBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var stage = StageOf(model, stageIndex);
        var rowLength = stage.WeightCount / stage.BiasCount;
        return model.Layers[stageIndex].Weights.AsSpan(block.ChannelStart * rowLength, block.ChannelCount * rowLength).ToArray();
    }

    /// <summary>The biases of a block's channels.</summary>
    public static float[] SliceBias(SnnModel model, int stageIndex, NeuronBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        StageOf(model, stageIndex);
        return model.Layers[stageIndex].Bias.AsSpan(block.ChannelStart, block.ChannelCount).ToArray();
    }

    private static Stage StageOf(SnnModel model, int stageIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (stageIndex < 0 || stageIndex >= model.Network.Stages.Count)
            throw new ArgumentOutOfRangeException(nameof(stageIndex), stageIndex, $"the network has {model.Network.Stages.Count} stages");
        return model.Network.Stages[stageIndex];
    }

    public Stage Stage { get; }

    public StageGeometry Geometry { get; }

    public NeuronBlock Block { get; }

    /// <summary>Kernel that decodes this stage's input spikes; null for analog input.</summary>
    public TemporalKernel? PresynapticKernel { get; }

    /// <summary>This stage's own kernel; null for the output stage.</summary>
    public TemporalKernel? FiringKernel { get; }

    public int LocalChannels { get; }

    /// <summary>Conv rows owned (pooled tile rows times the pool, plus leftovers on the last tile).</summary>
    public int LocalHeight { get; }

    public int LocalWidth { get; }

    /// <summary>Neurons (before pooling) this kernel owns.</summary>
    public int LocalNeuronCount => LocalChannels * LocalHeight * LocalWidth;

    /// <summary>A membrane buffer for <paramref name="samples"/> samples, each neuron starting at its bias.</summary>
    public float[] NewMembrane(int samples)
    {
        var membrane = new float[samples * LocalNeuronCount];
        ResetMembrane(membrane);
        return membrane;
    }

    /// <summary>Sets every neuron of every sample in <paramref name="membrane"/> to its bias.</summary>
    private void ResetMembrane(Span<float> membrane)
    {
        var start = StartingMembrane;
        for (var s = 0; s < membrane.Length; s += start.Length) start.CopyTo(membrane.Slice(s, start.Length));
    }

    /// <summary>One sample's membrane before any input: every neuron at its bias (copied whole, not channel row by row).</summary>
    private float[] StartingMembrane => _startingMembrane ??= BuildStartingMembrane();

    private float[]? _startingMembrane;

    private float[] BuildStartingMembrane()
    {
        var start = new float[LocalNeuronCount];
        for (var p = 0; p < LocalHeight * LocalWidth; p++) _bias.CopyTo(start.AsSpan(p * LocalChannels, LocalChannels));
        return start;
    }

    /// <summary>True when presynaptic neuron <paramref name="presynaptic"/> reaches a neuron of this block (see <see cref="ReceptiveField"/>).</summary>
    public bool Needs(int presynaptic) => ReceptiveField.Needs(Stage, Block, presynaptic);

    /// <summary>
    /// Adds the input events of every sample to the membranes. Events must be in ascending presynaptic
    /// order per sample (the canonical order); a repeated index (a duplicated spike's copies, adjacent) is
    /// integrated once per event, in a row. Returns the synaptic events performed (SynOps), so a duplicated
    /// spike's fan-out counts once per copy.
    /// </summary>
    public long Integrate(InputEvents events, Span<float> membrane)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (membrane.Length != events.SampleCount * LocalNeuronCount)
            throw new ArgumentException($"membrane holds {membrane.Length} values, expected {events.SampleCount} x {LocalNeuronCount}");
        return Stage.IsDense ? IntegrateDense(events, membrane) : IntegrateConv(events, membrane);
    }

    /// <summary>Global (pre-pooling, [c][y][x]) index of every local neuron, in local membrane order.</summary>
    public int[] LocalToGlobal => _localToGlobal ??= LocalToGlobalOf(Stage, Block);

    private int[]? _localToGlobal;

    /// <summary>
    /// The local-to-global neuron map of a block without building its kernel (no weights): what a
    /// collector needs to place a partition's potentials and spike times.
    /// </summary>
    public static int[] LocalToGlobalOf(Stage stage, NeuronBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var g = StageGeometry.Of(stage);
        var rowStart = g.ConvRowStart(block.RowStart);
        var colStart = g.ConvColStart(block.ColStart);
        var height = g.ConvRowEnd(block.RowEnd) - rowStart;
        var width = g.ConvColEnd(block.ColEnd) - colStart;
        var channels = block.ChannelCount;
        var map = new int[channels * height * width];
        for (var ly = 0; ly < height; ly++)
        {
            for (var lx = 0; lx < width; lx++)
            {
                for (var lo = 0; lo < channels; lo++)
                {
                    map[(((ly * width) + lx) * channels) + lo] = g.ConvIndex(block.ChannelStart + lo, rowStart + ly, colStart + lx);
                }
            }
        }

        return map;
    }

    /// <summary>Copies local spike times of a batch into a global trace [sample * ConvShape.Size + neuron].</summary>
    public void WriteTrace(ReadOnlySpan<int> localTimes, int samples, int[] trace, int traceSampleOffset) =>
        WriteTrace(LocalToGlobal, Stage.ConvShape.Size, localTimes, samples, trace, traceSampleOffset);

    /// <summary>Copies local spike times into a global trace through a local-to-global map (see <see cref="LocalToGlobalOf"/>).</summary>
    /// <exception cref="ArgumentException">The batch's samples lie past the end of the trace.</exception>
    public static void WriteTrace(int[] localToGlobal, int convSize, ReadOnlySpan<int> localTimes, int samples, int[] trace, int traceSampleOffset)
    {
        ArgumentNullException.ThrowIfNull(localToGlobal);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentOutOfRangeException.ThrowIfNegative(traceSampleOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        // Checked in long: past the end, the int index below would wrap (2^32 is 0) and overwrite another sample.
        if (((long)traceSampleOffset + samples) * convSize > trace.Length)
            throw new ArgumentException($"a batch of {samples} samples from sample {traceSampleOffset} does not fit a trace of {trace.Length} values ({convSize} neurons per sample)");
        var map = localToGlobal;
        for (var s = 0; s < samples; s++)
        {
            var baseIndex = (traceSampleOffset + s) * convSize;
            var local = localTimes.Slice(s * map.Length, map.Length);
            for (var p = 0; p < map.Length; p++) trace[baseIndex + map[p]] = local[p];
        }
    }

    /// <summary>
    /// The stage step every engine runs, written once: each neuron starts from its bias, integrates the batch's
    /// events in canonical order, then a hidden stage fires in closed form and pools (with its faults, if any)
    /// while the output stage keeps its potentials. <paramref name="analogInput"/> says whether the events are
    /// analog input values (counted as <see cref="StageStep.AnalogEvents"/>) or spikes (<see cref="StageStep.SynOps"/>).
    /// </summary>
    /// <param name="events">The batch's input events, ascending presynaptic index per sample.</param>
    /// <param name="analogInput">True for the first stage of a model with analog input.</param>
    /// <param name="firstSample">Global index of the batch's first sample (fault draws are keyed by it).</param>
    /// <param name="faults">This kernel's faults; null: none.</param>
    /// <param name="recordTimes">Keep every local neuron's spike time.</param>
    public StageStep Step(InputEvents events, bool analogInput, int firstSample, IStageFaultHook? faults, bool recordTimes)
    {
        ArgumentNullException.ThrowIfNull(events);
        var n = events.SampleCount;
        if (Stage.IsOutput)
        {
            var potentials = NewMembrane(n);   // handed out with the step, so not pooled
            var (outputSynaptic, outputTicks) = IntegrateTimed(events, potentials);
            return new StageStep(n, analogInput ? 0 : outputSynaptic, analogInput ? outputSynaptic : 0, potentials, null, null, outputTicks);
        }

        var localTimes = recordTimes ? new int[n * LocalNeuronCount] : null;
        if (Stage.IsDense)
        {
            // A hidden dense stage integrates the batch at once (each weight row read once per batch); its
            // membrane lives only until the window closes, so a pooled buffer spares allocating and zeroing it.
            var length = n * LocalNeuronCount;
            var rented = ArrayPool<float>.Shared.Rent(length);
            try
            {
                var membrane = rented.AsSpan(0, length);
                ResetMembrane(membrane);
                var (synaptic, integrateTicks) = IntegrateTimed(events, membrane);
                var fired = Fire(membrane, n, localTimes, faults, firstSample);
                return new StageStep(n, analogInput ? 0 : synaptic, analogInput ? synaptic : 0, null, fired, localTimes, integrateTicks);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }

        return StepConvBySample(events, analogInput, firstSample, faults, localTimes);
    }

    /// <summary>
    /// A hidden conv stage integrates and fires one sample at a time, in one membrane buffer that stays in cache
    /// (a batch's membranes would not: 64 samples of mnist-cnn's conv1 are 1.7 MB). Per neuron the sums are those
    /// of a batch-wide integration: each sample's events only ever reach that sample's membrane.
    /// </summary>
    private StageStep StepConvBySample(InputEvents events, bool analogInput, int firstSample, IStageFaultHook? faults, int[]? localTimes)
    {
        ArgumentNullException.ThrowIfNull(events);
        var n = events.SampleCount;
        var perSample = LocalNeuronCount;
        var close = new WindowClose(this, n, faults, firstSample);
        var rented = ArrayPool<float>.Shared.Rent(perSample);
        try
        {
            var u = rented.AsSpan(0, perSample);
            ConvScratch scratch = default;
            long synaptic = 0;
            long integrateTicks = 0;
            for (var s = 0; s < n; s++)
            {
                ResetMembrane(u);
                var started = Stopwatch.GetTimestamp();
                synaptic += IntegrateConvSample(events, s, u, ref scratch);
                integrateTicks += Stopwatch.GetTimestamp() - started;
                close.Sample(u, localTimes is null ? default : localTimes.AsSpan(s * perSample, perSample));
            }

            return new StageStep(n, analogInput ? 0 : synaptic, analogInput ? synaptic : 0, null, close.Finish(), localTimes, integrateTicks);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Integrates, and says how long it took (the integrate / fire split of a partition's compute time, for the traffic instrument).</summary>
    private (long Synaptic, long Ticks) IntegrateTimed(InputEvents events, Span<float> membrane)
    {
        var started = Stopwatch.GetTimestamp();
        var synaptic = Integrate(events, membrane);
        return (synaptic, Stopwatch.GetTimestamp() - started);
    }

    /// <summary>Copies the output stage's membrane potentials into <paramref name="potentials"/> ([sample][class], global class index).</summary>
    public void ReadPotentials(ReadOnlySpan<float> membrane, int samples, Span<float> potentials)
    {
        var map = LocalToGlobal;
        var classes = Stage.ConvShape.Size;
        for (var s = 0; s < samples; s++)
        {
            for (var p = 0; p < map.Length; p++) potentials[(s * classes) + map[p]] = membrane[(s * map.Length) + p];
        }
    }
}

/// <summary>What a stage partition emits at window close: the spikes for the next stage and its own spike count.</summary>
/// <param name="Spikes">Spikes after pooling (and after spike faults, so a duplicated spike has a multiplicity above 1), in the stage's output space.</param>
/// <param name="SpikeCount">Spikes of the stage's own neurons (before pooling, after neuron faults): the paper's spike metric.</param>
/// <param name="Faults">How often each injected fault acted in this firing (zero without faults).</param>
/// <param name="StepSpikes">The stage's own spikes (as <paramref name="SpikeCount"/>) per time step of the window; they sum to SpikeCount.</param>
public sealed record FiredSpikes(SpikeBatch Spikes, long SpikeCount, FaultCounters Faults = default, long[]? StepSpikes = null);

/// <summary>What one <see cref="StageKernel.Step"/> on a batch produced.</summary>
/// <param name="SampleCount">Samples in the batch.</param>
/// <param name="SynOps">Synaptic events driven by input spikes.</param>
/// <param name="AnalogEvents">Synaptic events driven by analog input values (first stage of an analog-input model).</param>
/// <param name="Potentials">The output stage's local membrane potentials ([sample][local neuron]); null for a hidden stage.</param>
/// <param name="Fired">A hidden stage's firing (spikes for the next stage, spike count, fault counters); null for the output stage.</param>
/// <param name="LocalTimes">Every local neuron's spike time (-1 none), when asked for; null otherwise.</param>
/// <param name="IntegrateTicks">Stopwatch ticks spent integrating (the rest of the step is firing), for the traffic instrument.</param>
public sealed record StageStep(int SampleCount, long SynOps, long AnalogEvents, float[]? Potentials, FiredSpikes? Fired, int[]? LocalTimes, long IntegrateTicks = 0);
