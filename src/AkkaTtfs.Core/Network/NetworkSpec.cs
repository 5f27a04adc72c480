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

    /// <summary>Number of weights: dense [out][in], conv [out][in][k][k] (at most <see cref="NetworkSpec.MaxParameterCount"/>).</summary>
    public int WeightCount => checked((int)WeightCountUnbounded);

    /// <summary>The weight count without overflow: products past <see cref="long.MaxValue"/> saturate there.</summary>
    internal long WeightCountUnbounded
    {
        get
        {
            Int128 count = Layer switch
            {
                DenseSpec d => (Int128)d.OutFeatures * InputShape.Size,
                Conv2dSpec c => (Int128)c.OutChannels * InputShape.Channels * c.Kernel * c.Kernel,
                _ => throw new InvalidOperationException("not a weighted layer"),
            };
            return (long)Int128.Min(count, long.MaxValue);
        }
    }

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
    /// <summary>
    /// Most parameters (weights and biases) a network may have. A model file stores them as float32 in one
    /// data section, and the reader holds that section in one array of at most <see cref="Array.MaxLength"/>
    /// bytes: so this is the limit of the model writer and reader alike, and a network past it is refused
    /// when it is built, before anything is allocated or written.
    /// </summary>
    public const long MaxParameterCount = TensorShape.MaxSize / sizeof(float);

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
            var next = OutputShape(layer, current, i);
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

        CheckParameterCount(stages);
        return new NetworkSpec(input, layers.ToArray(), shapes, stages);
    }

    /// <summary>A layer's output shape; a shape too large to hold is reported for that layer.</summary>
    private static TensorShape OutputShape(LayerSpec layer, TensorShape input, int index)
    {
        try
        {
            return layer.OutputShape(input, index);
        }
        catch (ArgumentException e)
        {
            throw new NetworkSpecException($"layer {index} ({layer.Token}): {e.Message}");
        }
    }

    /// <summary>Every layer, and all of them together, within <see cref="MaxParameterCount"/>; the message names the layer.</summary>
    private static void CheckParameterCount(List<Stage> stages)
    {
        var limit = $"the {MaxParameterCount:N0} parameters a model may hold (a model file stores them as float32 in one data section " +
            $"of at most {MaxParameterCount * sizeof(float):N0} bytes, the most the model reader accepts)";
        long total = 0;
        foreach (var stage in stages)
        {
            var weights = stage.WeightCountUnbounded;
            var dims = stage.Layer is DenseSpec d ? $"{d.OutFeatures} x {stage.InputShape.Size}" : $"{stage.Conv.OutChannels} x {stage.InputShape.Channels} x {stage.Conv.Kernel} x {stage.Conv.Kernel}";
            if (weights > MaxParameterCount - stage.BiasCount)
                throw new NetworkSpecException($"layer {stage.LayerIndex} ({stage.Layer.Token}): {(weights == long.MaxValue ? "more than 9.2e18" : $"{weights:N0}")} weights ({dims}), more than {limit}");
            total += weights + stage.BiasCount;
            if (total > MaxParameterCount)
                throw new NetworkSpecException($"layers 0..{stage.LayerIndex} (up to {stage.Layer.Token}) hold {total:N0} parameters together, more than {limit}");
        }
    }

    public override string ToString() => $"{Input} {Architecture}";
}
