using AkkaTtfs.Core.Tests.Golden;
using Xunit.Abstractions;

namespace AkkaTtfs.Core.Tests.Engines.Oracles;

/// <summary>Both oracles against the golden vectors, which were computed in float64 by an independent implementation.</summary>
public class GoldenOracleTests(ITestOutputHelper output)
{
    // The golden file holds float64 weights; the model holds them as float32, which moves a membrane value by up
    // to ~1e-7 of the summed |w x| (measured: <= 1.4e-7 absolute). Where u nearly cancels to zero that is a large
    // relative error (measured up to 6.6e-5), so the relative bound gets a 1e-6 absolute floor.
    private const double PreActivationRelativeTolerance = 1e-4;
    private const double PreActivationAbsoluteFloor = 1e-6;
    private const double PotentialTolerance = 1e-4;

    public static TheoryData<string, string> CasesAndOracles
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var golden in GoldenCases.All)
            {
                foreach (var oracle in OracleRunner.Names)
                    data.Add(golden.Name, oracle);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CasesAndOracles))]
    public void Oracle_reproduces_the_golden_case(string caseName, string oracle)
    {
        var golden = GoldenCases.Get(caseName);
        var result = OracleRunner.Run(oracle, golden.Model, golden.Inputs, golden.Count);

        var failures = new List<string>();
        var nearBoundaryDiffering = 0;
        var worstPreActivation = 0.0;
        for (var sample = 0; sample < golden.Count; sample++)
        {
            var expected = golden.Expected[sample];
            foreach (var layer in expected.Hidden)
            {
                var times = result.SpikeTimesOf(layer.Stage, sample);
                var u = result.PreActivationsOf(layer.Stage, sample);
                for (var n = 0; n < layer.SpikeTimes.Length; n++)
                {
                    if (times[n] != layer.SpikeTimes[n])
                    {
                        if (layer.NearBoundary.Contains(n)) nearBoundaryDiffering++;
                        else failures.Add($"sample {sample} stage {layer.Stage} neuron {n}: spike time {times[n]}, expected {layer.SpikeTimes[n]} (u = {u[n]:R})");
                    }

                    var error = Math.Abs(u[n] - layer.PreActivations[n]);
                    worstPreActivation = Math.Max(worstPreActivation, error / Math.Max(1, Math.Abs(layer.PreActivations[n])));
                    if (error > (PreActivationRelativeTolerance * Math.Abs(layer.PreActivations[n])) + PreActivationAbsoluteFloor)
                        failures.Add($"sample {sample} stage {layer.Stage} neuron {n}: u = {u[n]:R}, expected {layer.PreActivations[n]:R}");
                }
            }

            var potentials = result.PotentialsOf(sample);
            for (var j = 0; j < golden.Model.Network.ClassCount; j++)
            {
                if (Math.Abs(potentials[j] - expected.OutputPotentials[j]) > PotentialTolerance)
                    failures.Add($"sample {sample} class {j}: potential {potentials[j]:R}, expected {expected.OutputPotentials[j]:R}");
            }

            if (result.Predictions[sample] != expected.Prediction)
                failures.Add($"sample {sample}: prediction {result.Predictions[sample]}, expected {expected.Prediction}");
        }

        output.WriteLine($"{caseName} / {oracle}: worst pre-activation error / max(1, |u|) {worstPreActivation:E2}, near-boundary neurons rounding the other way: {nearBoundaryDiffering}");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [Theory]
    [MemberData(nameof(CasesAndOracles))]
    public void Oracle_spike_counts_match_the_golden_counts(string caseName, string oracle)
    {
        var golden = GoldenCases.Get(caseName);
        var result = OracleRunner.Run(oracle, golden.Model, golden.Inputs, golden.Count);
        for (var stage = 0; stage < golden.Model.Network.SpikingLayerCount; stage++)
        {
            var expected = golden.Expected.Sum(e => (long)e.Hidden[stage].Spikes);
            var slack = golden.Expected.Sum(e => e.Hidden[stage].NearBoundary.Count);
            Assert.InRange(result.SpikesPerStage[stage], expected - slack, expected + slack);
            Assert.Equal(result.SpikeTimes[stage].LongCount(r => r >= 0), result.SpikesPerStage[stage]);
        }
    }

    [Fact]
    public void Golden_file_loads_with_the_totals_its_readme_states()
    {
        var cases = GoldenCases.All;
        Assert.Equal(5, cases.Count);
        Assert.Equal(20, cases.Sum(c => c.Count));
        var layers = cases.SelectMany(c => c.Expected).SelectMany(s => s.Hidden).ToList();
        Assert.Equal(5776, layers.Sum(h => h.SpikeTimes.Length));
        Assert.Equal(3172, layers.Sum(h => h.Spikes));
        Assert.Equal(3172, layers.Sum(h => h.SpikeTimes.Count(r => r >= 0)));
        Assert.Equal(9, layers.Sum(h => h.NearBoundary.Count));
        Assert.All(cases, c => Assert.Equal(c.Count * c.Model.Network.Input.Size, c.Inputs.Length));
        Assert.Equal(["mlp-0", "mlp-1", "cnn-2", "cnn-3", "cnn-stride-4"], cases.Select(c => c.Name));
        // File layer 2 of the CNN cases is the conv after the pool: stage 1.
        Assert.Equal([0, 1], GoldenCases.Get("cnn-2").Expected[0].Hidden.Select(h => h.Stage));
        Assert.Equal([0, 2], GoldenCases.Get("cnn-2").Expected[0].Hidden.Select(h => h.FileLayer));
    }
}
