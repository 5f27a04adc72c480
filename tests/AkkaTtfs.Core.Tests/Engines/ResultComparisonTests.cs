using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>
/// The one comparison of results is itself tested: a clone compares identical, and one perturbed value in any
/// field is reported as a difference of exactly that field, at the right index, with both values.
/// </summary>
public class ResultComparisonTests
{
    /// <summary>A real result with every field non-trivial: analog input (first-layer MACs), spikes recorded, faults that act.</summary>
    private static SimulationResult Real()
    {
        var random = RandomNetworks.Create(1, InputMode.Analog, 5, 12);
        var faults = new FaultPlan(4, [new FaultSpec(FaultKind.Drop, 0, 0.2), new FaultSpec(FaultKind.BitFlip, 1, 0.05)]);
        var result = new EventDrivenSimulator().Run(random.Model, random.Inputs, random.Count, new SimulationOptions(5, RecordSpikes: true, Faults: faults));
        Assert.True(result.TotalSpikes > 0 && result.SynOps > 0 && result.AnalogInputEvents > 0 && result.FirstLayerMacs > 0 && result.SpikesDelivered > 0);
        Assert.True(result.Faults.SpikesDropped > 0 && result.Faults.WeightsFlipped > 0, $"the faults should act: {result.Faults}");
        return result;
    }

    /// <summary>A deep copy, with one part changed by <paramref name="change"/>.</summary>
    private static SimulationResult Copy(SimulationResult r, Action<Parts>? change = null)
    {
        var parts = new Parts
        {
            Predictions = (int[])r.Predictions.Clone(),
            Potentials = (float[])r.OutputPotentials.Clone(),
            SpikesPerStage = (long[])r.SpikesPerStage.Clone(),
            SpikeTimes = r.SpikeTimes?.Select(t => (int[])t.Clone()).ToArray(),
            SynOps = r.SynOps, AnalogInputEvents = r.AnalogInputEvents, FirstLayerMacs = r.FirstLayerMacs,
            SpikesDelivered = r.SpikesDelivered, Faults = r.Faults, Window = r.Window, Recorded = r.Recorded,
        };
        change?.Invoke(parts);
        return new SimulationResult(r.SampleCount, r.ClassCount, parts.Predictions, parts.Potentials, parts.SpikesPerStage, parts.SynOps,
            parts.AnalogInputEvents, parts.FirstLayerMacs, parts.SpikeTimes, parts.Window, parts.SpikesDelivered, parts.Faults, parts.Recorded);
    }

    private sealed class Parts
    {
        public required int[] Predictions;
        public required float[] Potentials;
        public required long[] SpikesPerStage;
        public int[][]? SpikeTimes;
        public long SynOps;
        public long AnalogInputEvents;
        public long FirstLayerMacs;
        public long SpikesDelivered;
        public FaultCounters Faults;
        public int Window;
        public ResultFields Recorded;
    }

    [Fact]
    public void A_clone_is_identical_in_every_field()
    {
        var real = Real();
        var comparison = real.Compare(Copy(real));
        Assert.True(comparison.IsIdentical, comparison.ToString());
        Assert.Equal(ResultFields.All, comparison.Compared);
        Assert.Equal(ResultFields.None, comparison.NotRecorded);
        Assert.StartsWith("identical (shape, predictions, output_potentials, spike_times,", comparison.ToString(), StringComparison.Ordinal);
        Assert.True(real.Compare(real).IsIdentical);
    }

    public static TheoryData<string> Perturbations => new(PerturbationsByName.Keys);

