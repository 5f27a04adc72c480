using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// The partition plans of this process, one instance per (architecture, input shape, spec). Every partition of a
/// run derives the same plan from its deploy message, and a large plan is costly: vgg16 cut 16 ways (241 partitions)
/// takes about 0.3 s of CPU and tens of MB of routing tables to build, so building it once per partition made
/// deployment quadratic in the partition count (68 s of CPU per process for that plan) and its memory too.
/// A plan is pure data (read-only after construction), so partitions may share it across threads.
/// Held weakly: a plan lives while some processor uses it, and a long-lived node does not accumulate old runs' plans.
/// </summary>
public static class SharedPlans
{
    private static readonly Dictionary<string, WeakReference<PartitionPlan>> Plans = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>
    /// The plan of <paramref name="spec"/> on the network <paramref name="architecture"/> over <paramref name="inputShape"/>:
    /// the instance this process already holds, or a new one (built under a lock, so partitions deploying at once build it once).
    /// Invalid input throws as <see cref="ArchitectureParser"/> and <see cref="PartitionPlanner"/> do, and nothing is kept.
    /// </summary>
    public static PartitionPlan Get(string architecture, int[] inputShape, string spec)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(spec);
        // '\n' cannot occur in any of the three, so the key is unambiguous.
        var key = string.Join('\n', architecture, string.Join(',', inputShape), spec);
        lock (Gate)
        {
            if (Plans.TryGetValue(key, out var held) && held.TryGetTarget(out var plan)) return plan;
            plan = PartitionPlanner.Plan(ArchitectureParser.Build(architecture, TensorShape.FromDims(inputShape)), spec);
            foreach (var gone in Plans.Where(p => !p.Value.TryGetTarget(out _)).Select(p => p.Key).ToArray()) Plans.Remove(gone);
            Plans[key] = new WeakReference<PartitionPlan>(plan);
            return plan;
        }
    }
}
