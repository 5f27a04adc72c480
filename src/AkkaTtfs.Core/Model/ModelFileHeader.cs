using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Model;

/// <summary>The header keys of the model file format (docs/model-file.md).</summary>
internal static class ModelFileKeys
{
    public const string Metadata = "__metadata__";
    public const string Format = "format";
    public const string FormatVersion = "format_version";
    public const string Architecture = "architecture";
    public const string InputShape = "input_shape";
    public const string T = "T";
    public const string InputMode = "input_mode";
    public const string InputKernel = "input_kernel";
    public const string Kernels = "kernels";
    public const string Normalisation = "normalisation";
    public const string Provenance = "provenance";
    public const string Checksum = "checksum";
    public const string InputModeAnalog = "analog";
    public const string InputModeTtfs = "ttfs";

    /// <summary>Suffix of the field that holds a float's IEEE-754 bits next to its decimal.</summary>
    public const string BitsSuffix = "_bits";
}

/// <summary>One tensor entry of the header: name, dtype, shape and [Begin, End) in the data section.</summary>
internal sealed record TensorEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);

    public string ShapeText => $"[{string.Join(",", Shape)}]";
}

/// <summary>The header settings that are not tensors: window, kernels, input, normalisation, provenance.</summary>
internal sealed record ModelFileSettings(
    int T,
    IReadOnlyList<TemporalKernel> Kernels,
    InputMode InputMode,
    TemporalKernel? InputKernel,
    InputNormalisation Normalisation,
    IReadOnlyDictionary<string, string> Provenance);

/// <summary>
/// A parsed model file header, already checked for everything that does not need the tensor data: the format
/// name and version, the architecture against the input shape, every tensor against the architecture, and
/// the data layout against the data section's length. Every failure is a <see cref="ModelFileException"/>.
/// </summary>
internal sealed class ModelFileHeader
{
    private const int MaxQuotedLength = 200;

    private ModelFileHeader(
        string source,
        long headerLength,
        long dataLength,
        Dictionary<string, string> metadata,
        IReadOnlyList<TensorEntry> tensors,
        int formatVersion,
        NetworkSpec network,
        string checksum)
    {
        Source = source;
        HeaderLength = headerLength;
        DataLength = dataLength;
        Metadata = metadata;
        Tensors = tensors;
        FormatVersion = formatVersion;
        Network = network;
        Checksum = checksum;
    }

    public string Source { get; }

    public long HeaderLength { get; }

    public long DataLength { get; }

    /// <summary>Every <c>__metadata__</c> entry as written.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor entries in data order.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    public int FormatVersion { get; }

    public NetworkSpec Network { get; }

    public string Checksum { get; }

    /// <summary>Parses and checks a header; <paramref name="dataLength"/> is the length of the data section that follows it.</summary>
    public static ModelFileHeader Parse(byte[] header, long dataLength, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(source, $"the {header.Length}-byte header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ModelFileException(source, $"the header is a JSON {Kind(root)}, but a safetensors header is a JSON object");

            Dictionary<string, string>? metadata = null;
            var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == ModelFileKeys.Metadata)
                {
                    if (metadata is not null)
                        throw new ModelFileException(source, $"the header holds {ModelFileKeys.Metadata} twice");
                    metadata = ParseMetadata(property.Value, source);
                }
                else
                {
                    if (tensors.ContainsKey(property.Name))
                        throw new ModelFileException(source, $"the header lists tensor '{property.Name}' twice");
                    tensors.Add(property.Name, ParseTensorEntry(property.Name, property.Value, source));
                }
            }

