using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;
using AkkaTtfs.Training.Surrogate;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Conversion;

/// <summary>
/// DNN -> SNN conversion (docs/ttfs-method.md section 4): every batch norm is folded into its conv/dense layer
/// per output channel with the moving statistics, <c>W' = W gamma / sqrt(var + eps)</c>,
/// <c>b' = (b - mean) gamma / sqrt(var + eps) + beta</c> (computed in double, stored as float32 in Core's
/// layouts: dense [out][in], conv [out][in][k][k]); each layer's tau and td become its <see cref="TemporalKernel"/>.
/// No data-based weight normalisation; dropout disappears (identity at inference).
/// </summary>
public static class SnnConverter
{
    public static SnnModel Convert(SurrogateNetwork network, InputNormalisation normalisation, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(normalisation);
        var layers = new List<LayerParameters>(network.Spec.Stages.Count);
        foreach (var layer in network.Hidden)
        {
            var (weights, bias) = Fold(layer);
            var kernel = new TemporalKernel(Scalar(layer.Tau), Scalar(layer.Td), network.Window);
            layers.Add(new LayerParameters(weights, bias, kernel));
        }

        var output = network.Spec.OutputStage;
        var outWeight = output.Layer is Conv2dSpec ? ((TorchSharp.Modules.Conv2d)network.Output).weight! : ((TorchSharp.Modules.Linear)network.Output).weight!;
        var outBias = output.Layer is Conv2dSpec ? ((TorchSharp.Modules.Conv2d)network.Output).bias! : ((TorchSharp.Modules.Linear)network.Output).bias!;
        layers.Add(new LayerParameters(Floats(outWeight), Floats(outBias), null));
        return new SnnModel(network.Spec, network.Window, layers, normalisation, InputMode.Analog, null, metadata);
    }

    /// <summary>Folds a hidden layer's batch norm into its weights and bias (double arithmetic, float result).</summary>
    public static (float[] Weights, float[] Bias) Fold(HiddenLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var w = Floats(layer.Weight);
        var b = Floats(layer.Bias);
        var bn = layer.BatchNorm;
        var gamma = Floats(bn.weight!);
        var beta = Floats(bn.bias!);
        var mean = Floats(bn.running_mean!);
        var variance = Floats(bn.running_var!);
        var eps = bn.eps;
        var channels = b.Length;
        var perChannel = w.Length / channels;
        var weights = new float[w.Length];
        var bias = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + eps);
            for (var i = 0; i < perChannel; i++)
                weights[(c * perChannel) + i] = (float)(w[(c * perChannel) + i] * scale);
            bias[c] = (float)(((b[c] - (double)mean[c]) * scale) + beta[c]);
        }

        return (weights, bias);
    }

    private static float Scalar(Tensor t) => t.detach().to_type(ScalarType.Float32).item<float>();

    /// <summary>A tensor's values in row-major order (PyTorch's layout, which is Core's).</summary>
    internal static float[] Floats(Tensor t)
    {
        using var c = t.detach().to_type(ScalarType.Float32).contiguous();
        return c.data<float>().ToArray();
    }
}
