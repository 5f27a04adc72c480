using AkkaTtfs.Core.Network;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Surrogate;

/// <summary>How a hidden layer activates in a forward pass.</summary>
public enum HiddenActivation
{
    /// <summary>The quantised TTFS activation (<see cref="TtfsActivation"/>).</summary>
    Ttfs,

    /// <summary>Plain ReLU (SR's relaxation, and the ReLU baseline).</summary>
    Relu,
}

/// <summary>One hidden (spiking) layer of the surrogate: its weighted module, batch norm and temporal kernel.</summary>
public sealed class HiddenLayer
{
    internal HiddenLayer(Stage stage, nn.Module<Tensor, Tensor> weighted, NormBase batchNorm, Parameter tau, Parameter td)
    {
        Stage = stage;
        Weighted = weighted;
        BatchNorm = batchNorm;
        Tau = tau;
        Td = td;
    }

    public Stage Stage { get; }

    /// <summary>The Conv2d or Linear module.</summary>
    public nn.Module<Tensor, Tensor> Weighted { get; }

    public NormBase BatchNorm { get; }

    /// <summary>Trainable scalar tau of this layer.</summary>
    public Parameter Tau { get; }

    /// <summary>Trainable scalar td of this layer.</summary>
    public Parameter Td { get; }

    /// <summary>Weight of the conv/linear module.</summary>
    public Parameter Weight => Weighted switch
    {
        Conv2d c => c.weight!,
        Linear l => l.weight!,
        _ => throw new InvalidOperationException("not a weighted module"),
    };

    /// <summary>Bias of the conv/linear module.</summary>
    public Parameter Bias => Weighted switch
    {
        Conv2d c => c.bias!,
        Linear l => l.bias!,
        _ => throw new InvalidOperationException("not a weighted module"),
    };
}

/// <summary>
/// The surrogate DNN of docs/ttfs-method.md section 3 for a <see cref="NetworkSpec"/>: per hidden layer
/// conv/dense -> batch norm -> activation (TTFS or ReLU, chosen per layer per forward) -> dropout -> max pool;
/// the output layer is linear (no batch norm, no activation). Feature maps are NCHW, flattened in [c][y][x]
/// order, which is Core's order.
/// </summary>
public sealed class SurrogateNetwork : nn.Module<Tensor, Tensor>
{
    private readonly List<HiddenLayer> _hidden = [];
    private readonly nn.Module<Tensor, Tensor> _output;
    private readonly Dictionary<int, int> _hiddenByLayerIndex = [];

    /// <summary>Builds the modules with PyTorch's default initialisation (seed libtorch first for repeatability).</summary>
    public SurrogateNetwork(NetworkSpec spec, int window, double tauInit, double tdInit, double dropout) : base(nameof(SurrogateNetwork))
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        Window = window;
        Dropout = dropout;
        nn.Module<Tensor, Tensor>? output = null;
        foreach (var stage in spec.Stages)
        {
            var weighted = CreateWeighted(stage);
            register_module($"layer{stage.Index}", weighted);
            if (stage.IsOutput)
            {
                output = weighted;
                continue;
            }

            NormBase bn = stage.IsDense ? nn.BatchNorm1d(stage.ConvShape.Size) : nn.BatchNorm2d(stage.ConvShape.Channels);
            register_module($"bn{stage.Index}", bn);
            var tau = new Parameter(tensor((float)tauInit), requires_grad: true);
            var td = new Parameter(tensor((float)tdInit), requires_grad: true);
            register_parameter($"tau{stage.Index}", tau);
            register_parameter($"td{stage.Index}", td);
            _hiddenByLayerIndex[stage.LayerIndex] = _hidden.Count;
            _hidden.Add(new HiddenLayer(stage, weighted, bn, tau, td));
        }

