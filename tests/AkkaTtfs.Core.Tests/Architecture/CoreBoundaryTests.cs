using System.Reflection;
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

    [Fact]
    public void Engines_do_not_depend_on_faults()
    {
        // The kernel sees faults only through hooks Core/Engines owns (IFaultInjection, IStageFaultHook); Core/Faults
        // implements them. Checked in the source (usings, qualified names) and in the compiled signatures.
        var folder = Path.Combine(RepoPaths.Root, "src", "AkkaTtfs.Core", "Engines");
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var naming = files.Where(f => File.ReadAllText(f).Contains("AkkaTtfs.Core.Faults", StringComparison.Ordinal)).ToList();
        Assert.True(naming.Count == 0, $"Core/Engines names Core/Faults in {string.Join(", ", naming.Select(Path.GetFileName))}");

        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var engines = typeof(TemporalKernel).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("AkkaTtfs.Core.Engines", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(engines);
        var used = engines.SelectMany(t => t.GetFields(all).Select(f => f.FieldType)
                .Concat(t.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(t.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)))
                .Concat(t.GetInterfaces()).Append(t.BaseType ?? typeof(object))
                .Select(u => (Type: t, Uses: u.HasElementType ? u.GetElementType()! : u)))
            .Where(x => x.Uses.Namespace == "AkkaTtfs.Core.Faults")
            .Select(x => $"{x.Type.Name} uses {x.Uses.Name}").Distinct().ToList();
        Assert.True(used.Count == 0, string.Join("; ", used));
    }
}
