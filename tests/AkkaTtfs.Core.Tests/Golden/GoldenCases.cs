using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Golden;

/// <summary>One golden network: the model built from the file (float32 weights), its inputs and what every sample must give.</summary>
/// <param name="Name">The case name in the file, e.g. "cnn-2".</param>
/// <param name="Model">Analog-input model; weights, biases, tau and td rounded to float32.</param>
/// <param name="Inputs">Already-normalised inputs, [sample][Network.Input.Size].</param>
/// <param name="Count">Number of samples.</param>
/// <param name="Expected">One entry per sample, same order as <paramref name="Inputs"/>.</param>
internal sealed record GoldenCase(string Name, SnnModel Model, float[] Inputs, int Count, IReadOnlyList<GoldenSample> Expected)
{
    public override string ToString() => Name;
}

/// <summary>Expected result of one sample.</summary>
/// <param name="Hidden">One entry per hidden (spiking) stage, in stage order.</param>
/// <param name="OutputPotentials">Output-layer membrane values at time L*T, one per class.</param>
/// <param name="Prediction">Argmax of the output potentials (ties: lowest index).</param>
/// <param name="OutputMargin">Gap between the best and the second-best output potential.</param>
internal sealed record GoldenSample(IReadOnlyList<GoldenHiddenLayer> Hidden, double[] OutputPotentials, int Prediction, double OutputMargin);

/// <summary>Expected spikes and membrane values of one hidden stage for one sample; neurons in [c][y][x] order, before pooling.</summary>
/// <param name="Stage">Index among <c>NetworkSpec.Stages</c> (weighted layers only).</param>
/// <param name="FileLayer">The file's "layer" index, which counts every layer including max-pools.</param>
/// <param name="SpikeTimes">Relative spike time per neuron, -1 = no spike.</param>
/// <param name="NearBoundary">Neurons within 1e-3 of a rounding boundary or of zero: excluded from exact spike-time checks.</param>
/// <param name="PreActivations">Membrane value u per neuron (float64 in the file).</param>
/// <param name="Spikes">Number of spikes of this stage in this sample.</param>
internal sealed record GoldenHiddenLayer(int Stage, int FileLayer, int[] SpikeTimes, IReadOnlySet<int> NearBoundary, double[] PreActivations, int Spikes);

/// <summary>
/// Loads TestData/golden-ttfs.json (see the README.md beside it): 5 small networks whose expected spike times,
/// pre-activations, output potentials and predictions were computed independently in float64.
/// </summary>
internal static class GoldenCases
{
    private static readonly Lazy<IReadOnlyList<GoldenCase>> Cases = new(() => Load(RepoPaths.TestData("golden-ttfs.json")));

    /// <summary>Every case of the bundled file, in file order (loaded once).</summary>
    public static IReadOnlyList<GoldenCase> All => Cases.Value;

    /// <summary>The case names, for xunit <c>MemberData</c>.</summary>
    public static TheoryData<string> Names => new(All.Select(c => c.Name));

    /// <summary>The bundled case with this name.</summary>
    public static GoldenCase Get(string name) =>
        All.SingleOrDefault(c => c.Name == name) ?? throw new ArgumentException($"no golden case named {name}", nameof(name));

