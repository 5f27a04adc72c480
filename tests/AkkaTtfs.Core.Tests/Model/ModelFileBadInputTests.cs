using System.Text;
using System.Text.Json.Nodes;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Tests.IO;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>
/// Issue 14 on the model file: headers with text that is not Unicode, normalisations that overflow, special
/// files as the model path. Every failure is a <see cref="ModelFileException"/> or an
/// <see cref="OutputFileException"/> naming the file and what is wrong; none blocks, crashes or replaces a device.
/// </summary>
public sealed class ModelFileBadInputTests : IDisposable
{
    private const string Marker = "MARKER";
    private readonly TempFolder _folder = new();
    private readonly SnnModel _model = RandomModels.Create(7, "c12k3-p2-d8-d4", "1,6,6", InputMode.Ttfs, meanStd: true);
    private readonly string _path;

    public ModelFileBadInputTests()
    {
        _path = _folder.File("model.safetensors");
        ModelFile.Save(_model, _path);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Both readers refuse the file with a ModelFileException whose message holds every fragment.</summary>
    private void BothReadersFail(params string[] fragments)
    {
        foreach (var read in new Action[] { () => ModelFile.Load(_path), () => ModelFile.ReadInfo(_path) })
        {
            var error = Assert.Throws<ModelFileException>(read);
            Assert.Equal(_path, error.FileName);
            foreach (var fragment in fragments)
                Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Applies <paramref name="edit"/> to the header (which must put <see cref="Marker"/> somewhere), then swaps
    /// the marker's bytes for <paramref name="bytes"/> in the serialised header: bytes no JSON writer would emit.
    /// </summary>
    private void WriteWithBytesAtMarker(Action<SafetensorsTestFile> edit, byte[] bytes)
    {
        var file = SafetensorsTestFile.Load(_path);
        edit(file);
        var text = Encoding.UTF8.GetBytes(file.Header.ToJsonString());
        var at = text.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker));
        Assert.True(at >= 0, "the edit must put the marker into the header");
        byte[] header = [.. text[..at], .. bytes, .. text[(at + Marker.Length)..]];
        var padded = new byte[(header.Length + 7) / 8 * 8];
        Array.Fill(padded, (byte)' ');
        header.CopyTo(padded, 0);
        File.WriteAllBytes(_path, SafetensorsTestFile.Assemble((ulong)padded.Length, padded, file.Data));
    }

    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28, 0xFF];
    private static readonly byte[] LoneSurrogateEscape = Encoding.ASCII.GetBytes("\\ud800");

    public static TheoryData<string, bool> TextCases() => new()
    {
        { "metadata value", true }, { "metadata value", false },
        { "metadata key", true }, { "metadata key", false },
        { "tensor name", true }, { "tensor name", false },
        { "dtype", true }, { "dtype", false },
    };

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Text_that_is_not_Unicode_in_the_header_names_the_field(string where, bool invalidUtf8)
    {
        Action<SafetensorsTestFile> edit = where switch
        {
            "metadata value" => f => f.Metadata["architecture"] = Marker,
            "metadata key" => f => f.Metadata[Marker] = "x",
            "tensor name" => f => f.Header[Marker] = f.Header["layers.0.bias"]!.DeepClone(),
            _ => f => f.Header["layers.1.weight"]!["dtype"] = Marker,
        };
        WriteWithBytesAtMarker(edit, invalidUtf8 ? InvalidUtf8 : LoneSurrogateEscape);

        var field = where switch
        {
            "metadata value" => "__metadata__.architecture is not valid Unicode text",
            "metadata key" => "of __metadata__ is not valid Unicode text",
            "tensor name" => "the name of header entry",
            _ => "layers.1.weight: dtype is not valid Unicode text",
        };
        BothReadersFail(field, "JSON strings must be UTF-8 and may not hold a lone surrogate");
    }

    [Theory]
    [InlineData("{\"note\":\"\\ud800\"}", "__metadata__.provenance.note is not valid Unicode text")]
    [InlineData("{\"\\udc00 key\":\"x\"}", "key 0 of __metadata__.provenance is not valid Unicode text")]
    public void A_lone_surrogate_inside_a_JSON_settings_entry_names_the_field(string provenance, string field)
    {
        // Valid UTF-16 in the outer header (backslash-u text), a lone surrogate once the entry's own JSON is read;
        // re-signed so that Load gets past the checksum to the settings.
        var file = SafetensorsTestFile.Load(_path);
        file.Metadata["provenance"] = provenance;
        file.Resign();
        file.Save(_path);

        BothReadersFail(field);
    }

