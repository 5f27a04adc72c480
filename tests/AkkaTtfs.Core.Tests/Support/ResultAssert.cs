using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Support;

/// <summary>Bit-for-bit comparison of two simulation results, through the one comparison (<see cref="SimulationResult.Compare"/>).</summary>
internal static class ResultAssert
{
    /// <summary>
    /// Bit-identical results AND the same fault counters: for two runs of the same plan (a fault-free run and a
    /// run of a plan whose faults cannot change anything are bit-identical but count differently).
    /// </summary>
    public static void SameFaultyRun(SimulationResult expected, SimulationResult actual, string context) =>
        Same(expected, actual, ResultFields.All, context);

    /// <summary>Bit-identical results: every field but the fault counters (<see cref="ResultFields.Computation"/>).</summary>
    public static void BitIdentical(SimulationResult expected, SimulationResult actual, string context) =>
        Same(expected, actual, ResultFields.Computation, context);

    private static void Same(SimulationResult expected, SimulationResult actual, ResultFields fields, string context)
    {
        var comparison = expected.Compare(actual, fields);
        Assert.True(comparison.IsIdentical, $"{context}: {comparison}");
        // Both sides are engines that fill every field; a field neither recorded would be a check that did not happen.
        Assert.True(comparison.NotRecorded == ResultFields.None || comparison.NotRecorded == ResultFields.SpikeTimes,
            $"{context}: not compared: {comparison.NotRecorded}");
    }
}
