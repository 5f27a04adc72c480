using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Engines.Oracles;

/// <summary>
/// Oracle: the surrogate DNN of docs/ttfs-method.md section 3 evaluated in double precision, layer by layer,
/// gather-style (each output sums over its inputs), with the quantised TTFS activation written as the method
/// page writes it. It shares no code with the simulators or with <c>TemporalKernel</c> on purpose.
/// </summary>
public static class QuantisedDnn
{
    /// <summary>Quantised forward pass of <paramref name="count"/> samples laid out [sample][Network.Input.Size].</summary>
    public static OracleResult Forward(SnnModel model, float[] inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var network = model.Network;
        var inputSize = network.Input.Size;
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (inputs.Length < (long)count * inputSize)
            throw new ArgumentException($"{inputs.Length} input values for {count} samples of {inputSize}", nameof(inputs));

        var stages = network.Stages;
        var hiddenCount = stages.Count - 1;
        var window = model.T;
        var classCount = network.ClassCount;
        var spikeTimes = new int[hiddenCount][];
        var preActivations = new double[hiddenCount][];
        var spikesPerStage = new long[hiddenCount];
        // Sized in long before anything is allocated: an int product wraps for large runs (see SpikeTraceSize).
        var lengths = Enumerable.Range(0, hiddenCount).Select(s => SpikeTraceSize.Elements(count, stages[s].ConvShape.Size, s, sizeof(int) + sizeof(double))).ToArray();
        for (var s = 0; s < hiddenCount; s++)
        {
            spikeTimes[s] = new int[lengths[s]];
            preActivations[s] = new double[lengths[s]];
        }

        var potentials = new double[checked(count * classCount)];
        var predictions = new int[count];

        for (var sample = 0; sample < count; sample++)
        {
            // The values the current stage reads: the input, then each hidden stage's pooled activations.
            var presynaptic = new double[inputSize];
            for (var i = 0; i < inputSize; i++)
            {
                double x = inputs[(sample * inputSize) + i];
                if (model.InputMode == InputMode.Ttfs)
                {
                    var kernel = model.InputKernel!;
                    x = TtfsActivation(x, kernel.Tau, kernel.Td, window, out _);
                }

                presynaptic[i] = x;
            }

            for (var s = 0; s < stages.Count; s++)
            {
                var stage = stages[s];
                var parameters = model.Layers[s];
                var u = stage.IsDense
                    ? DenseForward(stage, parameters.Weights, parameters.Bias, presynaptic)
                    : ConvForward(stage, parameters.Weights, parameters.Bias, presynaptic);

                if (stage.IsOutput)
                {
                    u.CopyTo(potentials, sample * classCount);
                    predictions[sample] = ArgMaxLowestIndex(u);
                    break;
                }

                var kernel = parameters.Kernel!;
                var neurons = stage.ConvShape.Size;
                var activations = new double[neurons];
                for (var n = 0; n < neurons; n++)
                {
                    activations[n] = TtfsActivation(u[n], kernel.Tau, kernel.Td, window, out var spikeTime);
                    spikeTimes[s][(sample * neurons) + n] = spikeTime;
                    preActivations[s][(sample * neurons) + n] = u[n];
                    if (spikeTime >= 0) spikesPerStage[s]++;
                }

                presynaptic = MaxPool(stage, activations);
            }
        }

        return new OracleResult(count, classCount, predictions, potentials, spikeTimes, preActivations, spikesPerStage);
    }

    /// <summary>
    /// Section 3, literally: t = relu(td - tau ln(relu(x) + 1e-30)); tq = max(0, ceil(t - 0.5));
    /// a = exp((td - tq)/tau) if tq &lt;= T-1, else 0; and 0 where x &lt;= 0.
    /// </summary>
    private static double TtfsActivation(double x, double tau, double td, int window, out int spikeTime)
    {
        spikeTime = -1;
        // "0 where x <= 0" is needed explicitly: with a small tau, ln(1e-30) alone would still land inside the window.
        if (!(x > 0)) return 0;
        var t = Math.Max(0, td - (tau * Math.Log(Math.Max(0, x) + 1e-30)));
        var tq = Math.Max(0, Math.Ceiling(t - 0.5));
        if (tq > window - 1) return 0;
        spikeTime = (int)tq;
        return Math.Exp((td - tq) / tau);
    }

