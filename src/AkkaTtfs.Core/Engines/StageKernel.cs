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
        var n = LocalNeuronCount;
        var membrane = new float[samples * n];
        for (var s = 0; s < samples; s++)
        {
            var u = membrane.AsSpan(s * n, n);
            for (var p = 0; p < LocalHeight * LocalWidth; p++)
            {
                _bias.CopyTo(u.Slice(p * LocalChannels, LocalChannels));
            }
        }

        return membrane;
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

    private long IntegrateDense(InputEvents events, Span<float> membrane)
    {
        var width = LocalChannels;
        var inputs = Stage.InputShape.Size;
        if (events.SampleCount == 1)
        {
            for (var k = 0; k < events.EventCount; k++)
            {
                MultiplyAdd(_weights.AsSpan(events.Neurons[k] * width, width), events.Values[k], membrane);
            }

            return (long)events.EventCount * width;
        }

        // Group the batch's events by presynaptic neuron so that each weight row is read once per batch,
        // not once per sample; each sample still receives its inputs in ascending presynaptic order.
        var starts = new int[inputs + 1];
        foreach (var neuron in events.Neurons) starts[neuron + 1]++;
        for (var i = 0; i < inputs; i++) starts[i + 1] += starts[i];
        var fill = starts.AsSpan(0, inputs).ToArray();
        var sampleOf = new int[events.EventCount];
        var valueOf = new float[events.EventCount];
        for (var s = 0; s < events.SampleCount; s++)
        {
            for (var k = events.SampleOffsets[s]; k < events.SampleOffsets[s + 1]; k++)
            {
                var slot = fill[events.Neurons[k]]++;
                sampleOf[slot] = s;
                valueOf[slot] = events.Values[k];
            }
        }

        for (var i = 0; i < inputs; i++)
        {
            if (starts[i] == starts[i + 1]) continue;
            var row = _weights.AsSpan(i * width, width);
            for (var k = starts[i]; k < starts[i + 1]; k++)
            {
                MultiplyAdd(row, valueOf[k], membrane.Slice(sampleOf[k] * width, width));
            }
        }

        return (long)events.EventCount * width;
    }

    private long IntegrateConv(InputEvents events, Span<float> membrane)
    {
        var k = _kernelSize;
        var channels = LocalChannels;
        var plane = _inHeight * _inWidth;
        var perSample = LocalNeuronCount;
        long synops = 0;
        for (var s = 0; s < events.SampleCount; s++)
        {
            var u = membrane.Slice(s * perSample, perSample);
            for (var e = events.SampleOffsets[s]; e < events.SampleOffsets[s + 1]; e++)
            {
                var neuron = events.Neurons[e];
                var value = events.Values[e];
                var c = neuron / plane;
                var rem = neuron - (c * plane);
                var y = rem / _inWidth;
                var x = rem - (y * _inWidth);
                // Stride 1: the kernel columns that reach this block are kx in [kxLo, kxHi], output columns
                // ox = x + padding - kx; reversed storage makes both runs contiguous (see _weights). Each
                // membrane value still gets exactly one add per input spike, so the sums are unchanged.
                var kxLo = Math.Max(0, x + _padding - (_convColEnd - 1));
                var kxHi = Math.Min(k - 1, x + _padding - _convColStart);
                for (var ky = 0; ky < k; ky++)
                {
                    var ny = y + _padding - ky;
                    if (ny < 0 || ny % _stride != 0) continue;
                    var oy = ny / _stride;
                    if (oy < _convRowStart || oy >= _convRowEnd) continue;
                    var rowBase = (((c * k) + ky) * k) + k - 1;
                    var outRow = (oy - _convRowStart) * LocalWidth;
                    if (_stride == 1)
                    {
                        if (kxLo > kxHi) break;
                        var run = (kxHi - kxLo + 1) * channels;
                        var w = _weights.AsSpan((rowBase - kxHi) * channels, run);
                        var target = (outRow + (x + _padding - kxHi - _convColStart)) * channels;
                        MultiplyAdd(w, value, u.Slice(target, run));
                        synops += run;
                        continue;
                    }

                    for (var kx = 0; kx < k; kx++)
                    {
                        var nx = x + _padding - kx;
                        if (nx < 0 || nx % _stride != 0) continue;
                        var ox = nx / _stride;
                        if (ox < _convColStart || ox >= _convColEnd) continue;
                        var w = _weights.AsSpan((rowBase - kx) * channels, channels);
                        var target = (outRow + (ox - _convColStart)) * channels;
                        MultiplyAdd(w, value, u.Slice(target, channels));
                        synops += channels;
                    }
                }
            }
        }

        return synops;
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
        var membrane = NewMembrane(n);
        var started = Stopwatch.GetTimestamp();     // the integrate / fire split of a partition's compute time (traffic instrument)
        var synaptic = Integrate(events, membrane);
        var integrateTicks = Stopwatch.GetTimestamp() - started;
        var synOps = analogInput ? 0 : synaptic;
        var analogEvents = analogInput ? synaptic : 0;
        if (Stage.IsOutput) return new StageStep(n, synOps, analogEvents, membrane, null, null, integrateTicks);
        var localTimes = recordTimes ? new int[n * LocalNeuronCount] : null;
        var fired = Fire(membrane, n, localTimes, faults, firstSample);
        return new StageStep(n, synOps, analogEvents, null, fired, localTimes, integrateTicks);
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

    /// <summary>u[j] = fma(w[j], value, u[j]) for every j: one rounding per add on every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void MultiplyAdd(ReadOnlySpan<float> w, float value, Span<float> u)
    {
        var n = w.Length;
        ref var wRef = ref MemoryMarshal.GetReference(w);
        ref var uRef = ref MemoryMarshal.GetReference(u);
        var j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var v = new Vector<float>(value);
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                var sum = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref wRef, (nuint)j), v, Vector.LoadUnsafe(ref uRef, (nuint)j));
                sum.StoreUnsafe(ref uRef, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref uRef, j) = MathF.FusedMultiplyAdd(Unsafe.Add(ref wRef, j), value, Unsafe.Add(ref uRef, j));
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
