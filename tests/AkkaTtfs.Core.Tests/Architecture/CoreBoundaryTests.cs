using System.Xml.Linq;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Architecture;

/// <summary>Core holds every numeric decision and depends on the BCL only: no Akka, no TorchSharp.</summary>
public class CoreBoundaryTests
{
    private static readonly string[] Forbidden = ["Akka", "TorchSharp", "MessagePack", "Hyperion", "Newtonsoft"];

    [Fact]
    public void Core_assembly_references_only_the_base_class_library()
    {
        var references = typeof(TemporalKernel).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.NotEmpty(references);
        var offending = references.Where(n => Forbidden.Any(f => n.StartsWith(f, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(offending.Count == 0, $"AkkaTtfs.Core references {string.Join(", ", offending)}");
        Assert.All(references, n => Assert.True(
            n.StartsWith("System", StringComparison.Ordinal) || n is "mscorlib" or "netstandard",
            $"AkkaTtfs.Core references {n}, which is not part of the BCL"));
    }

    [Fact]
    public void Core_project_file_has_no_package_or_project_references()
    {
        var csproj = Path.Combine(RepoPaths.Root, "src", "AkkaTtfs.Core", "AkkaTtfs.Core.csproj");
        var doc = XDocument.Load(csproj);
        var refs = doc.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference")
            .Select(e => e.Attribute("Include")?.Value).ToList();
        Assert.True(refs.Count == 0, $"{csproj} references {string.Join(", ", refs)}");
    }
}
