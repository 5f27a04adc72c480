using System.CommandLine;

namespace AkkaTtfs.Cli.Commands;

/// <summary>--placement of <c>run</c> and <c>simulate</c>'s cluster engine (checked, with a file's pins, by the service before any work).</summary>
internal static class PlacementOption
{
    public const string Help =
        "How partitions are put on the worker nodes: balanced (MAC balance, default), traffic (fewest predicted cross-node bytes within 20% of that balance), " +
        "round-robin (partition id modulo nodes), or a placement file FILE.json pinning partitions to node indices, addresses or tags (docs/sweep.md)";

    public static Option<string?> Create(string prefix = "") => new("--placement") { Description = prefix + Help };
}
