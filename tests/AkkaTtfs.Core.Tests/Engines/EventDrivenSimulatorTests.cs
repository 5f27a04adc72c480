using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Core.Tests.Golden;
using AkkaTtfs.Core.Tests.Support;
using AkkaTtfs.Core.Ttfs;
using Xunit.Abstractions;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>
/// The event-driven reference (float32, closed-form firing) against independent oracles: the golden
/// vectors (float64, checked against Brian2), the quantised DNN and the clock-driven simulator (both
/// double). Spike times must be equal except where a value lies within float rounding of a boundary;
/// such neurons are counted and bounded, never hidden.
/// </summary>
public class EventDrivenSimulatorTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(GoldenCases.Names), MemberType = typeof(GoldenCases))]
    public void Reproduces_every_golden_spike_time_potential_and_prediction(string name)
    {
        var golden = GoldenCases.Get(name);
        foreach (var batch in new[] { 1, 3, 64 })
        {
            var result = new EventDrivenSimulator().Run(golden.Model, golden.Inputs, golden.Count, new SimulationOptions(batch, RecordSpikes: true));
            for (var s = 0; s < golden.Count; s++)
            {
                var expected = golden.Expected[s];
                Assert.Equal(expected.Prediction, result.Predictions[s]);
                for (var c = 0; c < result.ClassCount; c++)
                    Assert.Equal(expected.OutputPotentials[c], result.PotentialsOf(s)[c], 1e-4);
                foreach (var layer in expected.Hidden)
                {
                    var size = golden.Model.Network.Stages[layer.Stage].ConvShape.Size;
                    var times = result.SpikeTimes![layer.Stage].AsSpan(s * size, size);
                    for (var n = 0; n < size; n++)
                    {
                        if (layer.NearBoundary.Contains(n)) continue;
                        Assert.True(layer.SpikeTimes[n] == times[n], $"{name} sample {s} stage {layer.Stage} neuron {n}: golden {layer.SpikeTimes[n]}, simulated {times[n]}");
                    }
                }
            }

            var goldenSpikes = golden.Expected.Sum(e => e.Hidden.Sum(h => h.Spikes));
            var nearCount = golden.Expected.Sum(e => e.Hidden.Sum(h => h.NearBoundary.Count));
            Assert.InRange(result.TotalSpikes, goldenSpikes - nearCount, goldenSpikes + nearCount);
        }
    }

    public static TheoryData<int, InputMode> RandomCases => RandomNetworks.TopologiesAndInputModes;

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Spike_times_equal_the_quantised_dnn_and_the_clock_driven_simulation(int topology, InputMode inputMode)
    {
        long neurons = 0, spikes = 0, boundaryCases = 0, downstream = 0, predictionsCompared = 0, predictionDisagreements = 0;
        for (var seed = 0; seed < 4; seed++)
        {
            var random = RandomNetworks.Create(topology, inputMode, 7000 + (31 * topology) + seed + (inputMode == InputMode.Ttfs ? 500 : 0), 8);
            var model = random.Model;
            var snn = new EventDrivenSimulator().Run(model, random.Inputs, random.Count, new SimulationOptions(3, RecordSpikes: true));
            foreach (var oracle in new[] { QuantisedDnn.Forward(model, random.Inputs, random.Count), ClockDrivenSimulator.Simulate(model, random.Inputs, random.Count) })
            {
                for (var s = 0; s < random.Count; s++)
                {
                    var sampleDiverged = false;
                    for (var d = 0; d < model.Network.SpikingLayerCount; d++)
                    {
                        var kernel = model.Layers[d].Kernel!;
                        var size = model.Network.Stages[d].ConvShape.Size;
                        var times = snn.SpikeTimes![d].AsSpan(s * size, size);
                        var expected = oracle.SpikeTimesOf(d, s);
                        var u = oracle.PreActivationsOf(d, s);
                        var stageDiverged = false;
                        for (var n = 0; n < size; n++)
                        {
                            neurons++;
                            if (expected[n] >= 0) spikes++;
                            if (times[n] == expected[n]) continue;
                            if (sampleDiverged) { downstream++; continue; }
                            Assert.True(IsNearRoundingBoundary(u[n], kernel),
                                $"topology {topology} {inputMode} seed {seed} sample {s} stage {d} neuron {n}: simulated {times[n]}, oracle {expected[n]} (u = {u[n]:R}), not a rounding case");
                            boundaryCases++;
                            stageDiverged = true;
                        }

                        sampleDiverged |= stageDiverged;
                    }

                    predictionsCompared++;
                    if (oracle.Predictions[s] != snn.Predictions[s])
                    {
                        predictionDisagreements++;
                        Assert.True(sampleDiverged || Math.Abs(Margin(oracle.PotentialsOf(s))) < 1e-4,
                            $"topology {topology} seed {seed} sample {s}: prediction {snn.Predictions[s]} vs oracle {oracle.Predictions[s]} with identical spikes");
                    }
                }
            }
        }

        output.WriteLine($"{neurons} hidden neurons compared, {spikes} oracle spikes, {boundaryCases} float-boundary cases, {downstream} downstream of them, " +
                         $"{predictionDisagreements}/{predictionsCompared} prediction disagreements");
        Assert.True(spikes > neurons / 10, "the random networks should fire");
        Assert.True(boundaryCases <= 1 + (neurons / 2000), $"{boundaryCases} boundary cases in {neurons} neurons is not 'rare'");
    }

    /// <summary>Does td - tau ln u lie within float32 rounding of a Q boundary (t - 0.5 integer), or u within rounding of 0?</summary>
    private static bool IsNearRoundingBoundary(double u, TemporalKernel kernel)
    {
        if (Math.Abs(u) < 1e-5) return true;
        if (u <= 0) return false;
        var t = kernel.Td - (kernel.Tau * Math.Log(u));
        var distance = Math.Abs((t - 0.5) - Math.Round(t - 0.5));
        // float32 membranes carry ~1e-7 relative error per add; a few dozen adds and tau up to 12 give < 1e-4.
        return distance < 1e-4;
    }

    private static double Margin(ReadOnlySpan<double> potentials)
    {
        var sorted = potentials.ToArray().OrderDescending().ToArray();
        return sorted.Length < 2 ? double.MaxValue : sorted[0] - sorted[1];
    }

    [Fact]
    public void Batch_size_does_not_change_any_bit()
    {
        var random = RandomNetworks.Create(1, InputMode.Analog, 42, 37);
        var sim = new EventDrivenSimulator();
        var one = sim.Run(random.Model, random.Inputs, random.Count, new SimulationOptions(1, RecordSpikes: true));
        foreach (var batch in new[] { 2, 5, 16, 37, 256 })
            ResultAssert.BitIdentical(one, sim.Run(random.Model, random.Inputs, random.Count, new SimulationOptions(batch, RecordSpikes: true)), $"batch {batch}");
    }

    [Fact]
    public void Spike_counts_synops_and_recorded_spikes_agree_with_a_direct_count()
    {
        var random = RandomNetworks.Create(0, InputMode.Ttfs, 3, 9);
        var model = random.Model;
        var result = new EventDrivenSimulator().Run(model, random.Inputs, random.Count, new SimulationOptions(4, RecordSpikes: true));
        var spikes = result.EnumerateSpikes().ToList();
        Assert.Equal(result.TotalSpikes, spikes.Count);
        for (var d = 0; d < model.Network.SpikingLayerCount; d++)
            Assert.Equal(result.SpikesPerStage[d], spikes.Count(x => x.Stage == d));
        Assert.All(spikes, x => Assert.InRange(x.Time, (x.Stage + 1) * model.T, ((x.Stage + 2) * model.T) - 1));

        // Dense network, TTFS input: every input spike reaches every neuron of layer 1, every hidden spike
        // every neuron of the next layer (no pooling), so SynOps = sum of spikes x fan-out.
        var inputSpikes = InputEvents.EncodeInput(random.Inputs, random.Count, model.Network.Input.Size, model.InputKernel!).SpikeCount;
        long expected = inputSpikes * model.Network.Stages[0].ConvShape.Size;
        for (var d = 0; d < model.Network.SpikingLayerCount; d++)
            expected += result.SpikesPerStage[d] * model.Network.Stages[d + 1].ConvShape.Size;
        Assert.Equal(expected, result.SynOps);
        Assert.Equal(0, result.FirstLayerMacs);
    }

    [Fact]
    public void Bad_input_lengths_are_rejected_with_a_clear_message()
    {
        var random = RandomNetworks.Create(0, InputMode.Analog, 1, 2);
        var ex = Assert.Throws<ArgumentException>(() => new EventDrivenSimulator().Run(random.Model, random.Inputs.AsMemory(1), 2));
        Assert.Contains("do not make 2 samples", ex.Message, StringComparison.Ordinal);
    }
}