    private static readonly Dictionary<string, (ResultFields Field, int? Stage, long Index, Action<Parts> Change)> PerturbationsByName = new()
    {
        ["shape"] = (ResultFields.Shape, null, -1, p => p.Window++),
        ["predictions"] = (ResultFields.Predictions, null, 7, p => p.Predictions[7] = (p.Predictions[7] + 1) % 3),
        ["output potential, one ulp"] = (ResultFields.OutputPotentials, null, 13, p => p.Potentials[13] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p.Potentials[13]) ^ 1)),
        ["output potential, -0 for +0"] = (ResultFields.OutputPotentials, null, 2, p => p.Potentials[2] = p.Potentials[2] == 0 && !float.IsNegative(p.Potentials[2]) ? -0f : 0f),
        ["output potential, NaN"] = (ResultFields.OutputPotentials, null, 0, p => p.Potentials[0] = float.NaN),
        ["spike time"] = (ResultFields.SpikeTimes, 1, 40, p => p.SpikeTimes![1][40] = p.SpikeTimes[1][40] + 1),
        ["spike times recorded on one side"] = (ResultFields.SpikeTimes, null, -1, p => p.SpikeTimes = null),
        ["spikes per stage"] = (ResultFields.SpikesPerStage, null, 1, p => p.SpikesPerStage[1]--),
        ["syn ops"] = (ResultFields.SynOps, null, -1, p => p.SynOps++),
        ["analog input events"] = (ResultFields.AnalogInputEvents, null, -1, p => p.AnalogInputEvents--),
        ["first layer macs"] = (ResultFields.FirstLayerMacs, null, -1, p => p.FirstLayerMacs++),
        ["spikes delivered"] = (ResultFields.SpikesDelivered, null, -1, p => p.SpikesDelivered++),
        ["fault counter"] = (ResultFields.Faults, null, 6, p => p.Faults = p.Faults with { NeuronsDrifted = p.Faults.NeuronsDrifted + 1 }),
        ["last fault counter"] = (ResultFields.Faults, null, 9, p => p.Faults = p.Faults with { SpikesDuplicated = 3 }),
    };

    [Theory]
    [MemberData(nameof(Perturbations))]
    public void One_perturbed_value_is_reported_as_a_difference_of_exactly_its_field(string name)
    {
        var (field, stage, index, change) = PerturbationsByName[name];
        var real = Real();
        var perturbed = Copy(real, change);
        var comparison = real.Compare(perturbed);
        Assert.False(comparison.IsIdentical, name);
        var difference = Assert.Single(comparison.Differences);
        Assert.Equal(field, difference.Field);
        Assert.Equal(stage, difference.Stage);
        Assert.Equal(index, difference.Index);
        Assert.Equal(1, difference.Count);
        Assert.NotEqual(difference.This, difference.Other);
        Assert.Contains(ResultComparison.Name(field), comparison.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', comparison.ToString());

        // The other way round: the same field, the values swapped.
        var back = Assert.Single(perturbed.Compare(real).Differences);
        Assert.Equal((difference.Field, difference.Index, difference.This, difference.Other), (back.Field, back.Index, back.Other, back.This));

        // Asked to ignore the field, the comparison sees nothing.
        Assert.True(real.Compare(perturbed, ResultFields.All & ~field).IsIdentical, name);
    }

    [Fact]
    public void Potentials_compare_as_bits_so_the_same_NaN_is_equal_and_values_show_their_bits()
    {
        var real = Real();
        var nan = Copy(real, p => p.Potentials[3] = float.NaN);
        Assert.True(nan.Compare(Copy(nan)).IsIdentical);
        var otherNaN = Copy(real, p => p.Potentials[3] = BitConverter.Int32BitsToSingle(0x7FC00001));
        var difference = Assert.Single(nan.Compare(otherNaN).Differences);
        Assert.Equal("NaN (0xFFC00000)", difference.This);
        Assert.Equal("NaN (0x7FC00001)", difference.Other);
    }

    [Fact]
    public void Counts_and_first_index_cover_every_differing_value_and_several_fields_are_listed_in_order()
    {
        var real = Real();
        var perturbed = Copy(real, p =>
        {
            p.SpikeTimes![0][5] = 99;
            p.SpikeTimes[1][3] = 99;
            p.SpikeTimes[1][4] = 98;
            p.SynOps++;
            p.Predictions[0] = p.Predictions[0] + 1;
        });
        var comparison = real.Compare(perturbed);
        Assert.Equal(new[] { ResultFields.Predictions, ResultFields.SpikeTimes, ResultFields.SynOps }, comparison.Differences.Select(d => d.Field));
        var times = comparison.Of(ResultFields.SpikeTimes)!;
        Assert.Equal((0, 5L, 3L), (times.Stage!.Value, times.Index, times.Count));
        Assert.Equal("99", times.Other);
        Assert.StartsWith("3 fields differ: predictions[0]", comparison.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Fault_counters_are_compared_only_when_asked_and_spike_times_only_when_both_recorded()
    {
        var real = Real();
        var otherPlan = Copy(real, p => p.Faults = default);
        Assert.True(real.Compare(otherPlan, ResultFields.Computation).IsIdentical);
        Assert.Equal(ResultFields.Faults, real.Compare(otherPlan).DifferingFields);

        var unrecorded = Copy(real, p => p.SpikeTimes = null);
        var neither = unrecorded.Compare(Copy(unrecorded));
        Assert.True(neither.IsIdentical);
        Assert.Equal(ResultFields.SpikeTimes, neither.NotRecorded);
        Assert.Contains("not recorded by either: spike_times", neither.ToString(), StringComparison.Ordinal);
        var one = Assert.Single(real.Compare(unrecorded).Differences);
        Assert.Equal((DifferenceKind.RecordedOnOneSide, "recorded", "not recorded"), (one.Kind, one.This, one.Other));
    }

    [Fact]
    public void The_clock_driven_oracle_says_which_fields_it_did_not_record()
    {
        var random = RandomNetworks.Create(0, InputMode.Analog, 3, 6);
        var options = new SimulationOptions(RecordSpikes: true);
        ISimulationEngine oracle = new ClockDrivenSimulator();
        var fromOracle = oracle.Run(random.Model, random.Inputs, random.Count, options);
        var direct = ClockDrivenSimulator.Simulate(random.Model, random.Inputs, random.Count);
        Assert.Equal(direct.Predictions, fromOracle.Predictions);
        Assert.Equal(direct.SpikesPerStage, fromOracle.SpikesPerStage);
        Assert.Equal(direct.OutputPotentials.Select(u => (float)u), fromOracle.OutputPotentials);
        Assert.Equal(direct.SpikeTimes, fromOracle.SpikeTimes!);

        var reference = new EventDrivenSimulator().Run(random.Model, random.Inputs, random.Count, options);
        var comparison = reference.Compare(fromOracle);
        var unrecorded = ResultFields.SynOps | ResultFields.AnalogInputEvents | ResultFields.SpikesDelivered | ResultFields.Faults;
        Assert.Equal(unrecorded, comparison.Differences.Where(d => d.Kind == DifferenceKind.RecordedOnOneSide).Aggregate(ResultFields.None, (all, d) => all | d.Field));
        Assert.True(fromOracle.Compare(oracle.Run(random.Model, random.Inputs, random.Count, options)).IsIdentical);
        Assert.Equal(unrecorded, fromOracle.Compare(oracle.Run(random.Model, random.Inputs, random.Count, options)).NotRecorded);

        var ex = Assert.Throws<ArgumentException>(() => oracle.Run(random.Model, random.Inputs, random.Count, options with { Faults = new FaultPlan(1, []) }));
        Assert.Contains("injects no faults", ex.Message, StringComparison.Ordinal);
    }
}
