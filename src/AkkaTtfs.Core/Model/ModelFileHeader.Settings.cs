using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Model;

/// <summary>The settings entries of a model file header (T, kernels, input, normalisation, provenance) and the model built from them.</summary>
internal sealed partial class ModelFileHeader
{
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
            var key = Name(property, Source, $"key {provenance.Count} of {ModelFileKeys.Metadata}.{ModelFileKeys.Provenance}");
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Fail($"provenance.{Quote(key)} is a JSON {Kind(property.Value)}, expected a string");
            if (!provenance.TryAdd(key, Text(property.Value, Source, $"{ModelFileKeys.Metadata}.{ModelFileKeys.Provenance}.{Quote(key)}")))
                throw Fail($"provenance holds '{Quote(key)}' twice");
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
                throw Fail($"{decimalName} is {Raw(number)}, expected a finite number");
            fromDecimal = parsed;
        }

        if (bitsElement is not { } bits)
            return fromDecimal!.Value;

        var hex = bits.ValueKind == JsonValueKind.String ? Text(bits, Source, bitsName) : "";
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw))
            throw Fail($"{bitsName} is {Raw(bits)}, expected 8 hex digits of the IEEE-754 float32 bits");
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
}
