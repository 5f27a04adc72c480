using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>
/// Reads saved files with the independent <see cref="SafetensorsTestFile"/> reader, byte by byte per the
/// safetensors spec: what is checked here is what a Python reader without this project relies on.
/// </summary>
public sealed class ModelFileLayoutTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private (SnnModel Model, byte[] Bytes) SaveRandom(int seed, string architecture, string inputShape, InputMode mode, bool meanStd)
    {
        var model = RandomModels.Create(seed, architecture, inputShape, mode, meanStd);
        var path = _folder.File("model.safetensors");
        ModelFile.Save(model, path);
        return (model, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(1, "c3k3p-p2-c4k3-d5", "2,8,8", InputMode.Ttfs, true)]
    [InlineData(2, "d6-d4-d3", "7", InputMode.Analog, false)]
    public void The_container_follows_the_safetensors_spec(int seed, string architecture, string inputShape, InputMode mode, bool meanStd)
    {
        var (model, bytes) = SaveRandom(seed, architecture, inputShape, mode, meanStd);

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.True(headerLength % 8 == 0, $"header length {headerLength} is not a multiple of 8");
        Assert.True(8 + headerLength <= (ulong)bytes.Length);
        var header = bytes.AsSpan(8, (int)headerLength);
        Assert.Equal((byte)'{', header[0]);
        var jsonEnd = header.LastIndexOf((byte)'}') + 1;
        Assert.True(header[jsonEnd..].IndexOfAnyExcept((byte)' ') < 0, "the header padding holds bytes other than spaces");
        Assert.True(jsonEnd > header.Length - 8, "the header is padded by more than 7 bytes");

        var file = SafetensorsTestFile.Parse(bytes);
        Assert.All(file.Metadata, e => Assert.Equal(System.Text.Json.JsonValueKind.String, e.Value!.GetValueKind()));

        // Every tensor where the spec says, packed in order from 0 to the end of the file.
        var entries = file.TensorEntries.Select(e => (Name: e.Key, Offsets: file.Offsets(e.Key))).OrderBy(e => e.Offsets.Begin).ToList();
        Assert.Equal(model.Network.Stages.Count * 2, entries.Count);
        long expectedBegin = 0;
        foreach (var (name, (begin, end)) in entries)
        {
            Assert.True(begin == expectedBegin, $"{name} starts at {begin}, expected {expectedBegin}");
            expectedBegin = end;
        }

        Assert.Equal(file.Data.Length, expectedBegin);
        Assert.Equal(bytes.Length - 8 - (long)headerLength, file.Data.Length);
        long offset = 0;
        foreach (var stage in model.Network.Stages)
        {
            var weight = $"layers.{stage.Index}.weight";
            var bias = $"layers.{stage.Index}.bias";
            Assert.Equal("F32", file.Header[weight]!["dtype"]!.GetValue<string>());
            Assert.Equal("F32", file.Header[bias]!["dtype"]!.GetValue<string>());
            Assert.Equal(stage.WeightDims, file.Shape(weight));
            Assert.Equal([stage.BiasCount], file.Shape(bias));
            Assert.Equal((offset, offset + (4L * stage.WeightCount)), file.Offsets(weight));
            offset += 4L * stage.WeightCount;
            Assert.Equal((offset, offset + (4L * stage.BiasCount)), file.Offsets(bias));
            offset += 4L * stage.BiasCount;
            Assert.Equal(ModelAssert.Bits(model.Layers[stage.Index].Weights), ModelAssert.Bits(file.Floats(weight)));
            Assert.Equal(ModelAssert.Bits(model.Layers[stage.Index].Bias), ModelAssert.Bits(file.Floats(bias)));
        }
    }

    [Fact]
    public void The_first_weight_is_the_first_four_data_bytes_little_endian()
    {
        var (model, bytes) = SaveRandom(3, "c2k3-d2", "1,4,4", InputMode.Analog, false);
        var dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        var expected = BitConverter.SingleToUInt32Bits(model.Layers[0].Weights[0]);
        var actual = (uint)(bytes[dataStart] | (bytes[dataStart + 1] << 8) | (bytes[dataStart + 2] << 16) | (bytes[dataStart + 3] << 24));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_metadata_entries_say_what_the_format_documents()
    {
        var (model, bytes) = SaveRandom(4, "c3k3p-p2-c4k3-d5", "2,8,8", InputMode.Ttfs, true);
        var metadata = SafetensorsTestFile.Parse(bytes).Metadata;
        string Entry(string key) => metadata[key]!.GetValue<string>();

        Assert.Equal("akkattfs-snn", Entry("format"));
        Assert.Equal("1", Entry("format_version"));
        Assert.Equal("c3k3p1-p2-c4k3-d5", Entry("architecture"));
        Assert.Equal("2,8,8", Entry("input_shape"));
        Assert.Equal(model.T.ToString(CultureInfo.InvariantCulture), Entry("T"));
        Assert.Equal("ttfs", Entry("input_mode"));
        Assert.Matches("^sha256:[0-9a-f]{64}$", Entry("checksum"));

        var kernels = JsonNode.Parse(Entry("kernels"))!.AsArray();
        Assert.Equal(model.Network.SpikingLayerCount, kernels.Count);
        for (var i = 0; i < kernels.Count; i++)
        {
            AssertFloat(model.Layers[i].Kernel!.Tau, kernels[i]!, "tau");
            AssertFloat(model.Layers[i].Kernel!.Td, kernels[i]!, "td");
        }

        var inputKernel = JsonNode.Parse(Entry("input_kernel"))!;
        AssertFloat(model.InputKernel!.Tau, inputKernel, "tau");
        AssertFloat(model.InputKernel!.Td, inputKernel, "td");

        var normalisation = JsonNode.Parse(Entry("normalisation"))!;
        AssertFloat(model.Normalisation.Scale, normalisation, "scale");
        for (var c = 0; c < model.Normalisation.Mean.Count; c++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(model.Normalisation.Mean[c]), PythonStyleFloat(normalisation["mean"]![c]!));
            Assert.Equal(BitConverter.SingleToUInt32Bits(model.Normalisation.Mean[c]), HexBits(normalisation["mean_bits"]![c]!));
            Assert.Equal(BitConverter.SingleToUInt32Bits(model.Normalisation.Std[c]), HexBits(normalisation["std_bits"]![c]!));
        }

        var provenance = JsonNode.Parse(Entry("provenance"))!.AsObject();
        Assert.Equal(
            model.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal),
            provenance.Select(e => KeyValuePair.Create(e.Key, e.Value!.GetValue<string>())).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_checksum_is_what_the_documented_definition_gives()
    {
        var (_, bytes) = SaveRandom(5, "c3k3p-p2-c4k3-d5", "2,8,8", InputMode.Ttfs, true);
        var file = SafetensorsTestFile.Parse(bytes);

        Assert.Equal(file.ComputeChecksum(), file.Metadata["checksum"]!.GetValue<string>());
    }

    [Fact]
    public void Extra_metadata_entries_are_kept_readable_and_are_covered_by_the_checksum_in_UTF8_key_order()
    {
        var path = _folder.File("model.safetensors");
        ModelFile.Save(RandomModels.Create(6, "d4-d2", "3"), path);
        var file = SafetensorsTestFile.Load(path);
        // U+FB01 sorts after U+1F600's surrogates in UTF-16 order but before it in UTF-8 order.
        file.Metadata["\U0001F600 added by a python script"] = "x";
        file.Metadata["\uFB01 also added"] = "y";
        file.Resign();
        file.Save(path);

        var model = ModelFile.Load(path);
        Assert.Equal("d4-d2", model.Network.Architecture);
        Assert.Equal("y", ModelFile.ReadInfo(path).HeaderMetadata["\uFB01 also added"]);
    }

    /// <summary>Python's json gives a double; struct.pack('&lt;f', x) rounds it to float32: that must be exact too.</summary>
    private static void AssertFloat(float expected, JsonNode owner, string field)
    {
        var expectedBits = BitConverter.SingleToUInt32Bits(expected);
        Assert.Equal(expectedBits, HexBits(owner[field + "_bits"]!));
        Assert.Equal(expectedBits, PythonStyleFloat(owner[field]!));
    }

    private static uint PythonStyleFloat(JsonNode number) =>
        BitConverter.SingleToUInt32Bits((float)double.Parse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture));

    private static uint HexBits(JsonNode hex)
    {
        var text = hex.GetValue<string>();
        Assert.Matches("^[0-9a-f]{8}$", text);
        return uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Header_text_is_valid_UTF8_JSON_with_non_ASCII_provenance_unescaped()
    {
        var (_, bytes) = SaveRandom(7, "d4-d2", "3", InputMode.Analog, false);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));

        Assert.Contains("значение", header, StringComparison.Ordinal);
    }
}
