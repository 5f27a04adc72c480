using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Model;

/// <summary>One tensor entry of a model file's header.</summary>
/// <param name="Name">Tensor name, e.g. <c>layers.0.weight</c>.</param>
/// <param name="DType">safetensors dtype; always <c>F32</c> in a valid model file.</param>
/// <param name="Shape">Dimensions, e.g. [12,1,5,5] for a conv weight.</param>
/// <param name="DataBegin">First byte, relative to the start of the data section.</param>
/// <param name="DataEnd">One past the last byte, relative to the start of the data section.</param>
public sealed record ModelTensorInfo(string Name, string DType, IReadOnlyList<int> Shape, long DataBegin, long DataEnd)
{
    /// <summary>Bytes the tensor occupies in the data section.</summary>
    public long ByteCount => DataEnd - DataBegin;

    public override string ToString() => $"{Name} {DType} [{string.Join(",", Shape)}] bytes {DataBegin}..{DataEnd}";
}

/// <summary>
/// What the header of a model file says, read without the tensor data (see <see cref="ModelFile.ReadInfo"/>):
/// the header has been validated against the architecture and the file length, the checksum has not.
/// </summary>
/// <param name="Source">The path the header was read from.</param>
/// <param name="FormatVersion">The header's <c>format_version</c>.</param>
/// <param name="Architecture">Architecture string, e.g. c12k5-p2-c64k5-p2-d10.</param>
/// <param name="InputShape">Shape of one input sample.</param>
/// <param name="T">Window length in steps.</param>
/// <param name="InputMode">Analog or TTFS-coded input.</param>
/// <param name="Checksum">The header's <c>checksum</c> entry, <c>sha256:&lt;hex&gt;</c> (not verified here).</param>
/// <param name="Provenance">The model's provenance (<see cref="SnnModel.Metadata"/>).</param>
/// <param name="Tensors">Tensor entries in data order.</param>
/// <param name="HeaderMetadata">Every raw <c>__metadata__</c> entry, as written.</param>
/// <param name="HeaderLength">Bytes of the JSON header (including its padding).</param>
/// <param name="DataLength">Bytes of the data section.</param>
public sealed record ModelFileInfo(
    string Source,
    int FormatVersion,
    string Architecture,
    TensorShape InputShape,
    int T,
    InputMode InputMode,
    string Checksum,
    IReadOnlyDictionary<string, string> Provenance,
    IReadOnlyList<ModelTensorInfo> Tensors,
    IReadOnlyDictionary<string, string> HeaderMetadata,
    long HeaderLength,
    long DataLength);