        _output = output ?? throw new ArgumentException("the network has no output layer", nameof(spec));
        Modes = Enumerable.Repeat(HiddenActivation.Ttfs, _hidden.Count).ToArray();
    }

    public NetworkSpec Spec { get; }

    public int Window { get; }

    public double Dropout { get; }

    /// <summary>The hidden (spiking) layers in order.</summary>
    public IReadOnlyList<HiddenLayer> Hidden => _hidden;

    /// <summary>The output layer's conv/linear module.</summary>
    public nn.Module<Tensor, Tensor> Output => _output;

    /// <summary>Activation of each hidden layer in the next forward passes (set per mini-batch for SR).</summary>
    public HiddenActivation[] Modes { get; }

    /// <summary>Compute TTFS activations in double (as the SNN does) instead of float.</summary>
    public bool Precise { get; set; }

    /// <summary>Use the fused SIMD activation for float passes (default); false uses the libtorch expression (same values, slower).</summary>
    public bool Fused { get; set; } = true;

    /// <summary>When not null, forward passes add each hidden layer's spike count here (non-zero activations for ReLU layers).</summary>
    public long[]? SpikeCounter { get; set; }

    /// <summary>Sets every hidden layer to <paramref name="mode"/>.</summary>
    public void SetAll(HiddenActivation mode) => Array.Fill(Modes, mode);

    /// <summary>The kernel parameters (tau and td of every hidden layer).</summary>
    public IEnumerable<Parameter> KernelParameters => _hidden.SelectMany(h => new[] { h.Tau, h.Td });

    /// <summary>Turns gradients of every tau and td on or off (the TR freeze before E_k).</summary>
    public void SetKernelTrainable(bool trainable)
    {
        foreach (var p in KernelParameters)
            p.requires_grad = trainable;
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input;
        var spec = Spec;
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            switch (spec.Layers[i])
            {
                case Conv2dSpec or DenseSpec:
                    if (spec.Layers[i] is DenseSpec && x.dim() > 2) x = x.flatten(1);
                    if (!_hiddenByLayerIndex.TryGetValue(i, out var h))
                    {
                        x = _output.call(x);
                        break;
                    }

                    var layer = _hidden[h];
                    x = layer.BatchNorm.call(layer.Weighted.call(x));
                    if (Modes[h] == HiddenActivation.Ttfs)
                    {
                        var counter = SpikeCounter is null ? null : new long[1];
                        x = UsesFused(x)
                            ? FusedTtfsActivation.Apply(x, layer.Tau, layer.Td, Window, counter)
                            : TtfsActivation.Apply(x, layer.Tau, layer.Td, Window, Precise, counter);
                        if (counter is not null) SpikeCounter![h] += counter[0];
                    }
                    else
                    {
                        x = nn.functional.relu(x);
                        if (SpikeCounter is not null)
                        {
                            using var active = x.gt(0).sum();
                            SpikeCounter[h] += active.item<long>();
                        }
                    }

                    if (Dropout > 0) x = nn.functional.dropout(x, Dropout, training);
                    break;
                case MaxPoolSpec pool:
                    x = nn.functional.max_pool2d(x, pool.Size, pool.Size);
                    break;
                case FlattenSpec:
                    x = x.flatten(1);
                    break;
                default:
                    throw new NotSupportedException($"layer {i} ({spec.Layers[i].Token}) has no surrogate");
            }
        }

        return x.dim() > 2 ? x.flatten(1) : x;
    }

    /// <summary>
    /// Whether a float pass takes the fused activation: its SIMD loops read CPU float32 memory, so a tensor on a GPU
    /// (or of another type) takes the libtorch expression, which computes the same function on any device.
    /// </summary>
    public bool UsesFused(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Fused && !Precise && x.device_type == DeviceType.CPU && x.dtype == ScalarType.Float32;
    }

    private static nn.Module<Tensor, Tensor> CreateWeighted(Stage stage) => stage.Layer switch
    {
        Conv2dSpec c => nn.Conv2d(stage.InputShape.Channels, c.OutChannels, c.Kernel, stride: c.Stride, padding: c.Padding),
        DenseSpec d => nn.Linear(stage.InputShape.Size, d.OutFeatures),
        _ => throw new NotSupportedException($"layer {stage.Layer.Token} is not weighted"),
    };
}
