using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Engines.Oracles;

/// <summary>
/// Oracle: the SNN of docs/ttfs-method.md section 2 stepped one time step at a time in double precision, with the
/// dynamic-threshold test at every step (not the closed form) and spikes delivered scatter-style through max pooling.
/// Written independently of <see cref="QuantisedDnn"/>, of <c>TemporalKernel</c> and of the fast simulators.
/// As an <see cref="ISimulationEngine"/> it fills what it computes (predictions, output potentials rounded to float,
/// spikes per stage, spike times when asked) and says so in <see cref="SimulationResult.Recorded"/>; the double
/// values are in <see cref="Simulate"/>'s <see cref="OracleResult"/>.
/// </summary>
public sealed class ClockDrivenSimulator : ISimulationEngine
{
    /// <summary>What the oracle computes: the other fields of its <see cref="SimulationResult"/> are not recorded.</summary>
    public const ResultFields Fields =
        ResultFields.Shape | ResultFields.Predictions | ResultFields.OutputPotentials | ResultFields.SpikesPerStage | ResultFields.SpikeTimes | ResultFields.FirstLayerMacs;

    /// <inheritdoc/>
    /// <remarks>
    /// Batch size, partitions and credits mean nothing to a sample-by-sample stepper and are ignored; faults are
    /// refused (it injects none, and a fault-free result passed off as a faulty one would mislead).
    /// </remarks>
    public SimulationResult Run(SnnModel model, SimulationInputs inputs, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Faults is not null) throw new ArgumentException("the clock-driven oracle injects no faults; run it without a fault plan", nameof(options));
        inputs.CheckFits(model);
        var oracle = Simulate(model, inputs.Values.Span, inputs.Count);
        var potentials = oracle.OutputPotentials.Select(u => (float)u).ToArray();
        var macs = model.InputMode == InputMode.Analog ? model.Network.Stages[0].Macs * (long)inputs.Count : 0;
        return new SimulationResult(oracle.SampleCount, oracle.ClassCount, oracle.Predictions, potentials, oracle.SpikesPerStage,
            0, 0, macs, options.RecordSpikes ? oracle.SpikeTimes : null, model.T, recorded: Fields);
    }

    /// <summary>Simulates <paramref name="count"/> samples laid out [sample][Network.Input.Size], each for L*T steps, in double.</summary>
    public static OracleResult Simulate(SnnModel model, ReadOnlySpan<float> inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        var inputSize = model.Network.Input.Size;
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (inputs.Length < (long)count * inputSize)
            throw new ArgumentException($"{inputs.Length} input values for {count} samples of {inputSize}", nameof(inputs));

        var network = new SteppedNetwork(model);
        var hiddenCount = model.Network.Stages.Count - 1;
        var classCount = model.Network.ClassCount;
        var spikeTimes = new int[hiddenCount][];
        var preActivations = new double[hiddenCount][];
        // Sized in long before anything is allocated: an int product wraps for large runs (see SpikeTraceSize).
        var lengths = Enumerable.Range(0, hiddenCount)
            .Select(s => SpikeTraceSize.Elements(count, model.Network.Stages[s].ConvShape.Size, s, sizeof(int) + sizeof(double))).ToArray();
        for (var s = 0; s < hiddenCount; s++)
        {
            spikeTimes[s] = new int[lengths[s]];
            preActivations[s] = new double[lengths[s]];
        }

        var spikesPerStage = new long[hiddenCount];
        var potentials = new double[checked(count * classCount)];
        var predictions = new int[count];

        for (var sample = 0; sample < count; sample++)
        {
            network.Simulate(inputs.Slice(sample * inputSize, inputSize));
            for (var s = 0; s < hiddenCount; s++)
            {
                var neurons = network.Membrane[s].Length;
                network.SpikeTime[s].CopyTo(spikeTimes[s], sample * neurons);
                network.Membrane[s].CopyTo(preActivations[s], sample * neurons);
                spikesPerStage[s] += network.SpikeTime[s].Count(r => r >= 0);
            }

            var output = network.Membrane[^1];
            output.CopyTo(potentials, sample * classCount);
            var best = 0;
            for (var j = 1; j < output.Length; j++)
            {
                if (output[j] > output[best]) best = j;
            }

            predictions[sample] = best;
        }

        return new OracleResult(count, classCount, predictions, potentials, spikeTimes, preActivations, spikesPerStage);
    }

    /// <summary>The neuron state of one sample and the step loop over it.</summary>
    private sealed class SteppedNetwork
    {
        private readonly SnnModel _model;
        private readonly IReadOnlyList<Stage> _stages;
        private readonly int _window;

        // Per hidden stage: for each of its neurons, the index of the pooled neuron it belongs to among the next
        // stage's presynaptic neurons, or -1 when the floor of the pooling drops its row or column.
        private readonly int[][] _pooledIndex;

        // Per hidden stage: whether a pooled neuron has already passed its region's first spike.
        private readonly bool[][] _pooledPassed;

        private readonly bool[] _inputFired;

        public SteppedNetwork(SnnModel model)
        {
            _model = model;
            _stages = model.Network.Stages;
            _window = model.T;
            var hiddenCount = _stages.Count - 1;
            Membrane = _stages.Select(s => new double[s.ConvShape.Size]).ToArray();
            SpikeTime = new int[hiddenCount][];
            _pooledIndex = new int[hiddenCount][];
            _pooledPassed = new bool[hiddenCount][];
            for (var d = 0; d < hiddenCount; d++)
            {
                SpikeTime[d] = new int[_stages[d].ConvShape.Size];
                _pooledIndex[d] = PooledIndexOfEachNeuron(_stages[d]);
                _pooledPassed[d] = new bool[_stages[d].OutputShape.Size];
            }

            _inputFired = new bool[model.Network.Input.Size];
        }

        /// <summary>Membrane u of every neuron, per stage (the last one is the output layer).</summary>
        public double[][] Membrane { get; }

        /// <summary>Relative spike time per hidden-stage neuron, -1 = not fired.</summary>
        public int[][] SpikeTime { get; }

        public void Simulate(ReadOnlySpan<float> pixels)
        {
            foreach (var u in Membrane) Array.Clear(u);
            foreach (var times in SpikeTime) Array.Fill(times, -1);
            foreach (var passed in _pooledPassed) Array.Clear(passed);
            Array.Clear(_inputFired);

            var stageCount = _stages.Count;
            var latency = stageCount * _window;
            for (var t = 0; t < latency; t++)
            {
                // Stage d integrates during window d = [dT, (d+1)T); its bias enters once, when that window opens.
                for (var d = 0; d < stageCount; d++)
                {
                    if (t == d * _window) AddBias(d);
                }

                if (t < _window) DeliverInput(pixels, t);

                // Hidden stage d fires during window d+1, while stage d+1 integrates; the two never overlap, so the
                // order of stages inside one step does not matter.
                for (var d = 0; d < stageCount - 1; d++)
                {
                    var r = t - ((d + 1) * _window);
                    if (r >= 0 && r < _window) FireStage(d, r);
                }
            }

            // Time L*T: the output layer's integration window has closed; its membrane is what is read.
        }

        private void AddBias(int stage)
        {
            var bias = _model.Layers[stage].Bias;
            var u = Membrane[stage];
            var perChannel = u.Length / bias.Length;
            for (var n = 0; n < u.Length; n++)
                u[n] += bias[n / perChannel];
        }

        /// <summary>Analog input enters stage 0 as a current at t = 0; TTFS input pixels fire in window 0 like neurons.</summary>
        private void DeliverInput(ReadOnlySpan<float> pixels, int t)
        {
            if (_model.InputMode == InputMode.Analog)
            {
                if (t != 0) return;
                for (var i = 0; i < pixels.Length; i++)
                    Deliver(0, i, pixels[i]);
                return;
            }

            var kernel = _model.InputKernel!;
            double tau = kernel.Tau, td = kernel.Td;
            var threshold = Math.Exp(-((t + 0.5) - td) / tau);
            for (var i = 0; i < pixels.Length; i++)
            {
                if (_inputFired[i] || !(pixels[i] >= threshold)) continue;
                _inputFired[i] = true;
                Deliver(0, i, Math.Exp((td - t) / tau));
            }
        }

        /// <summary>One step of stage d's firing window: every neuron that has not fired tests u &gt;= theta(r).</summary>
        private void FireStage(int d, int r)
        {
            var kernel = _model.Layers[d].Kernel!;
            double tau = kernel.Tau, td = kernel.Td;
            var threshold = Math.Exp(-((r + 0.5) - td) / tau);
            var decoded = Math.Exp((td - r) / tau);
            var u = Membrane[d];
            var times = SpikeTime[d];
            var pooledIndex = _pooledIndex[d];
            var passed = _pooledPassed[d];
            // Neurons are tested in index order, so on a tie inside a pooling region the lowest index passes.
            for (var n = 0; n < u.Length; n++)
            {
                if (times[n] >= 0 || !(u[n] >= threshold)) continue;
                times[n] = r;
                var pooled = pooledIndex[n];
                if (pooled < 0 || passed[pooled]) continue;
                passed[pooled] = true;
                Deliver(d + 1, pooled, decoded);
            }
        }

        /// <summary>Adds w * value to every neuron of <paramref name="target"/> that presynaptic neuron <paramref name="source"/> reaches.</summary>
        private void Deliver(int target, int source, double value)
        {
            var stage = _stages[target];
            var weights = _model.Layers[target].Weights;
            var u = Membrane[target];
            if (stage.IsDense)
            {
                var fanIn = stage.InputShape.Size;
                for (var j = 0; j < u.Length; j++)
                    u[j] += weights[(j * fanIn) + source] * value;
                return;
            }

            // Scatter: the outputs whose receptive field covers input (ci, yi, xi) are those with
            // yo * stride - padding + ky = yi for some kernel row ky (and the same for columns).
            var conv = stage.Conv;
            var k = conv.Kernel;
            var input = stage.InputShape;
            var output = stage.ConvShape;
            var ci = source / (input.Height * input.Width);
            var yi = source / input.Width % input.Height;
            var xi = source % input.Width;
            for (var ky = 0; ky < k; ky++)
            {
                var yShifted = yi + conv.Padding - ky;
                if (yShifted < 0 || yShifted % conv.Stride != 0) continue;
                var yo = yShifted / conv.Stride;
                if (yo >= output.Height) continue;
                for (var kx = 0; kx < k; kx++)
                {
                    var xShifted = xi + conv.Padding - kx;
                    if (xShifted < 0 || xShifted % conv.Stride != 0) continue;
                    var xo = xShifted / conv.Stride;
                    if (xo >= output.Width) continue;
                    for (var co = 0; co < output.Channels; co++)
                    {
                        var w = weights[(((((co * input.Channels) + ci) * k) + ky) * k) + kx];
                        u[(((co * output.Height) + yo) * output.Width) + xo] += w * value;
                    }
                }
            }
        }

        private static int[] PooledIndexOfEachNeuron(Stage stage)
        {
            var shape = stage.ConvShape;
            var size = stage.PoolSize;
            var map = new int[shape.Size];
            if (size == 1)
            {
                for (var n = 0; n < map.Length; n++) map[n] = n;
                return map;
            }

            var pooledHeight = shape.Height / size;
            var pooledWidth = shape.Width / size;
            if (shape.Channels * pooledHeight * pooledWidth != stage.OutputShape.Size)
                throw new InvalidOperationException($"stage {stage.Index}: pooling {shape} by {size} does not give {stage.OutputShape}");
            for (var n = 0; n < map.Length; n++)
            {
                var c = n / (shape.Height * shape.Width);
                var py = n / shape.Width % shape.Height / size;
                var px = n % shape.Width / size;
                map[n] = py < pooledHeight && px < pooledWidth ? (((c * pooledHeight) + py) * pooledWidth) + px : -1;
            }

            return map;
        }
    }
}