    [Fact]
    public void A_lone_surrogate_in_a_bits_field_names_the_field()
    {
        var file = SafetensorsTestFile.Load(_path);
        var kernels = file.Metadata["kernels"]!.GetValue<string>();
        var bits = System.Text.RegularExpressions.Regex.Match(kernels, "\"tau_bits\":\"[0-9a-f]{8}\"").Value;
        Assert.NotEmpty(bits);
        file.Metadata["kernels"] = kernels.Replace(bits, "\"tau_bits\":\"\\ud800\"", StringComparison.Ordinal);   // the first kernel's
        file.Resign();
        file.Save(_path);

        BothReadersFail("kernels[0].tau_bits is not valid Unicode text");
    }

    [Theory]
    [InlineData("scale", 3.4e38f, "input normalisation: scale is 3.4E+38", "= Infinity")]
    [InlineData("std", 1e-45f, "input normalisation: std[0] is 1E-45", "/ std[0] = ")]
    public void A_normalisation_that_makes_inputs_infinite_is_refused_at_load_naming_field_and_value(string field, float value, string named, string overflow)
    {
        var file = SafetensorsTestFile.Load(_path);
        var normalisation = JsonNode.Parse(file.Metadata["normalisation"]!.GetValue<string>())!;
        var bits = BitConverter.SingleToUInt32Bits(value).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        if (field == "scale")
        {
            normalisation["scale"] = value;
            normalisation["scale_bits"] = bits;
        }
        else
        {
            normalisation["std"] = new JsonArray(value);
            normalisation["std_bits"] = new JsonArray(bits);
        }

        file.Metadata["normalisation"] = normalisation.ToJsonString();
        file.Resign();   // a valid checksum: the value itself is what must be refused
        file.Save(_path);

        BothReadersFail(named, overflow, "every normalised input must be a finite number");
    }

    [Fact]
    public void A_model_with_such_a_normalisation_cannot_be_built_so_none_is_written()
    {
        var error = Assert.Throws<ArgumentException>(() => new SnnModel(
            _model.Network, _model.T, _model.Layers, new InputNormalisation(1f, [0.5f], [1e-45f]), _model.InputMode, _model.InputKernel));

        Assert.Contains("std[0] is 1E-45", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_to_dev_null_writes_through_and_leaves_the_device()
    {
        ModelFile.Save(_model, "/dev/null");

        Assert.Equal("character special file", SpecialFiles.KindByStat("/dev/null"));
    }

    [Fact]
    public void Saving_to_a_FIFO_streams_the_model_to_its_reader()
    {
        var fifo = SpecialFiles.MakeFifo(_folder.File("pipe"));

        var bytes = SpecialFiles.ReadWhile(fifo, () => ModelFile.Save(_model, fifo));

        ModelAssert.BitIdentical(_model, ModelFile.Read(new MemoryStream(bytes), "pipe"));
        Assert.Equal("fifo", SpecialFiles.KindByStat(fifo));
    }

    [Fact]
    public void Saving_to_a_socket_is_refused()
    {
        var path = _folder.File("socket");
        using var socket = SpecialFiles.BindSocket(path);

        var error = Assert.Throws<OutputFileException>(() => ModelFile.Save(_model, path));

        Assert.Equal($"cannot write {path}: it is a socket, which cannot be written as a file", error.Message);
    }

    [Fact]
    public void Loading_a_FIFO_is_refused_without_waiting_for_a_writer()
    {
        var fifo = SpecialFiles.MakeFifo(_folder.File("pipe.safetensors"));

        var load = SpecialFiles.ThrowsWithoutBlocking<ModelFileException>(fifo, () => ModelFile.Load(fifo));
        var info = SpecialFiles.ThrowsWithoutBlocking<ModelFileException>(fifo, () => ModelFile.ReadInfo(fifo));

        Assert.Equal($"model file '{fifo}': is a FIFO (named pipe), not a regular file; reading it would wait for a writer, perhaps forever", load.Message);
        Assert.Equal(load.Message, info.Message);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void Loading_an_endless_device_is_refused_before_reading(string device)
    {
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(device));

        Assert.StartsWith($"model file '{device}': is a character device, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_folder_is_refused()
    {
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(_folder.Path));

        Assert.Equal($"model file '{_folder.Path}': is a folder, not a file", error.Message);
    }
}