    /// <summary>Parses a golden file into cases.</summary>
    public static IReadOnlyList<GoldenCase> Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(ParseCase).ToList();
    }

    private static GoldenCase ParseCase(JsonElement json)
    {
        var name = json.GetProperty("name").GetString() ?? throw new InvalidDataException("a golden case has no name");
        var net = json.GetProperty("network");
        var t = net.GetProperty("T").GetInt32();
        var inputShape = TensorShape.FromDims(Ints(net.GetProperty("input_shape")));
        var tau = Doubles(net.GetProperty("tau"));
        var td = Doubles(net.GetProperty("td"));

        var layerJson = net.GetProperty("layers").EnumerateArray().ToList();
        var layers = new List<LayerSpec>();
        foreach (var layer in layerJson)
        {
            layers.Add(layer.GetProperty("type").GetString() switch
            {
                "dense" => new DenseSpec(layer.GetProperty("out_features").GetInt32()),
                "conv" => new Conv2dSpec(
                    layer.GetProperty("out_channels").GetInt32(),
                    layer.GetProperty("kernel").GetInt32(),
                    layer.GetProperty("stride").GetInt32(),
                    layer.GetProperty("padding").GetInt32()),
                "maxpool" => new MaxPoolSpec(layer.GetProperty("size").GetInt32()),
                var other => throw new InvalidDataException($"{name}: unknown layer type {other}"),
            });
        }

        var network = NetworkSpec.Create(inputShape, layers);
        var hiddenCount = network.SpikingLayerCount;
        if (tau.Length != hiddenCount || td.Length != hiddenCount)
            throw new InvalidDataException($"{name}: {tau.Length} tau and {td.Length} td for {hiddenCount} spiking layers");

        var parameters = new List<LayerParameters>();
        foreach (var stage in network.Stages)
        {
            var layer = layerJson[stage.LayerIndex];
            if (layer.TryGetProperty("output", out var isOutput) && isOutput.GetBoolean() != stage.IsOutput)
                throw new InvalidDataException($"{name}: layer {stage.LayerIndex} says output={isOutput.GetBoolean()}, the network says {stage.IsOutput}");
            var kernel = stage.IsOutput ? null : new TemporalKernel((float)tau[stage.Index], (float)td[stage.Index], t);
            parameters.Add(new LayerParameters(Floats(layer.GetProperty("weight")), Floats(layer.GetProperty("bias")), kernel));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = name, ["source"] = "golden-ttfs.json" };
        var model = new SnnModel(network, t, parameters, InputNormalisation.UnitRange, InputMode.Analog, null, metadata);

        var sampleInputs = json.GetProperty("inputs").EnumerateArray().Select(Floats).ToList();
        if (sampleInputs.Any(x => x.Length != inputShape.Size))
            throw new InvalidDataException($"{name}: an input sample does not have {inputShape.Size} values");
        var inputs = sampleInputs.SelectMany(x => x).ToArray();

        var expected = json.GetProperty("expected").EnumerateArray().Select(e => ParseSample(name, network, e)).ToList();
        if (expected.Count != sampleInputs.Count)
            throw new InvalidDataException($"{name}: {sampleInputs.Count} input samples but {expected.Count} expected results");
        return new GoldenCase(name, model, inputs, sampleInputs.Count, expected);
    }

    private static GoldenSample ParseSample(string name, NetworkSpec network, JsonElement json)
    {
        var hidden = new List<GoldenHiddenLayer>();
        foreach (var layer in json.GetProperty("hidden").EnumerateArray())
        {
            var fileLayer = layer.GetProperty("layer").GetInt32();
            var stage = network.Stages.SingleOrDefault(s => s.LayerIndex == fileLayer)
                ?? throw new InvalidDataException($"{name}: expected layer {fileLayer} is not a weighted layer");
            var spikeTimes = Ints(layer.GetProperty("spike_times"));
            var preActivations = Doubles(layer.GetProperty("pre_activation"));
            if (spikeTimes.Length != stage.ConvShape.Size || preActivations.Length != stage.ConvShape.Size)
                throw new InvalidDataException($"{name}: layer {fileLayer} lists {spikeTimes.Length} spike times and {preActivations.Length} pre-activations for {stage.ConvShape.Size} neurons");
            hidden.Add(new GoldenHiddenLayer(
                stage.Index,
                fileLayer,
                spikeTimes,
                Ints(layer.GetProperty("near_boundary")).ToHashSet(),
                preActivations,
                layer.GetProperty("spikes").GetInt32()));
        }

        if (hidden.Select(h => h.Stage).SequenceEqual(Enumerable.Range(0, network.SpikingLayerCount)) is false)
            throw new InvalidDataException($"{name}: expected hidden layers do not cover the spiking stages in order");

        var potentials = Doubles(json.GetProperty("output_potentials"));
        if (potentials.Length != network.ClassCount)
            throw new InvalidDataException($"{name}: {potentials.Length} output potentials for {network.ClassCount} classes");
        return new GoldenSample(hidden, potentials, json.GetProperty("prediction").GetInt32(), json.GetProperty("output_margin").GetDouble());
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
}
