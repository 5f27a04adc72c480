using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Core.Tests.Model;

/// <summary>
/// Each test writes a valid file, damages it in one specific way, and checks that loading throws a
/// <see cref="ModelFileException"/> whose message names the file and that problem. Edits meant to reach a
/// check that comes after the checksum re-sign the file with the test's own checksum implementation.
/// </summary>
public sealed class ModelFileCorruptionTests : IDisposable
{
    // c12k3 -> [12,4,4] -> p2 -> [12,2,2] -> d8 -> d4: layers.0 conv [12,1,3,3], layers.1 dense [8,48], layers.2 dense [4,8].
    private const string Architecture = "c12k3-p2-d8-d4";
    private readonly TempFolder _folder = new();
    private readonly string _path;

    public ModelFileCorruptionTests()
    {
        _path = _folder.File("model.safetensors");
        ModelFile.Save(RandomModels.Create(7, Architecture, "1,6,6", InputMode.Ttfs, meanStd: true), _path);
    }

    public void Dispose() => _folder.Dispose();

    private ModelFileException LoadFails(params string[] fragments)
    {
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(_path));
        Assert.Equal(_path, error.FileName);
        Assert.Contains($"'{_path}'", error.Message, StringComparison.Ordinal);
        foreach (var fragment in fragments)
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>Asserts that ReadInfo, which reads the header only, rejects the file the same way.</summary>
    private void InfoFails(params string[] fragments)
    {
        var error = Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(_path));
        Assert.Contains($"'{_path}'", error.Message, StringComparison.Ordinal);
        foreach (var fragment in fragments)
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    private void Edit(Action<SafetensorsTestFile> edit, bool resign = false)
    {
        var file = SafetensorsTestFile.Load(_path);
        edit(file);
        if (resign) file.Resign();
        file.Save(_path);
    }

    private void EditMetadata(string key, string? value, bool resign = false) => Edit(f =>
    {
        if (value is null) f.Metadata.Remove(key);
        else f.Metadata[key] = value;
    }, resign);

    private void EditJsonEntry(string key, Action<JsonNode> edit, bool resign = true) => Edit(f =>
    {
        var node = JsonNode.Parse(f.Metadata[key]!.GetValue<string>())!;
        edit(node);
        f.Metadata[key] = node.ToJsonString();
    }, resign);

    // --- the container ---

    [Fact]
    public void A_missing_file_is_named()
    {
        var absent = _folder.File("absent.safetensors");
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(absent));
        Assert.Contains($"'{absent}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(absent));
    }

    [Fact]
    public void A_file_in_a_missing_folder_is_named()
    {
        var absent = _folder.File(Path.Combine("no-such-folder", "model.safetensors"));
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(absent));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void A_file_shorter_than_the_length_field_is_rejected(int length)
    {
        File.WriteAllBytes(_path, new byte[length]);
        LoadFails($"holds {length} bytes", "8-byte header length");
    }

