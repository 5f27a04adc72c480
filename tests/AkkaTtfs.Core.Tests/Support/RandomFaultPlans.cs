using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Support;

/// <summary>Random fault plans that fit a network: shared by the Core engines' tests and the actor runtime's.</summary>
internal static class RandomFaultPlans
{
    /// <summary>One to five entries of random kinds, layers, rates, steps, factors and schedules (within <paramref name="count"/> samples).</summary>
    public static FaultPlan Create(Random rng, NetworkSpec network, int count)
    {
        var kinds = Enum.GetValues<FaultKind>();
        var entries = new List<FaultSpec>();
        for (var e = rng.Next(1, 6); e > 0; e--)
        {
            var kind = kinds[rng.Next(kinds.Length)];
            var level = FaultKinds.LevelOf(kind);
            var layer = rng.Next(level == FaultLevel.Weight ? network.Stages.Count : network.SpikingLayerCount);
            var rate = rng.Next(4) switch { 0 => 1.0, 1 => rng.NextDouble() * 0.1, _ => rng.NextDouble() * 0.6 };
            var steps = FaultKinds.TakesSteps(kind) ? rng.Next(0, 6) : 0;
            var factor = FaultKinds.TakesFactor(kind) ? 0.3 + (rng.NextDouble() * 3) : 1.0;
            var from = 0;
            int? to = null;
            if (level != FaultLevel.Weight && rng.Next(3) == 0)
            {
                from = rng.Next(count);
                to = rng.Next(2) == 0 ? null : from + rng.Next(count);
            }

            entries.Add(new FaultSpec(kind, layer, rate, steps, factor, from, to));
        }

        // The whole ulong range, so seeds above 2^63 travel through JSON too.
        return new FaultPlan(((ulong)rng.NextInt64() << 1) ^ (ulong)rng.Next(2), entries);
    }
}
