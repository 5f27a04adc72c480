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
internal sealed partial class ModelFileHeader
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
            var index = 0;
            foreach (var property in root.EnumerateObject())
            {
                var name = Name(property, source, $"the name of header entry {index++}");
                if (name == ModelFileKeys.Metadata)
                {
                    if (metadata is not null)
                        throw new ModelFileException(source, $"the header holds {ModelFileKeys.Metadata} twice");
                    metadata = ParseMetadata(property.Value, source);
                }
                else
                {
                    if (tensors.ContainsKey(name))
                        throw new ModelFileException(source, $"the header lists tensor '{Quote(name)}' twice");
                    tensors.Add(name, ParseTensorEntry(name, property.Value, source));
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
            var key = Name(entry, source, $"key {metadata.Count} of {ModelFileKeys.Metadata}");
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFileException(source, $"{ModelFileKeys.Metadata}.{Quote(key)} is a JSON {Kind(entry.Value)}; safetensors metadata values must be strings");
            if (!metadata.TryAdd(key, Text(entry.Value, source, $"{ModelFileKeys.Metadata}.{Quote(key)}")))
                throw new ModelFileException(source, $"{ModelFileKeys.Metadata} holds '{Quote(key)}' twice");
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
                throw new ModelFileException(source, $"{name}: shape {Raw(shapeElement)} must list non-negative integers");
            d++;
        }

        // TryGetInt64 throws InvalidOperationException on a string, null or object, so the kind is checked first.
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin)
        {
            var found = entry.TryGetProperty("data_offsets", out var raw) ? Raw(raw) : "missing";
            throw new ModelFileException(source, $"{name}: data_offsets is {found}, expected [begin, end] with 0 <= begin <= end");
        }

        return new TensorEntry(name, Text(dtype, source, $"{name}: dtype"), shape, begin, end);
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

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    /// <summary>Shortens a value quoted in a message, so a damaged header does not flood it.</summary>
    private static string Quote(string text) => text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "...");

    /// <summary>
    /// The text of a JSON string. Invalid UTF-8 or an escaped lone surrogate (\ud800) passes the JSON parser and
    /// fails only when the string is read: that is reported as a <see cref="ModelFileException"/> naming the field.
    /// </summary>
    private static string Text(JsonElement element, string source, string field)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw NotUnicode(source, field, e);
        }
    }

    /// <summary>The name of a JSON property, or a <see cref="ModelFileException"/> saying which one is not text.</summary>
    private static string Name(JsonProperty property, string source, string which)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw NotUnicode(source, which, e);
        }
    }

    /// <summary>A JSON value as written, shortened, for a message; a value that is not valid UTF-8 is described instead.</summary>
    private static string Raw(JsonElement element)
    {
        try
        {
            return Quote(element.GetRawText());
        }
        catch (InvalidOperationException)
        {
            return "(bytes that are not valid UTF-8)";
        }
    }

    private static ModelFileException NotUnicode(string source, string field, InvalidOperationException e) =>
        new(source, $"{field} is not valid Unicode text ({e.Message}); JSON strings must be UTF-8 and may not hold a lone surrogate such as \\ud800", e);
}