            if (metadata is null)
                throw new ModelFileException(source, $"the header has no {ModelFileKeys.Metadata}, so it is not an {ModelFile.FormatName} model file (a plain safetensors file?)");
            return Check(source, header.Length, dataLength, metadata, tensors);
        }
    }

    private static ModelFileHeader Check(string source, long headerLength, long dataLength, Dictionary<string, string> metadata, Dictionary<string, TensorEntry> tensors)
    {
        string Required(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new ModelFileException(source, $"the header has no {ModelFileKeys.Metadata}.{key} entry");

        if (!metadata.TryGetValue(ModelFileKeys.Format, out var format) || format != ModelFile.FormatName)
        {
            var found = format is null ? "missing" : $"'{Quote(format)}'";
            throw new ModelFileException(source, $"not an {ModelFile.FormatName} model file: {ModelFileKeys.Metadata}.{ModelFileKeys.Format} is {found}, expected '{ModelFile.FormatName}'");
        }

        var versionText = Required(ModelFileKeys.FormatVersion);
        if (!int.TryParse(versionText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
            throw new ModelFileException(source, $"format_version is '{Quote(versionText)}', expected the integer {ModelFile.FormatVersion}");
        if (version != ModelFile.FormatVersion)
        {
            var writer = version > ModelFile.FormatVersion ? "a newer" : "an older";
            throw new ModelFileException(source, $"written by {writer} version of the model file format (format_version: expected {ModelFile.FormatVersion}, found {version}); this program reads version {ModelFile.FormatVersion} only");
        }

        var network = ParseNetwork(Required(ModelFileKeys.Architecture), Required(ModelFileKeys.InputShape), source);
        var ordered = CheckTensors(network, tensors, dataLength, source);

        var checksum = Required(ModelFileKeys.Checksum);
        if (!checksum.StartsWith(ModelFile.ChecksumPrefix, StringComparison.Ordinal) || checksum.Length != ModelFile.ChecksumPrefix.Length + 64)
            throw new ModelFileException(source, $"checksum is '{Quote(checksum)}', expected '{ModelFile.ChecksumPrefix}' followed by 64 hex digits");
        return new ModelFileHeader(source, headerLength, dataLength, metadata, ordered, version, network, checksum);
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(source, $"{ModelFileKeys.Metadata} is a JSON {Kind(element)}, expected an object of strings");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFileException(source, $"{ModelFileKeys.Metadata}.{entry.Name} is a JSON {Kind(entry.Value)}; safetensors metadata values must be strings");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new ModelFileException(source, $"{ModelFileKeys.Metadata} holds '{entry.Name}' twice");
        }

        return metadata;
    }

    private static TensorEntry ParseTensorEntry(string name, JsonElement entry, string source)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(source, $"tensor entry '{name}' is a JSON {Kind(entry)}, expected an object with dtype, shape and data_offsets");
        if (!entry.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw new ModelFileException(source, $"tensor entry '{name}' has no dtype string");

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new ModelFileException(source, $"tensor entry '{name}' has no shape array");
        var shape = new int[shapeElement.GetArrayLength()];
        var d = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out shape[d]) || shape[d] < 0)
                throw new ModelFileException(source, $"{name}: shape {Quote(shapeElement.GetRawText())} must list non-negative integers");
            d++;
        }

        // TryGetInt64 throws InvalidOperationException on a string, null or object, so the kind is checked first.
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin)
        {
            var found = entry.TryGetProperty("data_offsets", out var raw) ? Quote(raw.GetRawText()) : "missing";
            throw new ModelFileException(source, $"{name}: data_offsets is {found}, expected [begin, end] with 0 <= begin <= end");
        }

        return new TensorEntry(name, dtype.GetString()!, shape, begin, end);
    }

    private static NetworkSpec ParseNetwork(string architecture, string inputShapeText, string source)
    {
        var input = ParseInputShape(inputShapeText, source);
        IReadOnlyList<LayerSpec> layers;
        try
        {
            layers = ArchitectureParser.Parse(architecture);
        }
        catch (NetworkSpecException e)
        {
            throw new ModelFileException(source, $"architecture '{Quote(architecture)}' does not parse: {e.Message}", e);
        }

        try
        {
            return NetworkSpec.Create(input, layers);
        }
        catch (Exception e) when (e is NetworkSpecException or ArgumentException)
        {
            throw new ModelFileException(source, $"architecture '{Quote(architecture)}' does not fit input_shape {input}: {e.Message}", e);
        }
    }

    private static TensorShape ParseInputShape(string text, string source)
    {
        var parts = text.Trim().TrimStart('[').TrimEnd(']').Split(',');
        var dims = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                dims[i] = -1;
        }

        try
        {
            return TensorShape.FromDims(dims);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException(source, $"input_shape is '{Quote(text)}', expected N or C,H,W with positive integers (e.g. 1,28,28)", e);
        }
    }

    /// <summary>Matches the tensors to the architecture, then checks the layout: packed, in bounds, filling the data section.</summary>
    private static TensorEntry[] CheckTensors(NetworkSpec network, Dictionary<string, TensorEntry> tensors, long dataLength, string source)
    {
        var expected = new List<(string Name, int[] Dims)>();
        foreach (var stage in network.Stages)
        {
            expected.Add((ModelFile.WeightTensorName(stage.Index), stage.WeightDims));
            expected.Add((ModelFile.BiasTensorName(stage.Index), [stage.BiasCount]));
        }

        foreach (var (name, dims) in expected)
        {
            var needed = $"[{string.Join(",", dims)}]";
            if (!tensors.TryGetValue(name, out var tensor))
                throw new ModelFileException(source, $"{name} is missing; architecture '{network.Architecture}' on input {network.Input} needs it with shape {needed}");
            if (tensor.DType != ModelFile.TensorDType)
                throw new ModelFileException(source, $"{name} has dtype {Quote(tensor.DType)}, the format stores {ModelFile.TensorDType} (float32) only");
            if (!tensor.Shape.SequenceEqual(dims))
                throw new ModelFileException(source, $"{name} has shape {tensor.ShapeText}, the architecture needs {needed}");
        }

        var unexpected = tensors.Keys.Where(k => !expected.Any(e => e.Name == k)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (unexpected is not null)
        {
            throw new ModelFileException(source,
                $"tensor '{Quote(unexpected)}' is not part of architecture '{network.Architecture}', whose {network.Stages.Count} weighted layers are layers.0 .. layers.{network.Stages.Count - 1}");
        }

        var ordered = tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.End).ToArray();
        foreach (var tensor in ordered)
        {
            var byteCount = tensor.ElementCount * 4;
            if (tensor.End - tensor.Begin != byteCount)
                throw new ModelFileException(source, $"{tensor.Name}: data_offsets [{tensor.Begin},{tensor.End}] span {tensor.End - tensor.Begin} bytes, but shape {tensor.ShapeText} of {ModelFile.TensorDType} needs {byteCount}");
            if (tensor.End > dataLength)
                throw new ModelFileException(source, $"{tensor.Name}: data_offsets [{tensor.Begin},{tensor.End}] run past the end of the data section, which is {dataLength} bytes (a truncated file?)");
        }

        long covered = 0;
        TensorEntry? previous = null;
        foreach (var tensor in ordered)
        {
            if (tensor.Begin < covered)
                throw new ModelFileException(source, $"{tensor.Name} (bytes {tensor.Begin}..{tensor.End}) overlaps {previous!.Name} (bytes {previous.Begin}..{previous.End}) in the data section");
            if (tensor.Begin > covered)
            {
                var after = previous is null ? "at the start of the data section" : $"between {previous.Name} (ends at {previous.End}) and {tensor.Name} (starts at {tensor.Begin})";
                throw new ModelFileException(source, $"{tensor.Begin - covered} unused bytes {after}; safetensors packs the tensors without gaps");
            }

            covered = tensor.End;
            previous = tensor;
        }

        if (covered != dataLength)
            throw new ModelFileException(source, $"the data section is {dataLength} bytes, but the tensors cover {covered}: {dataLength - covered} bytes at the end belong to no tensor");
        return ordered;
    }

    /// <summary>Checks the header's checksum against the canonical header text and <paramref name="data"/>.</summary>
    public void VerifyChecksum(byte[] data)
    {
        string actual;
        using (var hash = ModelFile.StartChecksum(Metadata, Tensors))
        {
            hash.AppendData(data);
            actual = ModelFile.FinishChecksum(hash);
        }

        if (!string.Equals(actual, Checksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelFileException(Source,
                $"checksum mismatch: the header says {Checksum}, the content hashes to {actual}; the file was damaged or edited after it was written " +
                "(the checksum covers the tensor data and every other header entry, see docs/model-file.md)");
        }
    }

    /// <summary>Parses the settings entries: T, kernels, input mode and kernel, normalisation, provenance.</summary>
    public ModelFileSettings ParseSettings()
    {
        var tText = RequiredEntry(ModelFileKeys.T);
        if (!int.TryParse(tText, NumberStyles.None, CultureInfo.InvariantCulture, out var t) || t < 1 || t > TemporalKernel.MaxWindow)
            throw Fail($"T is '{Quote(tText)}', expected an integer in [1, {TemporalKernel.MaxWindow}]");

        var kernels = ParseKernels(t);
        var (inputMode, inputKernel) = ParseInput(t);
        var normalisation = ParseNormalisation();
        var provenance = ParseProvenance();
        return new ModelFileSettings(t, kernels, inputMode, inputKernel, normalisation, provenance);
    }

    /// <summary>Builds the model from the settings and the data section; the header and checksum are already checked.</summary>
    public SnnModel BuildModel(byte[] data)
    {
        var settings = ParseSettings();
        var tensors = Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var layers = new LayerParameters[Network.Stages.Count];
        for (var i = 0; i < layers.Length; i++)
        {
            var weights = ReadFloats(data, tensors[ModelFile.WeightTensorName(i)]);
            var bias = ReadFloats(data, tensors[ModelFile.BiasTensorName(i)]);
            layers[i] = new LayerParameters(weights, bias, Network.Stages[i].IsOutput ? null : settings.Kernels[i]);
        }

        try
        {
            return new SnnModel(Network, settings.T, layers, settings.Normalisation, settings.InputMode, settings.InputKernel, settings.Provenance);
        }
        catch (ArgumentException e)
        {
            throw Fail(e.Message, e);
        }
    }

    private static float[] ReadFloats(byte[] data, TensorEntry tensor)
    {
        var values = new float[tensor.ElementCount];
        var bytes = data.AsSpan((int)tensor.Begin, (int)(tensor.End - tensor.Begin));
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return values;
    }

    private List<TemporalKernel> ParseKernels(int t)
    {
        using var document = ParseJsonEntry(ModelFileKeys.Kernels);
        var list = document.RootElement;
        if (list.ValueKind != JsonValueKind.Array)
            throw Fail($"kernels is a JSON {Kind(list)}, expected a list of {{tau, td}} objects, one per spiking layer");
        if (list.GetArrayLength() != Network.SpikingLayerCount)
        {
            throw Fail($"kernels lists {list.GetArrayLength()} entries, but architecture '{Network.Architecture}' has {Network.SpikingLayerCount} spiking layers " +
                "(one kernel each; the output layer has none)");
        }

        var kernels = new List<TemporalKernel>(list.GetArrayLength());
        foreach (var entry in list.EnumerateArray())
            kernels.Add(ParseKernel(entry, $"kernels[{kernels.Count}]", t));
        return kernels;
    }

    private (InputMode Mode, TemporalKernel? Kernel) ParseInput(int t)
    {
        var mode = RequiredEntry(ModelFileKeys.InputMode);
        var hasKernel = Metadata.ContainsKey(ModelFileKeys.InputKernel);
        switch (mode)
        {
            case ModelFileKeys.InputModeAnalog:
                if (hasKernel)
                    throw Fail("input_mode is 'analog', which takes no input_kernel, but the header has one");
                return (InputMode.Analog, null);
            case ModelFileKeys.InputModeTtfs:
                if (!hasKernel)
                    throw Fail("input_mode is 'ttfs' but the header has no input_kernel (tau_in, td_in)");
                using (var document = ParseJsonEntry(ModelFileKeys.InputKernel))
                    return (InputMode.Ttfs, ParseKernel(document.RootElement, ModelFileKeys.InputKernel, t));
            default:
                throw Fail($"input_mode is '{Quote(mode)}', expected '{ModelFileKeys.InputModeAnalog}' or '{ModelFileKeys.InputModeTtfs}'");
        }
    }

    private TemporalKernel ParseKernel(JsonElement entry, string where, int t)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw Fail($"{where} is a JSON {Kind(entry)}, expected an object {{tau, td}}");
        var tau = ParseFloatField(entry, "tau", where);
        var td = ParseFloatField(entry, "td", where);
        try
        {
            return new TemporalKernel(tau, td, t);
        }
        catch (ArgumentException e)
        {
            throw Fail($"{where}: {e.Message}", e);
        }
    }

    private InputNormalisation ParseNormalisation()
    {
        const string where = ModelFileKeys.Normalisation;
        using var document = ParseJsonEntry(where);
        var entry = document.RootElement;
        if (entry.ValueKind != JsonValueKind.Object)
            throw Fail($"{where} is a JSON {Kind(entry)}, expected an object {{scale, mean, std}}");
        var scale = ParseFloatField(entry, "scale", where);
        var mean = ParseFloatList(entry, "mean", where);
        var std = ParseFloatList(entry, "std", where);
        var normalisation = new InputNormalisation(scale, mean, std);
        try
        {
            // The same channel rule as SnnModel, so ReadInfo rejects what Load would reject.
            normalisation.Validate(Network.Input.NormalisationChannels);
        }
        catch (ArgumentException e)
        {
            throw Fail(e.Message, e);
        }

        return normalisation;
    }

    private Dictionary<string, string> ParseProvenance()
    {
        var provenance = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Metadata.ContainsKey(ModelFileKeys.Provenance))
            return provenance;
        using var document = ParseJsonEntry(ModelFileKeys.Provenance);
        var entry = document.RootElement;
        if (entry.ValueKind != JsonValueKind.Object)
            throw Fail($"provenance is a JSON {Kind(entry)}, expected an object of strings");
        foreach (var property in entry.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Fail($"provenance.{property.Name} is a JSON {Kind(property.Value)}, expected a string");
            if (!provenance.TryAdd(property.Name, property.Value.GetString()!))
                throw Fail($"provenance holds '{property.Name}' twice");
        }

        return provenance;
    }

    /// <summary>A float field written as a decimal and as its bits; the bits win, the decimal must agree with them.</summary>
    private float ParseFloatField(JsonElement owner, string field, string where)
    {
        var hasDecimal = owner.TryGetProperty(field, out var decimalElement);
        var hasBits = owner.TryGetProperty(field + ModelFileKeys.BitsSuffix, out var bitsElement);
        if (!hasDecimal && !hasBits)
            throw Fail($"{where}.{field} is missing");
        return ParseFloat(hasDecimal ? decimalElement : null, hasBits ? bitsElement : null, $"{where}.{field}", $"{where}.{field}{ModelFileKeys.BitsSuffix}");
    }

    private float[] ParseFloatList(JsonElement owner, string field, string where)
    {
        var bitsField = field + ModelFileKeys.BitsSuffix;
        if (!owner.TryGetProperty(field, out var decimals) || decimals.ValueKind != JsonValueKind.Array)
            throw Fail($"{where}.{field} is missing or not a list");
        var hasBits = owner.TryGetProperty(bitsField, out var bits);
        if (hasBits && (bits.ValueKind != JsonValueKind.Array || bits.GetArrayLength() != decimals.GetArrayLength()))
            throw Fail($"{where}.{bitsField} must be a list as long as {where}.{field} ({decimals.GetArrayLength()} entries)");
        var values = new float[decimals.GetArrayLength()];
        for (var i = 0; i < values.Length; i++)
            values[i] = ParseFloat(decimals[i], hasBits ? bits[i] : null, $"{where}.{field}[{i}]", $"{where}.{bitsField}[{i}]");
        return values;
    }

    private float ParseFloat(JsonElement? decimalElement, JsonElement? bitsElement, string decimalName, string bitsName)
    {
        float? fromDecimal = null;
        if (decimalElement is { } number)
        {
            if (number.ValueKind != JsonValueKind.Number || !number.TryGetSingle(out var parsed) || !float.IsFinite(parsed))
                throw Fail($"{decimalName} is {Quote(number.GetRawText())}, expected a finite number");
            fromDecimal = parsed;
        }

        if (bitsElement is not { } bits)
            return fromDecimal!.Value;

        var hex = bits.ValueKind == JsonValueKind.String ? bits.GetString()! : "";
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw))
            throw Fail($"{bitsName} is {Quote(bits.GetRawText())}, expected 8 hex digits of the IEEE-754 float32 bits");
        var fromBits = BitConverter.UInt32BitsToSingle(raw);
        if (!float.IsFinite(fromBits))
            throw Fail($"{bitsName} is {hex}, which is {fromBits}; expected a finite number");
        if (fromDecimal is { } value && value != fromBits)
            throw Fail($"{decimalName} is {value.ToString("R", CultureInfo.InvariantCulture)} but {bitsName} {hex} is {fromBits.ToString("R", CultureInfo.InvariantCulture)}; the two must agree");
        return fromBits;
    }

    private JsonDocument ParseJsonEntry(string key)
    {
        var text = RequiredEntry(key);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Fail($"{ModelFileKeys.Metadata}.{key} is not valid JSON text ({e.Message}): '{Quote(text)}'", e);
        }
    }

    private string RequiredEntry(string key) =>
        Metadata.TryGetValue(key, out var value) ? value : throw Fail($"the header has no {ModelFileKeys.Metadata}.{key} entry");

    private ModelFileException Fail(string problem, Exception? inner = null) => new(Source, problem, inner);

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    /// <summary>Shortens a value quoted in a message, so a damaged header does not flood it.</summary>
    private static string Quote(string text) => text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "...");
}
