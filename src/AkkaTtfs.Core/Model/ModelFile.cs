using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Model;

/// <summary>
/// Saves and loads an <see cref="SnnModel"/> as a safetensors file (docs/model-file.md) that Python's
/// <c>safetensors</c> package, or a few lines of json + struct, can read without this project.
/// </summary>
/// <remarks>
/// <para>Layout (safetensors): an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON,
/// padded with spaces to a multiple of 8; then the data section, the raw little-endian float32 tensors
/// packed in order without gaps. The header holds one entry per tensor, <c>layers.{i}.weight</c> (shape
/// <see cref="AkkaTtfs.Core.Network.Stage.WeightDims"/>) and <c>layers.{i}.bias</c> (shape [BiasCount]), each with
/// <c>dtype</c> "F32", <c>shape</c> and <c>data_offsets</c> [begin, end) relative to the data section, and a
/// <c>__metadata__</c> object of string values: <c>format</c>, <c>format_version</c>, <c>architecture</c>,
/// <c>input_shape</c>, <c>T</c>, <c>input_mode</c>, <c>input_kernel</c> (TTFS input only), <c>kernels</c>,
/// <c>normalisation</c>, <c>provenance</c> and <c>checksum</c>. Every float of the JSON entries is written
/// twice, as a shortest round-trip decimal and as <c>{name}_bits</c>, the 8 hex digits of its IEEE-754
/// binary32 bits; a reader takes the bits, so tau and td survive bit-exactly whatever its decimal parser.</para>
/// <para>Checksum: <c>checksum = "sha256:" + lowercase hex of SHA-256(C || D)</c>, where D is the whole data
/// section and C is the concatenation of netstrings <c>ns(s) = ASCII decimal of byte-length(UTF-8(s)) + ":" +
/// UTF-8(s) + ","</c>: first, for every <c>__metadata__</c> entry except <c>checksum</c>, in ascending order of
/// the key's UTF-8 bytes, <c>ns(key) ns(value)</c>; then, for every tensor entry in ascending order of its
/// name's UTF-8 bytes, <c>ns(name) ns(dtype) ns(shape) ns(offsets)</c>, with shape the decimal dimensions
/// joined by "," (e.g. "12,1,5,5") and offsets "begin,end" (e.g. "0,1200"). So any edit of a tau, the
/// architecture, the provenance, a tensor entry or a data byte is detected.</para>
/// <para>Loading checks, in this order, and throws a <see cref="ModelFileException"/> naming the file and the
/// problem: the container (length field, JSON), the format name and version, the architecture against the
/// input shape, every tensor against the architecture, the data layout, the checksum, and then the
/// settings (T, kernels, input mode, normalisation, provenance) and the values themselves.</para>
/// </remarks>
public static class ModelFile
{
    /// <summary>The <c>__metadata__.format</c> value that marks an AkkaTtfs SNN model.</summary>
    public const string FormatName = "akkattfs-snn";

    /// <summary>The format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Largest header accepted, the limit of the reference safetensors implementation.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>
    /// Largest data section accepted, and written: <see cref="NetworkSpec.MaxParameterCount"/> float32 values,
    /// one array's worth. A network past it is refused when it is built, so no model this program can write
    /// is one its reader refuses.
    /// </summary>
    public const long MaxDataLength = NetworkSpec.MaxParameterCount * sizeof(float);

    /// <summary>The only tensor dtype of the format: little-endian IEEE-754 float32.</summary>
    public const string TensorDType = "F32";

    internal const string ChecksumPrefix = "sha256:";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> by the rule of <see cref="OutputFile"/>: a regular
    /// file (or a new name) through a temporary file in the same folder that replaces the target only once it is
    /// complete, so a failed save never leaves a half-written model; /dev/null or a pipe written through, never
    /// replaced; a folder, a socket or a block device refused (<see cref="OutputFileException"/>).
    /// </summary>
    public static void Save(SnnModel model, string path) => Save(model, path, static stream => stream);

    /// <summary>Save with a hook around the temporary file's stream, so tests can make a write fail midway.</summary>
    internal static void Save(SnnModel model, string path, Func<Stream, Stream> wrapTemporaryStream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(wrapTemporaryStream);
        OutputFile.Write(path, file =>
        {
            var target = wrapTemporaryStream(file);
            Write(model, target);
            target.Flush();
        });
    }

