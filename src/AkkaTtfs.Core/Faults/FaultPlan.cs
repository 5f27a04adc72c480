using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Faults;

/// <summary>
/// Faults a user injects to study a network: a seed and a list of <see cref="FaultSpec"/> entries. Every
/// draw is a keyed hash of (seed, entry index, layer, stream, sample, neuron or weight) (see
/// <see cref="FaultDraw"/>), so a faulty run is repeatable and independent of batch size, partitioning and
/// node count. File format and semantics: samples/faults/README.md.
/// </summary>
public sealed class FaultPlan : IFaultInjection
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly string[] PlanFields = ["seed", "faults", "runtime", "note"];
    private static readonly string[] EntryFields = ["kind", "layer", "rate", "steps", "factor", "from", "to", "note"];

    /// <summary>
    /// The most <see cref="FaultKind.Duplicate"/> entries one layer takes. Each hit doubles a spike's copies,
    /// so k entries can make 2^k copies; 7 keeps that at 128, within the one byte a
    /// <see cref="SpikeBatch"/> multiplicity has, and keeps the work a plan can ask for bounded.
    /// </summary>
    public const int MaxDuplicatesPerLayer = 7;

    /// <summary>A plan; every entry is checked (<see cref="FaultSpec.Validate"/>), errors name the entry.</summary>
    public FaultPlan(ulong seed, IReadOnlyList<FaultSpec> faults)
        : this(seed, faults, [])
    {
    }

    /// <summary>A plan with runtime faults too (<see cref="RuntimeFault"/>: crashes, kills and cuts the distributed runtime must survive).</summary>
    public FaultPlan(ulong seed, IReadOnlyList<FaultSpec> faults, IReadOnlyList<RuntimeFault> runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        for (var i = 0; i < runtime.Count; i++)
        {
            if (runtime[i] is null) throw new FaultPlanException($"fault plan runtime entry {i} (runtime[{i}]): the entry is null");
            runtime[i].Validate(i);
        }

        Runtime = runtime.ToArray();
        ArgumentNullException.ThrowIfNull(faults);
        var duplicates = new Dictionary<int, int>();
        for (var i = 0; i < faults.Count; i++)
        {
            if (faults[i] is null) throw new FaultPlanException("the entry is null", i);
            faults[i].Validate(i);
            if (faults[i].Kind != FaultKind.Duplicate) continue;
            var layer = faults[i].Layer;
            duplicates[layer] = duplicates.GetValueOrDefault(layer) + 1;
            if (duplicates[layer] > MaxDuplicatesPerLayer)
                throw new FaultPlanException($"layer {layer} already has {MaxDuplicatesPerLayer} duplicate entries, the most one layer takes (each can double a spike's copies: at most {1 << MaxDuplicatesPerLayer} copies)", i, "layer");
        }

        Seed = seed;
        Faults = faults.ToArray();
    }

    /// <summary>The seed of every draw.</summary>
    public ulong Seed { get; }

    /// <summary>
    /// Faults the distributed runtime must survive without a change in results, fired at wall times (the file's
    /// <c>runtime</c> list). The Core engines have no partitions, nodes or links to break: for them these are no-ops.
    /// </summary>
    public IReadOnlyList<RuntimeFault> Runtime { get; }

    /// <summary>The entries; an entry's index here is part of the key of its draws.</summary>
    public IReadOnlyList<FaultSpec> Faults { get; }

    public bool HasWeightFaults => Faults.Any(f => f.Level == FaultLevel.Weight);

    /// <summary>Parses a plan from JSON text (comments and trailing commas allowed). Errors name the entry and field.</summary>
    public static FaultPlan Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FaultPlanException($"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FaultPlanException("the plan must be a JSON object with 'seed' and 'faults'");
            CheckFields(root, PlanFields, null);
            ulong seed = 0;
            if (root.TryGetProperty("seed", out var seedElement) && !(seedElement.ValueKind == JsonValueKind.Number && seedElement.TryGetUInt64(out seed)))
                throw new FaultPlanException($"{seedElement.GetRawText()} is not an integer in [0, 2^64)", null, "seed");
            if (!root.TryGetProperty("faults", out var list))
                throw new FaultPlanException("the list 'faults' is missing", null, "faults");
            if (list.ValueKind != JsonValueKind.Array)
                throw new FaultPlanException("must be a list of fault entries", null, "faults");
            var faults = new List<FaultSpec>();
            var index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                faults.Add(ParseEntry(entry, index));
                index++;
            }

            var runtime = new List<RuntimeFault>();
            if (root.TryGetProperty("runtime", out var runtimeList))
            {
                if (runtimeList.ValueKind != JsonValueKind.Array)
                    throw new FaultPlanException("must be a list of runtime fault entries", null, "runtime");
                foreach (var entry in runtimeList.EnumerateArray()) runtime.Add(RuntimeFault.Parse(entry, runtime.Count));
            }

            return new FaultPlan(seed, faults, runtime);
        }
    }

    /// <summary>Largest plan file read: a plan is a few hundred bytes; /dev/zero or a runaway file is refused, not read until memory runs out.</summary>
    public const long MaxFileLength = 1 << 20;

    /// <summary>
    /// Reads and parses a plan file; the message of any error names the file. Only a regular file of at most
    /// <see cref="MaxFileLength"/> bytes of UTF-8 is read: a FIFO, a device or a folder is refused before it is
    /// opened (an <see cref="AkkaTtfs.Core.IO.InputFileException"/>, an <see cref="IOException"/>).
    /// </summary>
    public static FaultPlan Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = AkkaTtfs.Core.IO.InputFile.ReadAllText(path, "fault plan", MaxFileLength);
        try
        {
            return Parse(text);
        }
        catch (FaultPlanException ex)
        {
            throw new FaultPlanException(path, ex);
        }
    }

    private static FaultSpec ParseEntry(JsonElement entry, int i)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw new FaultPlanException("must be an object with kind, layer and rate", i);
        CheckFields(entry, EntryFields, i);
        if (!entry.TryGetProperty("kind", out var kindElement)) throw new FaultPlanException("is required", i, "kind");
        var kindName = kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString() : kindElement.GetRawText();
        if (!FaultKinds.TryParse(kindName, out var kind))
            throw new FaultPlanException($"unknown kind '{kindName}'; known kinds: {string.Join(", ", FaultKinds.Names)}", i, "kind");

        var layer = RequiredInt(entry, "layer", i);
        if (!entry.TryGetProperty("rate", out var rateElement)) throw new FaultPlanException($"is required for {kindName} (a number in [0, 1])", i, "rate");
        if (rateElement.ValueKind != JsonValueKind.Number || !rateElement.TryGetDouble(out var rate))
            throw new FaultPlanException($"{rateElement.GetRawText()} is not a number in [0, 1]", i, "rate");
        int steps = 0;
        if (FaultKinds.TakesSteps(kind))
        {
            if (!entry.TryGetProperty("steps", out _)) throw new FaultPlanException($"is required for {kindName} (an integer number of steps >= 0)", i, "steps");
            steps = RequiredInt(entry, "steps", i);
        }
        else if (entry.TryGetProperty("steps", out _))
        {
            throw new FaultPlanException($"{kindName} takes no steps (only delay and jitter do)", i, "steps");
        }

        var factor = 1.0;
        if (FaultKinds.TakesFactor(kind))
        {
            if (!entry.TryGetProperty("factor", out var f)) throw new FaultPlanException("is required for drift (the threshold factor, > 0)", i, "factor");
            if (f.ValueKind != JsonValueKind.Number || !f.TryGetDouble(out factor))
                throw new FaultPlanException($"{f.GetRawText()} is not a number", i, "factor");
        }
        else if (entry.TryGetProperty("factor", out _))
        {
            throw new FaultPlanException($"{kindName} takes no factor (only drift does)", i, "factor");
        }

        var from = entry.TryGetProperty("from", out _) ? RequiredInt(entry, "from", i) : 0;
        int? to = null;
        if (entry.TryGetProperty("to", out var toElement) && toElement.ValueKind != JsonValueKind.Null) to = RequiredInt(entry, "to", i);
        var spec = new FaultSpec(kind, layer, rate, steps, factor, from, to);
        spec.Validate(i);
        return spec;
    }

    private static int RequiredInt(JsonElement entry, string field, int i)
    {
        if (!entry.TryGetProperty(field, out var e)) throw new FaultPlanException("is required (an integer)", i, field);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var value))
            throw new FaultPlanException($"{e.GetRawText()} is not an integer", i, field);
        return value;
    }

    private static void CheckFields(JsonElement element, string[] known, int? entry)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
                throw new FaultPlanException($"unknown field (known: {string.Join(", ", known)})", entry, property.Name);
        }
    }

    /// <summary>The plan as JSON in the file format (only the fields each kind takes).</summary>
    public string ToJson(bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seed", Seed);
            writer.WriteStartArray("faults");
            foreach (var f in Faults)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", FaultKinds.Name(f.Kind));
                writer.WriteNumber("layer", f.Layer);
                writer.WriteNumber("rate", f.Rate);
                if (FaultKinds.TakesSteps(f.Kind)) writer.WriteNumber("steps", f.Steps);
                if (FaultKinds.TakesFactor(f.Kind)) writer.WriteNumber("factor", f.Factor);
                if (f.From != 0) writer.WriteNumber("from", f.From);
                if (f.To is { } to) writer.WriteNumber("to", to);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (Runtime.Count > 0)
            {
                writer.WriteStartArray("runtime");
                foreach (var r in Runtime) r.WriteTo(writer);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Checks every entry's layer against a network: spike and neuron faults need a hidden (spiking) layer,
    /// weight faults any weighted layer. Throws <see cref="FaultPlanException"/> naming the entry.
    /// </summary>
    public void Validate(NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(network);
        for (var i = 0; i < Faults.Count; i++)
        {
            var f = Faults[i];
            var name = FaultKinds.Name(f.Kind);
            if (f.Level == FaultLevel.Weight)
            {
                if (f.Layer >= network.Stages.Count)
                    throw new FaultPlanException($"layer {f.Layer} does not exist: {network.Architecture} has {network.Stages.Count} weighted layers (0..{network.Stages.Count - 1})", i, "layer");
            }
            else if (f.Layer >= network.SpikingLayerCount)
            {
                var what = f.Level == FaultLevel.Spike ? "spike faults act on the spikes a hidden layer emits" : "neuron faults act on a hidden layer's neurons";
                var detail = f.Layer < network.Stages.Count
                    ? $"layer {f.Layer} is the output layer, which does not spike"
                    : $"layer {f.Layer} does not exist";
                throw new FaultPlanException($"{detail}: {network.Architecture} has {network.SpikingLayerCount} hidden layers (0..{network.SpikingLayerCount - 1}); {name}: {what}", i, "layer");
            }
        }
    }

    /// <summary>
    /// Applies the weight faults once, to a copy of the model, in plan order. Entry i hits weight k of layer l
    /// (file layout index) iff U(seed, i, l, 0, NoSample, k) &lt; rate; a bit flip then flips bit
    /// floor(32 U(seed, i, l, 1, NoSample, k)) of the float32 (a result that is not finite saturates to the
    /// largest finite float of its sign, since the model holds finite weights only); a zero fault sets it to 0.
    /// </summary>
    public FaultedModel ApplyWeightFaults(SnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Validate(model.Network);
        if (!HasWeightFaults) return new FaultedModel(model, default);
        long flipped = 0, zeroed = 0;
        var layers = new List<LayerParameters>(model.Layers.Count);
        for (var l = 0; l < model.Layers.Count; l++)
        {
            var p = model.Layers[l];
            float[]? weights = null;
            for (var i = 0; i < Faults.Count; i++)
            {
                var f = Faults[i];
                if (f.Level != FaultLevel.Weight || f.Layer != l) continue;
                weights ??= (float[])p.Weights.Clone();
                var hit = FaultDraw.Prefix(Seed, i, l, 0);
                var bit = FaultDraw.Prefix(Seed, i, l, 1);
                for (var k = 0; k < weights.Length; k++)
                {
                    if (!(FaultDraw.Uniform(hit, FaultDraw.NoSample, k) < f.Rate)) continue;
                    if (f.Kind == FaultKind.ZeroWeight)
                    {
                        weights[k] = 0f;
                        zeroed++;
                    }
                    else
                    {
                        weights[k] = FlipBit(weights[k], (int)(FaultDraw.Uniform(bit, FaultDraw.NoSample, k) * 32));
                        flipped++;
                    }
                }
            }

            layers.Add(weights is null ? p : p with { Weights = weights });
        }

        var metadata = model.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        metadata["weight_faults"] = string.Create(CultureInfo.InvariantCulture, $"seed {Seed}: {flipped} bits flipped, {zeroed} weights zeroed");
        var faulty = new SnnModel(model.Network, model.T, layers, model.Normalisation, model.InputMode, model.InputKernel, metadata);
        return new FaultedModel(faulty, new FaultCounters(0, 0, 0, 0, 0, 0, 0, flipped, zeroed));
    }

    /// <summary>Flips bit <paramref name="bit"/> (0 = least significant of the mantissa, 31 = sign); a non-finite result saturates.</summary>
    public static float FlipBit(float value, int bit)
    {
        if (bit < 0 || bit > 31) throw new ArgumentOutOfRangeException(nameof(bit), bit, "a float32 has bits 0..31");
        var flipped = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) ^ (1 << bit));
        return float.IsFinite(flipped) ? flipped : (BitConverter.SingleToInt32Bits(flipped) < 0 ? -float.MaxValue : float.MaxValue);
    }

    /// <summary>
    /// The spike and neuron faults that act in <paramref name="kernel"/>'s firing, with the neurons each
    /// neuron fault selected among the kernel's own; null when none targets its stage (or it is the output).
    /// </summary>
    public StageFaults? ForKernel(StageKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Stage.IsOutput) return null;
        var stage = kernel.Stage.Index;
        var any = Faults.Any(f => f.Level != FaultLevel.Weight && f.Layer == stage);
        return any ? new StageFaults(this, kernel) : null;
    }

    IStageFaultHook? IFaultInjection.ForKernel(StageKernel kernel) => ForKernel(kernel);

    /// <summary>Number of the layer's neurons entry <paramref name="entry"/> (a neuron fault) selects: the same on every engine.</summary>
    public int SelectedNeurons(int entry, NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var f = Faults[entry];
        if (f.Level != FaultLevel.Neuron) throw new ArgumentException($"entry {entry} ({FaultKinds.Name(f.Kind)}) is not a neuron fault", nameof(entry));
        var prefix = FaultDraw.Prefix(Seed, entry, f.Layer, 0);
        var size = network.Stages[f.Layer].ConvShape.Size;
        var count = 0;
        for (var n = 0; n < size; n++)
        {
            if (FaultDraw.Uniform(prefix, FaultDraw.NoSample, n) < f.Rate) count++;
        }

        return count;
    }

    /// <summary>One line per entry, for reports.</summary>
    public IEnumerable<string> Describe()
    {
        for (var i = 0; i < Faults.Count; i++)
        {
            var f = Faults[i];
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"[{i}] {FaultKinds.Name(f.Kind)} layer {f.Layer} rate {f.Rate:R}");
            if (FaultKinds.TakesSteps(f.Kind)) sb.Append(CultureInfo.InvariantCulture, $" steps {f.Steps}");
            if (FaultKinds.TakesFactor(f.Kind)) sb.Append(CultureInfo.InvariantCulture, $" factor {f.Factor:R}");
            if (f.Level != FaultLevel.Weight)
                sb.Append(CultureInfo.InvariantCulture, $" samples {f.From}..{(f.To is { } to ? to.ToString(CultureInfo.InvariantCulture) : "end")}");
            yield return sb.ToString();
        }
    }
}