    [Fact]
    public void A_header_length_past_the_end_of_the_file_is_rejected()
    {
        var bytes = File.ReadAllBytes(_path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
        File.WriteAllBytes(_path, bytes);

        LoadFails($"header length field says {bytes.Length} bytes", $"only {bytes.Length - 8} bytes follow");
        InfoFails("only");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void An_absurd_header_length_is_rejected_before_anything_is_allocated(ulong length)
    {
        var bytes = File.ReadAllBytes(_path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        File.WriteAllBytes(_path, bytes);

        LoadFails($"says {length} bytes", "100000000-byte limit");
    }

    [Fact]
    public void A_truncated_file_is_rejected()
    {
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes[..^4]);

        LoadFails("layers.2.bias", "run past the end of the data section");
    }

    [Fact]
    public void A_file_cut_inside_the_header_is_rejected()
    {
        File.WriteAllBytes(_path, File.ReadAllBytes(_path)[..40]);
        LoadFails("only 32 bytes follow");
    }

    [Fact]
    public void A_header_that_is_not_JSON_is_rejected()
    {
        var data = SafetensorsTestFile.Load(_path).Data;
        var header = Encoding.UTF8.GetBytes("{\"__metadata__\": oops}  ");
        File.WriteAllBytes(_path, SafetensorsTestFile.Assemble((ulong)header.Length, header, data));

        LoadFails("header is not valid JSON");
        InfoFails("not valid JSON");
    }

    [Fact]
    public void A_header_that_is_a_JSON_array_is_rejected()
    {
        var header = Encoding.UTF8.GetBytes("[1,2,3] ");
        File.WriteAllBytes(_path, SafetensorsTestFile.Assemble((ulong)header.Length, header, []));

        LoadFails("JSON array", "JSON object");
    }

    [Fact]
    public void A_duplicated_header_key_is_rejected()
    {
        var file = SafetensorsTestFile.Load(_path);
        var text = Encoding.UTF8.GetString(file.HeaderBytes).TrimEnd();
        var duplicated = text[..^1] + ",\"layers.0.bias\":" + file.Header["layers.0.bias"]!.ToJsonString() + "}";
        var header = Encoding.UTF8.GetBytes(duplicated);
        File.WriteAllBytes(_path, SafetensorsTestFile.Assemble((ulong)header.Length, header, file.Data));

        LoadFails("'layers.0.bias' twice");
    }

    // --- what kind of file ---

    [Fact]
    public void A_plain_safetensors_file_without_metadata_is_not_a_model()
    {
        Edit(f => f.Header.Remove("__metadata__"));
        LoadFails("no __metadata__", "not an akkattfs-snn model file");
    }

    [Fact]
    public void A_safetensors_file_of_another_format_is_not_a_model()
    {
        EditMetadata("format", "pt");
        LoadFails("not an akkattfs-snn model file", "__metadata__.format is 'pt', expected 'akkattfs-snn'");
        InfoFails("'pt'");
    }

    [Theory]
    [InlineData("2", "written by a newer version", "expected 1, found 2")]
    [InlineData("0", "written by an older version", "expected 1, found 0")]
    [InlineData("one", "format_version is 'one'", "expected the integer 1")]
    public void Another_format_version_is_rejected(string version, string reason, string detail)
    {
        EditMetadata("format_version", version);
        LoadFails(reason, detail);
        InfoFails(reason);
    }

    [Fact]
    public void A_metadata_value_that_is_not_a_string_is_rejected()
    {
        Edit(f => f.Metadata["T"] = 32);
        LoadFails("__metadata__.T is a JSON number", "must be strings");
    }

    // --- checksum ---

    [Fact]
    public void A_flipped_data_byte_fails_the_checksum()
    {
        var file = SafetensorsTestFile.Load(_path);
        var written = file.Metadata["checksum"]!.GetValue<string>();
        file.Data[file.Data.Length / 2] ^= 0x10;
        file.Save(_path);

        LoadFails("checksum mismatch", $"the header says {written}");
    }

    [Fact]
    public void An_edited_tau_fails_the_checksum_even_when_decimal_and_bits_agree()
    {
        EditJsonEntry("kernels", k =>
        {
            k[0]!["tau"] = 12.5f;
            k[0]!["tau_bits"] = BitConverter.SingleToUInt32Bits(12.5f).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }, resign: false);

        LoadFails("checksum mismatch", "edited after it was written");
    }

    [Theory]
    [InlineData("T", "17")]
    [InlineData("provenance", "{\"dataset\":\"forged\"}")]
    [InlineData("added_by_hand", "anything")]
    public void Any_edited_or_added_metadata_entry_fails_the_checksum(string key, string value)
    {
        EditMetadata(key, value);
        LoadFails("checksum mismatch");
    }

    [Fact]
    public void Reordering_equal_sized_tensors_in_the_data_fails_the_checksum()
    {
        var path = _folder.File("twins.safetensors");
        // d4-d4: layers.0.bias [4] and layers.1.bias [4] have the same size, so their data can trade places.
        ModelFile.Save(RandomModels.Create(8, "d4-d4", "4"), path);
        var file = SafetensorsTestFile.Load(path);
        var first = file.Offsets("layers.0.bias");
        var second = file.Offsets("layers.1.bias");
        file.SetOffsets("layers.0.bias", second.Begin, second.End);
        file.SetOffsets("layers.1.bias", first.Begin, first.End);
        file.Save(path);

        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_checksum_is_rejected()
    {
        EditMetadata("checksum", null);
        LoadFails("no __metadata__.checksum entry");
    }

    [Fact]
    public void A_malformed_checksum_is_rejected()
    {
        EditMetadata("checksum", "md5:1234");
        LoadFails("checksum is 'md5:1234'", "64 hex digits");
    }

    // --- tensors against the architecture ---

    [Fact]
    public void A_missing_tensor_is_named()
    {
        Edit(f => f.Header.Remove("layers.2.weight"));
        LoadFails("layers.2.weight is missing", "[4,8]");
        InfoFails("layers.2.weight is missing");
    }

    [Fact]
    public void A_tensor_with_the_wrong_shape_is_named_with_both_shapes()
    {
        Edit(f => f.Header["layers.0.weight"]!["shape"] = new JsonArray(12, 1, 5, 5));
        LoadFails("layers.0.weight has shape [12,1,5,5], the architecture needs [12,1,3,3]");
    }

    [Fact]
    public void A_tensor_with_the_wrong_dtype_is_named()
    {
        Edit(f => f.Header["layers.1.bias"]!["dtype"] = "F16");
        LoadFails("layers.1.bias has dtype F16", "F32");
    }

    [Fact]
    public void A_tensor_the_architecture_does_not_have_is_named()
    {
        Edit(f => f.Header["layers.3.weight"] = new JsonObject
        {
            ["dtype"] = "F32",
            ["shape"] = new JsonArray(1),
            ["data_offsets"] = new JsonArray(0, 4),
        });
        LoadFails("tensor 'layers.3.weight' is not part of architecture 'c12k3-p2-d8-d4'");
    }

    [Fact]
    public void A_tensor_entry_without_data_offsets_is_named()
    {
        Edit(f => f.Header["layers.0.bias"]!.AsObject().Remove("data_offsets"));
        LoadFails("layers.0.bias: data_offsets is missing");
    }

    [Theory]
    [InlineData("[\"0\",\"48\"]")]
    [InlineData("[null,48]")]
    [InlineData("[432,true]")]
    [InlineData("[{},48]")]
    [InlineData("[432.5,480]")]
    public void Data_offsets_that_are_not_integers_are_named(string offsets)
    {
        Edit(f => f.Header["layers.0.bias"]!["data_offsets"] = JsonNode.Parse(offsets));
        LoadFails($"layers.0.bias: data_offsets is {offsets}", "expected [begin, end]");
        InfoFails("layers.0.bias: data_offsets");
    }

    // --- data layout ---

    [Fact]
    public void Overlapping_offsets_are_rejected()
    {
        Edit(f =>
        {
            var (begin, end) = f.Offsets("layers.0.bias");
            f.SetOffsets("layers.0.bias", begin - 4, end - 4);
        });

        LoadFails("layers.0.bias (bytes 428..476) overlaps layers.0.weight (bytes 0..432)");
    }

    [Fact]
    public void A_gap_between_tensors_is_rejected()
    {
        Edit(f =>
        {
            foreach (var (name, _) in f.TensorEntries.ToList())
            {
                if (name == "layers.0.weight") continue;
                var (begin, end) = f.Offsets(name);
                f.SetOffsets(name, begin + 4, end + 4);
            }

            f.Data = [.. f.Data, 0, 0, 0, 0];
        });

        LoadFails("4 unused bytes between layers.0.weight (ends at 432) and layers.0.bias (starts at 436)", "without gaps");
    }

    [Fact]
    public void Offsets_that_do_not_match_the_shape_are_rejected()
    {
        Edit(f =>
        {
            var (begin, end) = f.Offsets("layers.2.bias");
            f.SetOffsets("layers.2.bias", begin, end - 4);
        });

        LoadFails("layers.2.bias: data_offsets", "span 12 bytes, but shape [4] of F32 needs 16");
    }

    [Fact]
    public void Offsets_past_the_end_of_the_data_are_rejected()
    {
        Edit(f =>
        {
            var (begin, end) = f.Offsets("layers.2.bias");
            f.SetOffsets("layers.2.bias", begin + 8, end + 8);
        });

        LoadFails("layers.2.bias", "run past the end of the data section");
    }

    [Fact]
    public void Extra_bytes_after_the_last_tensor_are_rejected()
    {
        File.AppendAllText(_path, "12345678");
        LoadFails("8 bytes at the end belong to no tensor");
    }

    // --- architecture ---

    [Fact]
    public void An_architecture_that_does_not_parse_is_named()
    {
        EditMetadata("architecture", "c12k3-zz-d8-d4");
        LoadFails("architecture 'c12k3-zz-d8-d4' does not parse", "'zz'");
    }

    [Fact]
    public void An_architecture_that_does_not_fit_the_input_shape_is_named()
    {
        EditMetadata("input_shape", "1,2,2");
        LoadFails("architecture 'c12k3-p2-d8-d4' does not fit input_shape [1,2,2]", "kernel 3");
    }

    [Fact]
    public void An_input_shape_that_is_not_a_shape_is_named()
    {
        EditMetadata("input_shape", "1,x");
        LoadFails("input_shape is '1,x'", "C,H,W");
    }

    // --- settings (after the checksum: these edits re-sign the file) ---

    [Fact]
    public void A_kernel_count_that_does_not_match_the_spiking_layers_is_rejected()
    {
        EditJsonEntry("kernels", k => k.AsArray().RemoveAt(1));
        LoadFails("kernels lists 1 entries", "has 2 spiking layers");
        InfoFails("kernels lists 1 entries");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    [InlineData("thirty")]
    public void A_T_outside_the_window_range_is_rejected(string t)
    {
        EditMetadata("T", t, resign: true);
        LoadFails($"T is '{t}'", "expected an integer in [1, 256]");
    }

    [Fact]
    public void A_tau_decimal_that_disagrees_with_its_bits_is_rejected()
    {
        EditJsonEntry("kernels", k => k[1]!["tau"] = 3.25);
        LoadFails("kernels[1].tau is 3.25 but kernels[1].tau_bits", "must agree");
    }

    [Fact]
    public void A_non_positive_tau_is_rejected()
    {
        EditJsonEntry("kernels", k =>
        {
            k[0]!.AsObject().Remove("tau");
            k[0]!["tau_bits"] = "c0000000"; // -2
        });
        LoadFails("kernels[0]: tau must be a finite number > 0");
    }

    [Fact]
    public void A_NaN_in_the_kernel_bits_is_rejected()
    {
        EditJsonEntry("input_kernel", k =>
        {
            k.AsObject().Remove("td");
            k["td_bits"] = "7fc00000";
        });
        LoadFails("input_kernel.td_bits is 7fc00000", "finite");
    }

    [Fact]
    public void An_unknown_input_mode_is_rejected()
    {
        EditMetadata("input_mode", "rate", resign: true);
        LoadFails("input_mode is 'rate'", "'analog' or 'ttfs'");
    }

    [Fact]
    public void TTFS_input_without_an_input_kernel_is_rejected()
    {
        EditMetadata("input_kernel", null, resign: true);
        LoadFails("input_mode is 'ttfs' but the header has no input_kernel");
    }

    [Fact]
    public void A_normalisation_with_the_wrong_channel_count_is_rejected()
    {
        EditJsonEntry("normalisation", n =>
        {
            n["mean"] = new JsonArray(0.5f, 0.5f);
            n["mean_bits"] = new JsonArray("3f000000", "3f000000");
            n["std"] = new JsonArray(1f, 1f);
            n["std_bits"] = new JsonArray("3f800000", "3f800000");
        });
        LoadFails("2 channel means for data with 1 channels");
    }

    [Fact]
    public void A_settings_entry_that_is_not_JSON_is_named()
    {
        EditMetadata("provenance", "{dataset: mnist", resign: true);
        LoadFails("__metadata__.provenance is not valid JSON text");
    }

    [Fact]
    public void A_NaN_weight_is_rejected_with_the_file_named()
    {
        Edit(f =>
        {
            var (begin, _) = f.Offsets("layers.1.weight");
            BinaryPrimitives.WriteSingleLittleEndian(f.Data.AsSpan((int)begin + 8), float.NaN);
        }, resign: true);

        var error = LoadFails("layer 1 (d8)", "NaN");
        Assert.IsType<ArgumentException>(error.InnerException);
    }
}
