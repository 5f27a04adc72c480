namespace AkkaTtfs.Core.Tests;

/// <summary>Locates the repository and the test data copied next to the test assembly.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static string BundledMnist => Path.Combine(Root, "samples", "data", "mnist-10k");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AkkaTtfs.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no AkkaTtfs.sln above {AppContext.BaseDirectory}");
    }
}
