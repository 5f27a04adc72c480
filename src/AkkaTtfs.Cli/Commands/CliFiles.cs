using AkkaTtfs.App;

namespace AkkaTtfs.Cli.Commands;

/// <summary>The cluster --config check as <see cref="ClusterCliOptions"/> calls it; the check itself is the application layer's.</summary>
internal static class CliFiles
{
    public static string? CheckClusterConfig(FileInfo? file) => Preflight.CheckClusterConfig(file?.FullName);
}
