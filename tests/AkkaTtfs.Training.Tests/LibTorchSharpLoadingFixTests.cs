using System.Buffers.Binary;
using System.Text;

namespace AkkaTtfs.Training.Tests;

/// <summary>
/// The build step of Directory.Build.targets: on a system whose libstdc++ lacks GLIBCXX_3.4.32 (Debian 12), the
/// output copy of libLibTorchSharp.so has that version requirement marked weak, and the NuGet cache copy is untouched.
/// The ELF walk here is written independently of the MSBuild task's.
/// </summary>
public class LibTorchSharpLoadingFixTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static readonly string OutputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void The_output_copy_is_weak_exactly_when_the_system_lacks_the_version()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(OutputCopy)) return;
        var flags = VernauxFlags(File.ReadAllBytes(OutputCopy), Version);
        Assert.NotNull(flags);
        var systemHasIt = SystemLibstdcxxHas(Version);
        Assert.Equal(!systemHasIt, (flags!.Value & 0x2) != 0);
    }

    [Fact]
    public void The_package_cache_copy_is_never_patched()
    {
        if (!OperatingSystem.IsLinux()) return;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(cached)) return;
        var flags = VernauxFlags(File.ReadAllBytes(cached), Version);
        Assert.NotNull(flags);
        Assert.Equal(0, flags!.Value & 0x2);
    }

    private static bool SystemLibstdcxxHas(string version)
    {
        var library = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        return library is null || File.ReadAllBytes(library).AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }

    /// <summary>vna_flags of the Vernaux entry named <paramref name="name"/>, or null if there is none.</summary>
    private static ushort? VernauxFlags(byte[] elf, string name)
    {
        var span = elf.AsSpan();
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        for (var i = 0; i < shnum; i++)
        {
            var header = span[(shoff + (i * shentsize))..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != 0x6ffffffe) continue;
            var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
            var strings = span[(shoff + ((int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]) * shentsize))..];
            var stringsOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(strings[24..]);
            var need = offset;
            for (var n = 0; n < count; n++)
            {
                var aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 8)..]);
                for (var a = 0; a < BinaryPrimitives.ReadUInt16LittleEndian(span[(need + 2)..]); a++)
                {
                    var nameAt = stringsOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]);
                    var end = span[nameAt..].IndexOf((byte)0);
                    if (Encoding.ASCII.GetString(span.Slice(nameAt, end)) == name)
                        return BinaryPrimitives.ReadUInt16LittleEndian(span[(aux + 4)..]);
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
                }

                need += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 12)..]);
            }
        }

        return null;
    }
}
