using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Training.Surrogate;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Evaluation;

/// <summary>What <see cref="QuantisedForward"/> computed for a set of samples.</summary>
/// <param name="Predictions">argmax of the logits (ties: lowest index).</param>
/// <param name="Logits">Output potentials, [sample][class].</param>
/// <param name="NonZeroActivations">Per hidden layer, the number of neurons that spike (summed over samples).</param>
public sealed record QuantisedForwardResult(int[] Predictions, float[] Logits, long[] NonZeroActivations);

/// <summary>
/// A converted <see cref="SnnModel"/> run as a DNN in TorchSharp (float32 layers, the TTFS activation in
/// double exactly as Core's <c>TemporalKernel</c> quantises): the network whose predictions the SNN must
/// reproduce. Only analog-input models are supported (the kind the trainer writes).
/// </summary>
public sealed class QuantisedForward : IDisposable
{
    private readonly SnnModel _model;
    private readonly Tensor[] _weights;
    private readonly Tensor[] _biases;
    private readonly Tensor[] _taus;
    private readonly Tensor[] _tds;

    public QuantisedForward(SnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputMode != InputMode.Analog)
            throw new ArgumentException("the quantised DNN forward supports analog-input models only (the kind the trainer writes)", nameof(model));
        _model = model;
        var stages = model.Network.Stages;
        _weights = new Tensor[stages.Count];
        _biases = new Tensor[stages.Count];
        _taus = new Tensor[stages.Count];
        _tds = new Tensor[stages.Count];
        for (var s = 0; s < stages.Count; s++)
        {
            var p = model.Layers[s];
            _weights[s] = tensor(p.Weights, stages[s].WeightDims.Select(d => (long)d).ToArray());
            _biases[s] = tensor(p.Bias);
            if (p.Kernel is not null)
            {
                _taus[s] = tensor(p.Kernel.Tau);
                _tds[s] = tensor(p.Kernel.Td);
            }
        }
    }

    /// <summary>Runs <paramref name="count"/> samples of normalised inputs ([sample][input size]) in batches.</summary>
    public QuantisedForwardResult Run(float[] inputs, int count, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var network = _model.Network;
        var inputSize = network.Input.Size;
        if (inputs.Length != (long)count * inputSize)
            throw new ArgumentException($"{inputs.Length} input values do not make {count} samples of shape {network.Input}", nameof(inputs));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var classes = network.ClassCount;
        var predictions = new int[count];
        var logits = new float[count * classes];
        var spikes = new long[network.SpikingLayerCount];
        var shape = network.Input.ToDims().Select(d => (long)d).ToList();
        using var noGrad = no_grad();
        for (var first = 0; first < count; first += batchSize)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(batchSize, count - first);
            var x = tensor(inputs.AsSpan(first * inputSize, n * inputSize).ToArray(), [n, .. shape]);
            var u = Forward(x, spikes);
            var values = u.contiguous().data<float>().ToArray();
            values.CopyTo(logits, first * classes);
            for (var s = 0; s < n; s++)
                predictions[first + s] = Core.Engines.SimulationResult.Argmax(values.AsSpan(s * classes, classes));
        }

        return new QuantisedForwardResult(predictions, logits, spikes);
    }

    /// <summary>The forward pass of one batch; adds hidden spike counts to <paramref name="spikes"/>.</summary>
    internal Tensor Forward(Tensor x, long[]? spikes)
    {
        var spec = _model.Network;
        var stage = 0;
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            switch (spec.Layers[i])
            {
                case Conv2dSpec c:
                    x = nn.functional.conv2d(x, _weights[stage], _biases[stage], strides: [c.Stride, c.Stride], padding: [c.Padding, c.Padding]);
                    x = Activate(x, stage++, spikes);
                    break;
                case DenseSpec:
                    if (x.dim() > 2) x = x.flatten(1);
                    x = nn.functional.linear(x, _weights[stage], _biases[stage]);
                    x = Activate(x, stage++, spikes);
                    break;
                case MaxPoolSpec pool:
                    x = nn.functional.max_pool2d(x, pool.Size, pool.Size);
                    break;
                case FlattenSpec:
                    x = x.flatten(1);
                    break;
                default:
                    throw new NotSupportedException($"layer {i} ({spec.Layers[i].Token}) is not supported");
            }
        }

        return x.dim() > 2 ? x.flatten(1) : x;
    }

    private Tensor Activate(Tensor x, int stage, long[]? spikes)
    {
        if (_model.Network.Stages[stage].IsOutput) return x;
        var counter = spikes is null ? null : new long[1];
        var a = TtfsActivation.Apply(x, _taus[stage], _tds[stage], _model.T, precise: true, counter);
        if (counter is not null) spikes![stage] += counter[0];
        return a;
    }

    public void Dispose()
    {
        foreach (var t in _weights.Concat(_biases).Concat(_taus).Concat(_tds))
            t?.Dispose();
    }
}