    /// <summary>u_j = b_j + sum_i W[j][i] x_i, with a feature-map input read in its [c][y][x] (flatten) order.</summary>
    private static double[] DenseForward(Stage stage, float[] weights, float[] bias, double[] x)
    {
        var outputs = stage.ConvShape.Size;
        var fanIn = stage.InputShape.Size;
        var u = new double[outputs];
        for (var j = 0; j < outputs; j++)
        {
            double sum = bias[j];
            for (var i = 0; i < fanIn; i++)
                sum += weights[(j * fanIn) + i] * x[i];
            u[j] = sum;
        }

        return u;
    }

    /// <summary>Zero-padded strided convolution, weights [out][in][ky][kx], input and output in [c][y][x] order.</summary>
    private static double[] ConvForward(Stage stage, float[] weights, float[] bias, double[] x)
    {
        var conv = stage.Conv;
        var k = conv.Kernel;
        var input = stage.InputShape;
        var output = stage.ConvShape;
        var u = new double[output.Size];
        for (var co = 0; co < output.Channels; co++)
        {
            for (var yo = 0; yo < output.Height; yo++)
            {
                for (var xo = 0; xo < output.Width; xo++)
                {
                    double sum = bias[co];
                    for (var ci = 0; ci < input.Channels; ci++)
                    {
                        for (var ky = 0; ky < k; ky++)
                        {
                            var yi = (yo * conv.Stride) - conv.Padding + ky;
                            if (yi < 0 || yi >= input.Height) continue;
                            for (var kx = 0; kx < k; kx++)
                            {
                                var xi = (xo * conv.Stride) - conv.Padding + kx;
                                if (xi < 0 || xi >= input.Width) continue;
                                var w = weights[(((((co * input.Channels) + ci) * k) + ky) * k) + kx];
                                sum += w * x[(((ci * input.Height) + yi) * input.Width) + xi];
                            }
                        }
                    }

                    u[(((co * output.Height) + yo) * output.Width) + xo] = sum;
                }
            }
        }

        return u;
    }

    /// <summary>Max over non-overlapping PoolSize x PoolSize regions (stride = size, remainder dropped); identity without a pool.</summary>
    private static double[] MaxPool(Stage stage, double[] activations)
    {
        var size = stage.PoolSize;
        if (size == 1) return activations;
        var shape = stage.ConvShape;
        var pooledHeight = shape.Height / size;
        var pooledWidth = shape.Width / size;
        var pooled = new double[shape.Channels * pooledHeight * pooledWidth];
        for (var c = 0; c < shape.Channels; c++)
        {
            for (var py = 0; py < pooledHeight; py++)
            {
                for (var px = 0; px < pooledWidth; px++)
                {
                    var max = double.NegativeInfinity;
                    for (var dy = 0; dy < size; dy++)
                    {
                        for (var dx = 0; dx < size; dx++)
                        {
                            var y = (py * size) + dy;
                            var x = (px * size) + dx;
                            max = Math.Max(max, activations[(((c * shape.Height) + y) * shape.Width) + x]);
                        }
                    }

                    pooled[(((c * pooledHeight) + py) * pooledWidth) + px] = max;
                }
            }
        }

        if (pooled.Length != stage.OutputShape.Size)
            throw new InvalidOperationException($"stage {stage.Index}: pooling gives {pooled.Length} neurons, the network says {stage.OutputShape}");
        return pooled;
    }

    private static int ArgMaxLowestIndex(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            // Strictly greater: an equal later value does not displace the lower index.
            if (values[i] > values[best]) best = i;
        }

        return best;
    }
}
