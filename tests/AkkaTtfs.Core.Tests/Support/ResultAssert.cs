using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Tests.Support;

/// <summary>Bit-for-bit comparison of two simulation results.</summary>
internal static class ResultAssert
{
    /// <summary>
    /// Bit-identical results AND the same fault counters: for two runs of the same plan (a fault-free run and a
    /// run of a plan whose faults cannot change anything are bit-identical but count differently).
    /// </summary>
    public static void SameFaultyRun(SimulationResult expected, SimulationResult actual, string context)
    {
        BitIdentical(expected, actual, context);
        Assert.True(expected.Faults == actual.Faults, $"{context}: fault counters {expected.Faults} vs {actual.Faults}");
    }

    public static void BitIdentical(SimulationResult expected, SimulationResult actual, string context)
    {
        Assert.Equal(expected.SampleCount, actual.SampleCount);
        Assert.Equal(expected.Predictions, actual.Predictions);
        for (var i = 0; i < expected.OutputPotentials.Length; i++)
        {
            var e = BitConverter.SingleToInt32Bits(expected.OutputPotentials[i]);
            var a = BitConverter.SingleToInt32Bits(actual.OutputPotentials[i]);
            Assert.True(e == a, $"{context}: output potential {i} differs: {expected.OutputPotentials[i]:R} vs {actual.OutputPotentials[i]:R}");
        }

        Assert.Equal(expected.SpikesPerStage, actual.SpikesPerStage);
        Assert.Equal(expected.SynOps, actual.SynOps);
        Assert.Equal(expected.AnalogInputEvents, actual.AnalogInputEvents);
        Assert.True(expected.SpikesDelivered == actual.SpikesDelivered, $"{context}: spikes delivered {expected.SpikesDelivered} vs {actual.SpikesDelivered}");
        if (expected.SpikeTimes is not null && actual.SpikeTimes is not null)
        {
            for (var d = 0; d < expected.SpikeTimes.Length; d++)
            {
                Assert.True(expected.SpikeTimes[d].AsSpan().SequenceEqual(actual.SpikeTimes[d]), $"{context}: spike times of stage {d} differ");
            }
        }
    }
}
