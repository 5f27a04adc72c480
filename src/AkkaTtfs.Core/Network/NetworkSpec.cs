namespace AkkaTtfs.Core.Network;

/// <summary>
/// One weighted layer of the SNN together with the max-pools that follow it. Its output neurons (what
/// the next stage sees) are the pooled neurons; spikes are counted before pooling.
/// </summary>
/// <param name="Index">0-based index among weighted layers (layer d = Index + 1 of the method page).</param>
/// <param name="LayerIndex">Index of the weighted layer in <see cref="NetworkSpec.Layers"/>.</param>
/// <param name="Layer">The dense or conv layer.</param>
/// <param name="InputShape">Shape of the presynaptic neurons (dense: flattened).</param>
/// <param name="ConvShape">Shape of this layer's own neurons (before pooling).</param>
/// <param name="PoolSize">Effective pooling region side (1 = no pooling); stacked pools multiply.</param>
/// <param name="OutputShape">Shape of the neurons the next stage receives (after pooling and flattening).</param>
/// <param name="IsOutput">True for the last weighted layer, which does not spike.</param>
public sealed record Stage(
    int Index,
    int LayerIndex,
    LayerSpec Layer,
    TensorShape InputShape,
    TensorShape ConvShape,
    int PoolSize,
    TensorShape OutputShape,
    bool IsOutput)
{
    public bool IsDense => Layer is DenseSpec;

    public Conv2dSpec Conv => Layer as Conv2dSpec ?? throw new InvalidOperationException($"stage {Index} is not a conv layer");

    /// <summary>Number of weights: dense [out][in], conv [out][in][k][k].</summary>
    public int WeightCount => Layer switch
    {
        DenseSpec d => d.OutFeatures * InputShape.Size,
        Conv2dSpec c => c.OutChannels * InputShape.Channels * c.Kernel * c.Kernel,
        _ => throw new InvalidOperationException("not a weighted layer"),
    };

    public int BiasCount => ConvShape.Channels;

    /// <summary>Weight tensor dimensions in file order.</summary>
    public int[] WeightDims => Layer switch
    {
        DenseSpec d => [d.OutFeatures, InputShape.Size],
        Conv2dSpec c => [c.OutChannels, InputShape.Channels, c.Kernel, c.Kernel],
        _ => throw new InvalidOperationException("not a weighted layer"),
    };

    /// <summary>Multiply-accumulates of this layer evaluated as a DNN.</summary>
    public long Macs => Layer switch
    {
        DenseSpec d => (long)d.OutFeatures * InputShape.Size,
        Conv2dSpec c => (long)ConvShape.Size * InputShape.Channels * c.Kernel * c.Kernel,
        _ => 0,
    };
}

/// <summary>
/// A validated network description: input shape and layers, with every shape inferred. Build it with
/// <see cref="Create"/>; a network that does not fit throws a <see cref="NetworkSpecException"/> that names the layer.
/// </summary>
public sealed class NetworkSpec
{
    private NetworkSpec(TensorShape input, IReadOnlyList<LayerSpec> layers, IReadOnlyList<TensorShape> shapes, IReadOnlyList<Stage> stages)
    {
        Input = input;
        Layers = layers;
        LayerOutputShapes = shapes;
        Stages = stages;
    }

    public TensorShape Input { get; }

    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>Output shape of every layer, same index as <see cref="Layers"/>.</summary>
    public IReadOnlyList<TensorShape> LayerOutputShapes { get; }

    /// <summary>The weighted layers with their pools, in order; the last one is the output layer.</summary>
    public IReadOnlyList<Stage> Stages { get; }

    public Stage OutputStage => Stages[^1];

    public int ClassCount => OutputStage.OutputShape.Size;

    /// <summary>Number of hidden (spiking) weighted layers.</summary>
    public int SpikingLayerCount => Stages.Count - 1;

    /// <summary>The architecture string, e.g. c12k5-p2-c64k5-p2-d10.</summary>
    public string Architecture => string.Join("-", Layers.Select(l => l.Token));

    public long ParameterCount => Stages.Sum(s => (long)s.WeightCount + s.BiasCount);

    public long Macs => Stages.Sum(s => s.Macs);

    public static NetworkSpec Create(TensorShape input, IReadOnlyList<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new NetworkSpecException("the network has no layers");
        if (!layers[^1].IsWeighted)
            throw new NetworkSpecException($"the last layer ({layers[^1].Token}) must be the dense or conv output layer");

        var shapes = new List<TensorShape>(layers.Count);
        var stages = new List<Stage>();
        var current = input;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var next = layer.OutputShape(current, i);
            shapes.Add(next);
            if (layer.IsWeighted)
            {
                var presynaptic = layer is DenseSpec ? current.Flattened() : current;
                stages.Add(new Stage(stages.Count, i, layer, presynaptic, next, 1, next, i == layers.Count - 1));
            }
            else if (layer is MaxPoolSpec pool)
            {
                if (stages.Count == 0)
                    throw new NetworkSpecException($"layer {i} ({pool.Token}): max-pool before the first weighted layer is not supported (the input is analog, not spikes)");
                var last = stages[^1];
                if (last.OutputShape.Rank != 3)
                    throw new NetworkSpecException($"layer {i} ({pool.Token}): max-pool needs a [C,H,W] input, got {last.OutputShape}");
                stages[^1] = last with { PoolSize = last.PoolSize * pool.Size, OutputShape = next };
                // Stacked non-overlapping pools of a and b equal one pool of a*b only if a*b divides cleanly
                // in the floor sense, which holds: floor(floor(h/a)/b) = floor(h/(a*b)).
            }
            else if (stages.Count > 0)
            {
                stages[^1] = stages[^1] with { OutputShape = next };
            }

            current = next;
        }

        return new NetworkSpec(input, layers.ToArray(), shapes, stages);
    }

    public override string ToString() => $"{Input} {Architecture}";
}
