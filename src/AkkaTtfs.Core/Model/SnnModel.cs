using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Model;

/// <summary>How the first layer receives the sample (docs/ttfs-method.md section 2).</summary>
public enum InputMode
{
    /// <summary>The normalised pixels enter layer 1 as a current at t = 0: u = b + W x (the 2021 paper).</summary>
    Analog,

    /// <summary>Pixels are TTFS-coded spikes in window 0 with their own input kernel (T2FSNN style).</summary>
    Ttfs,
}

/// <summary>Folded weights and bias of one weighted layer, and its temporal kernel if it spikes.</summary>
/// <param name="Weights">Dense [out][in] or conv [out][in][k][k], row-major (PyTorch's layout).</param>
/// <param name="Bias">One per output neuron (dense) or output channel (conv).</param>
/// <param name="Kernel">The layer's (tau, td, T); null for the output layer, which does not spike.</param>
public sealed record LayerParameters(float[] Weights, float[] Bias, TemporalKernel? Kernel);

/// <summary>
/// A converted network, ready to simulate: architecture, folded weights and biases, one temporal
/// kernel per spiking layer, the window T, the input mode and normalisation, and free-form provenance.
/// The constructor checks that everything fits and names what does not.
/// </summary>
public sealed class SnnModel
{
    public SnnModel(
        NetworkSpec network,
        int t,
        IReadOnlyList<LayerParameters> layers,
        InputNormalisation normalisation,
        InputMode inputMode = InputMode.Analog,
        TemporalKernel? inputKernel = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(normalisation);
        if (t < 1 || t > TemporalKernel.MaxWindow)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"T must be in [1, {TemporalKernel.MaxWindow}]");
        if (layers.Count != network.Stages.Count)
            throw new ArgumentException($"the network has {network.Stages.Count} weighted layers but {layers.Count} parameter sets were given");
        for (var i = 0; i < layers.Count; i++)
        {
            var stage = network.Stages[i];
            var p = layers[i];
            if (p.Weights.Length != stage.WeightCount)
                throw new ArgumentException($"layer {i} ({stage.Layer.Token}): {p.Weights.Length} weights, expected {stage.WeightCount} ([{string.Join(",", stage.WeightDims)}])");
            if (p.Bias.Length != stage.BiasCount)
                throw new ArgumentException($"layer {i} ({stage.Layer.Token}): {p.Bias.Length} biases, expected {stage.BiasCount}");
            if (stage.IsOutput && p.Kernel is not null)
                throw new ArgumentException($"layer {i} ({stage.Layer.Token}) is the output layer and has no temporal kernel");
            if (!stage.IsOutput && p.Kernel is null)
                throw new ArgumentException($"layer {i} ({stage.Layer.Token}) spikes and needs a temporal kernel (tau, td)");
            if (p.Kernel is not null && p.Kernel.T != t)
                throw new ArgumentException($"layer {i}: kernel window {p.Kernel.T} differs from the model's T = {t}");
            if (p.Weights.Any(w => !float.IsFinite(w)) || p.Bias.Any(b => !float.IsFinite(b)))
                throw new ArgumentException($"layer {i} ({stage.Layer.Token}): weights or biases hold NaN or infinity");
        }

        if (inputMode == InputMode.Ttfs && inputKernel is null)
            throw new ArgumentException("TTFS-coded input needs an input kernel (tau_in, td_in)");
        if (inputMode == InputMode.Analog && inputKernel is not null)
            throw new ArgumentException("analog input takes no input kernel");
        if (inputKernel is not null && inputKernel.T != t)
            throw new ArgumentException($"input kernel window {inputKernel.T} differs from the model's T = {t}");
        normalisation.Validate(network.Input.NormalisationChannels);

        Network = network;
        T = t;
        Layers = layers.ToArray();
        Normalisation = normalisation;
        InputMode = inputMode;
        InputKernel = inputKernel;
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    public NetworkSpec Network { get; }

    /// <summary>Window length in steps, the same for every layer.</summary>
    public int T { get; }

    /// <summary>Parameters per weighted layer, same index as <see cref="NetworkSpec.Stages"/>.</summary>
    public IReadOnlyList<LayerParameters> Layers { get; }

    public InputNormalisation Normalisation { get; }

    public InputMode InputMode { get; }

    /// <summary>The input kernel for <see cref="InputMode.Ttfs"/>; null for analog input.</summary>
    public TemporalKernel? InputKernel { get; }

    /// <summary>Provenance: dataset, architecture, preset, knobs, accuracies; strings only.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Kernel of the layer whose spikes a stage receives; null when stage 0 receives analog input.</summary>
    public TemporalKernel? PresynapticKernel(int stage) => stage == 0 ? InputKernel : Layers[stage - 1].Kernel;

    /// <summary>Latency of one sample in steps: L * T.</summary>
    public int LatencySteps => Network.Stages.Count * T;
}