    /// <summary>Reads and fully validates the model file at <paramref name="path"/>.</summary>
    public static SnnModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenForReading(path);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads only the header of <paramref name="path"/>: architecture, T, version, provenance, tensor list.
    /// Validates everything the header says against itself and the file length; the tensor data and the
    /// checksum are not read.
    /// </summary>
    public static ModelFileInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenForReading(path);
        var (header, _) = ReadContainer(stream, path, readData: false);
        var settings = header.ParseSettings();
        return new ModelFileInfo(
            path,
            header.FormatVersion,
            header.Metadata[ModelFileKeys.Architecture],
            header.Network.Input,
            settings.T,
            settings.InputMode,
            header.Checksum,
            settings.Provenance,
            header.Tensors.Select(t => new ModelTensorInfo(t.Name, t.DType, t.Shape, t.Begin, t.End)).ToArray(),
            header.Metadata,
            header.HeaderLength,
            header.DataLength);
    }

    /// <summary>Writes <paramref name="model"/> in the model file format to <paramref name="stream"/>.</summary>
    public static void Write(SnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        var tensors = Layout(model);
        var metadata = BuildMetadata(model);

        // The checksum covers the data, which follows the header that holds it: hash the data in a first pass.
        using (var hash = StartChecksum(metadata, tensors))
        {
            WriteData(model, hash.AppendData);
            metadata.Add(new(ModelFileKeys.Checksum, FinishChecksum(hash)));
        }

        var header = HeaderBytes(metadata, tensors);
        Span<byte> lengthField = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)header.Length);
        stream.Write(lengthField);
        stream.Write(header);
        WriteData(model, stream.Write);
    }

    /// <summary>
    /// Reads and fully validates a model from <paramref name="stream"/> (to its end);
    /// <paramref name="sourceName"/> names the file in error messages.
    /// </summary>
    public static SnnModel Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        var (header, data) = ReadContainer(stream, sourceName, readData: true);
        header.VerifyChecksum(data!);
        return header.BuildModel(data!);
    }

    /// <summary>Name of layer <paramref name="stage"/>'s weight tensor.</summary>
    public static string WeightTensorName(int stage) => string.Create(CultureInfo.InvariantCulture, $"layers.{stage}.weight");

    /// <summary>Name of layer <paramref name="stage"/>'s bias tensor.</summary>
    public static string BiasTensorName(int stage) => string.Create(CultureInfo.InvariantCulture, $"layers.{stage}.bias");

    /// <summary>The hash of the canonical header text C (see the class remarks); append the data section, then finish.</summary>
    internal static IncrementalHash StartChecksum(IEnumerable<KeyValuePair<string, string>> metadata, IEnumerable<TensorEntry> tensors)
    {
        var canonical = new ArrayBufferWriter<byte>();
        foreach (var (key, value) in metadata.Where(e => e.Key != ModelFileKeys.Checksum).OrderBy(e => e.Key, Utf8Order))
        {
            AppendNetstring(canonical, key);
            AppendNetstring(canonical, value);
        }

        foreach (var tensor in tensors.OrderBy(t => t.Name, Utf8Order))
        {
            AppendNetstring(canonical, tensor.Name);
            AppendNetstring(canonical, tensor.DType);
            AppendNetstring(canonical, string.Join(",", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
            AppendNetstring(canonical, string.Create(CultureInfo.InvariantCulture, $"{tensor.Begin},{tensor.End}"));
        }

        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(canonical.WrittenSpan);
        return hash;
    }

    internal static string FinishChecksum(IncrementalHash hash) => ChecksumPrefix + Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <summary>Orders strings by their UTF-8 bytes (= by Unicode code point), as Python's sorted() does.</summary>
    private static Comparer<string> Utf8Order { get; } =
        Comparer<string>.Create((a, b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));

    private static void AppendNetstring(ArrayBufferWriter<byte> buffer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{bytes.Length}:"), buffer);
        buffer.Write(bytes);
        buffer.Write(","u8);
    }

    private static List<TensorEntry> Layout(SnnModel model)
    {
        var tensors = new List<TensorEntry>(model.Network.Stages.Count * 2);
        long offset = 0;
        foreach (var stage in model.Network.Stages)
        {
            var weightEnd = offset + (stage.WeightCount * 4L);
            var biasEnd = weightEnd + (stage.BiasCount * 4L);
            tensors.Add(new TensorEntry(WeightTensorName(stage.Index), TensorDType, stage.WeightDims, offset, weightEnd));
            tensors.Add(new TensorEntry(BiasTensorName(stage.Index), TensorDType, [stage.BiasCount], weightEnd, biasEnd));
            offset = biasEnd;
        }

        return tensors;
    }

    private static List<KeyValuePair<string, string>> BuildMetadata(SnnModel model)
    {
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(ModelFileKeys.Format, FormatName),
            new(ModelFileKeys.FormatVersion, FormatVersion.ToString(CultureInfo.InvariantCulture)),
            new(ModelFileKeys.Architecture, model.Network.Architecture),
            new(ModelFileKeys.InputShape, string.Join(",", model.Network.Input.ToDims().Select(d => d.ToString(CultureInfo.InvariantCulture)))),
            new(ModelFileKeys.T, model.T.ToString(CultureInfo.InvariantCulture)),
            new(ModelFileKeys.InputMode, model.InputMode == InputMode.Ttfs ? ModelFileKeys.InputModeTtfs : ModelFileKeys.InputModeAnalog),
        };
        if (model.InputKernel is { } inputKernel)
            metadata.Add(new(ModelFileKeys.InputKernel, JsonText(json => WriteKernel(json, inputKernel))));
        metadata.Add(new(ModelFileKeys.Kernels, JsonText(json =>
        {
            json.WriteStartArray();
            foreach (var layer in model.Layers)
            {
                if (layer.Kernel is { } kernel)
                    WriteKernel(json, kernel);
            }

            json.WriteEndArray();
        })));
        metadata.Add(new(ModelFileKeys.Normalisation, JsonText(json => WriteNormalisation(json, model.Normalisation))));
        metadata.Add(new(ModelFileKeys.Provenance, JsonText(json =>
        {
            json.WriteStartObject();
            foreach (var (key, value) in model.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
                json.WriteString(key, value);
            json.WriteEndObject();
        })));
        return metadata;
    }

    private static void WriteKernel(Utf8JsonWriter json, TemporalKernel kernel)
    {
        json.WriteStartObject();
        WriteFloat(json, "tau", kernel.Tau);
        WriteFloat(json, "td", kernel.Td);
        json.WriteEndObject();
    }

    private static void WriteNormalisation(Utf8JsonWriter json, InputNormalisation normalisation)
    {
        json.WriteStartObject();
        WriteFloat(json, "scale", normalisation.Scale);
        WriteFloatList(json, "mean", normalisation.Mean);
        WriteFloatList(json, "std", normalisation.Std);
        json.WriteEndObject();
    }

    private static void WriteFloat(Utf8JsonWriter json, string name, float value)
    {
        RequireFinite(value, name);
        json.WriteNumber(name, value);
        json.WriteString(name + ModelFileKeys.BitsSuffix, FloatBits(value));
    }

    private static void WriteFloatList(Utf8JsonWriter json, string name, IReadOnlyList<float> values)
    {
        json.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            RequireFinite(values[i], $"{name}[{i}]");
            json.WriteNumberValue(values[i]);
        }

        json.WriteEndArray();
        json.WriteStartArray(name + ModelFileKeys.BitsSuffix);
        foreach (var value in values)
            json.WriteStringValue(FloatBits(value));
        json.WriteEndArray();
    }

    private static void RequireFinite(float value, string name)
    {
        // JSON has no NaN or infinity; SnnModel does not rule them out for the normalisation mean.
        if (!float.IsFinite(value))
            throw new ArgumentException($"cannot save the model: {name} is {value}, and the model file holds finite numbers only");
    }

    /// <summary>The 8 hex digits (most significant first) of a float's IEEE-754 binary32 bits.</summary>
    internal static string FloatBits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);

    private static string JsonText(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            write(json);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Relaxed escaping keeps nested JSON and non-ASCII provenance readable in the header; the file is never
    // embedded in HTML, and quotes, backslashes and control characters are still escaped.
    private static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] HeaderBytes(List<KeyValuePair<string, string>> metadata, List<TensorEntry> tensors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject(ModelFileKeys.Metadata);
            foreach (var (key, value) in metadata)
                json.WriteString(key, value);
            json.WriteEndObject();
            foreach (var tensor in tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (var dim in tensor.Shape)
                    json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(tensor.Begin);
                json.WriteNumberValue(tensor.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // safetensors pads the header with spaces so the data section starts 8-byte aligned.
        var padding = (8 - (buffer.WrittenCount % 8)) % 8;
        buffer.GetSpan(padding)[..padding].Fill((byte)' ');
        buffer.Advance(padding);
        return buffer.WrittenSpan.ToArray();
    }

    private delegate void ByteSink(ReadOnlySpan<byte> bytes);

    /// <summary>The data section: every layer's weights then bias, little-endian float32, in chunks.</summary>
    private static void WriteData(SnnModel model, ByteSink sink)
    {
        var buffer = new byte[1 << 16];
        const int floatsPerChunk = (1 << 16) / 4;
        foreach (var layer in model.Layers)
        {
            foreach (var values in (float[][])[layer.Weights, layer.Bias])
            {
                for (var start = 0; start < values.Length; start += floatsPerChunk)
                {
                    var count = Math.Min(floatsPerChunk, values.Length - start);
                    for (var i = 0; i < count; i++)
                        BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), values[start + i]);
                    sink(buffer.AsSpan(0, count * 4));
                }
            }
        }
    }

    /// <summary>Opens a regular file only: a FIFO or a device is refused before it is opened (it could block or never end).</summary>
    private static FileStream OpenForReading(string path)
    {
        try
        {
            return InputFile.OpenRead(path, "model file");
        }
        catch (InputFileException e)
        {
            throw new ModelFileException(path, e.Problem, e);
        }
    }

    /// <summary>Reads the length field and the header, and the data section if asked; parses and validates the header.</summary>
    private static (ModelFileHeader Header, byte[]? Data) ReadContainer(Stream stream, string source, bool readData)
    {
        try
        {
            var lengthField = new byte[8];
            var lengthBytes = stream.ReadAtLeast(lengthField, 8, throwOnEndOfStream: false);
            if (lengthBytes < 8)
                throw new ModelFileException(source, $"the file holds {lengthBytes} bytes, too few for a model file, which starts with an 8-byte header length");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
            if (headerLength > MaxHeaderLength)
                throw new ModelFileException(source, $"the header length field says {headerLength} bytes, more than the {MaxHeaderLength}-byte limit of safetensors headers; the file is damaged or not a safetensors file");
            long? afterLengthField = stream.CanSeek ? stream.Length - stream.Position : null;
            if (afterLengthField is { } available && available < (long)headerLength)
                throw HeaderPastEnd(source, headerLength, available);

            var header = new byte[(int)headerLength];
            var headerBytes = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (headerBytes < header.Length)
                throw HeaderPastEnd(source, headerLength, headerBytes);

            byte[]? data = null;
            long dataLength;
            if (readData)
            {
                data = ReadToEnd(stream, source);
                dataLength = data.Length;
            }
            else
            {
                dataLength = afterLengthField - header.Length ?? throw new InvalidOperationException("reading only the header needs a seekable stream");
            }

            return (ModelFileHeader.Parse(header, dataLength, source), data);
        }
        catch (InputFileException e)
        {
            throw new ModelFileException(source, e.Problem, e);
        }
        catch (IOException e)
        {
            throw new ModelFileException(source, $"reading failed: {e.Message}", e);
        }
    }

    private static ModelFileException HeaderPastEnd(string source, ulong headerLength, long available) =>
        new(source, $"the header length field says {headerLength} bytes, but only {available} bytes follow it; the file is truncated or not a safetensors file");

    /// <summary>The data section, to the end of the stream, bounded by <see cref="MaxDataLength"/> (a stream that never ends is refused).</summary>
    private static byte[] ReadToEnd(Stream stream, string source) =>
        InputFile.ReadToEnd(stream, source, "model file's data section", MaxDataLength);
}
