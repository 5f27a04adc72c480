using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Engines.Oracles;

/// <summary>
/// Networks small enough to work out by hand. Hidden kernel everywhere: tau = 2, td = 1, T = 8, so a neuron with
/// membrane u spikes at r = max(0, ceil(1 - 2 ln u - 0.5)) if that is &lt;= 7; the boundaries are
/// theta(r) = exp(-(r + 0.5 - 1)/2), e.g. theta(3) = e^-1.25 = 0.286505, theta(7) = e^-3.25 = 0.038774,
/// and the smallest decoded value is x_min = exp((1 - 7)/2) = e^-3 = 0.049787.
/// </summary>
public class ClosedFormOracleTests
{
    private const float Tau = 2f;
    private const float Td = 1f;
    private const int Window = 8;

    public static TheoryData<string, float, int, double> SingleNeuronCases
    {
        get
        {
            var data = new TheoryData<string, float, int, double>();
            foreach (var oracle in OracleRunner.Names)
            {
                // u, expected spike time (hand-computed z = 1 - 2 ln u - 0.5, r = ceil(z)), decoded value exp((1 - r)/2).
                data.Add(oracle, 5f, 0, Math.Exp(0.5));          // z = -2.72: above the range, saturates at r = 0
                data.Add(oracle, 1f, 1, 1.0);                    // z = 0.5
                data.Add(oracle, 0.3f, 3, Math.Exp(-1));         // z = 2.908
                data.Add(oracle, 0.2866f, 3, Math.Exp(-1));      // just above theta(3): z = 2.9993, rounds half down to 3
                data.Add(oracle, 0.2864f, 4, Math.Exp(-1.5));    // just below theta(3): z = 3.0007 -> 4
                data.Add(oracle, 0.05f, 7, Math.Exp(-3));        // z = 6.491: the last step of the window
                data.Add(oracle, 0.0497f, 7, Math.Exp(-3));      // just below x_min still rounds up to x_min's level
                data.Add(oracle, 0.0388f, 7, Math.Exp(-3));      // just above theta(7): z = 6.9987
                data.Add(oracle, 0.0387f, -1, 0.0);              // just below theta(7): z = 7.0038 > T - 1, no spike
                data.Add(oracle, 0f, -1, 0.0);                   // x <= 0 never spikes
                data.Add(oracle, -0.5f, -1, 0.0);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(SingleNeuronCases))]
    public void One_neuron_spikes_at_the_hand_computed_time(string oracle, float u, int expectedTime, double expectedDecoded)
    {
        // input x = 1 -> hidden u = w -> output potential = 1 * decoded + 0.
        var model = Model(TensorShape.Vector(1), "d1-d1", [[u], [0f]], [[1f], [0f]]);
        var result = OracleRunner.Run(oracle, model, [1f], 1);

        Assert.Equal(expectedTime, result.SpikeTimes[0][0]);
        Assert.Equal((double)u, result.PreActivations[0][0]);
        Assert.Equal(expectedTime >= 0 ? 1 : 0, result.SpikesPerStage[0]);
        Assert.Equal(expectedDecoded, result.OutputPotentials[0], 12);
    }

    [Theory]
    [MemberData(nameof(OracleNames))]
    public void Ttfs_input_is_decoded_with_the_input_kernel(string oracle)
    {
        // Input kernel tau_in = 4, td_in = 0: pixel 0.5 -> z = -4 ln 0.5 - 0.5 = 2.27 -> r_in = 3 -> a_in = e^-0.75 = 0.472367.
        // Hidden u = 1 * a_in + 0.1 = 0.572367 -> z = 1 - 2 ln u - 0.5 = 1.616 -> r = 2 -> output = e^-0.5.
        // Pixel 0 sends no spike, so the second sample's hidden neuron sees the bias only: u = 0.1 -> z = 5.105 -> r = 6.
        var network = NetworkSpec.Create(TensorShape.Vector(1), ArchitectureParser.Parse("d1-d1"));
        var layers = new[]
        {
            new LayerParameters([1f], [0.1f], new TemporalKernel(Tau, Td, Window)),
            new LayerParameters([1f], [0f], null),
        };
        var model = new SnnModel(network, Window, layers, InputNormalisation.UnitRange, InputMode.Ttfs, new TemporalKernel(4f, 0f, Window));
        var result = OracleRunner.Run(oracle, model, [0.5f, 0f], 2);

        Assert.Equal(Math.Exp(-0.75) + 0.1f, result.PreActivations[0][0], 6);
        Assert.Equal([2, 6], result.SpikeTimes[0]);
        Assert.Equal(Math.Exp(-0.5), result.OutputPotentials[0], 12);
        Assert.Equal(Math.Exp(-2.5), result.OutputPotentials[1], 12);
    }

    public static TheoryData<string, float[], int[], double> PoolingCases
    {
        get
        {
            var data = new TheoryData<string, float[], int[], double>();
            foreach (var oracle in OracleRunner.Names)
            {
                // Pixels = u of the four conv neurons of one 2x2 region; the output sees 0.25 + 2 * decoded(earliest).
                // Neuron 2 (r = 1) fires before neuron 0 (r = 3) and neuron 1 (r = 7): only its spike passes.
                data.Add(oracle, [0.3f, 0.05f, 1f, 0f], [3, 7, 1, -1], 0.25 + (2 * 1.0));
                // Neurons 1 and 2 both fire at r = 1 (u = 1 and 1.05 share a level); one passes, the pooled value is the same.
                data.Add(oracle, [0.29f, 1f, 1.05f, 0.2866f], [3, 1, 1, 3], 0.25 + (2 * 1.0));
                // Nobody in the region fires: the output sees its bias only.
                data.Add(oracle, [0.01f, 0f, -1f, 0.03f], [-1, -1, -1, -1], 0.25);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PoolingCases))]
    public void Pooling_passes_only_the_earliest_spike_of_a_region(string oracle, float[] pixels, int[] expectedTimes, double expectedPotential)
    {
        // [1,2,2] input -> 1x1 conv with weight 1 (u = pixel) -> 2x2 max pool -> dense output, weight 2, bias 0.25.
        var model = Model(TensorShape.Image(1, 2, 2), "c1k1-p2-d1", [[1f], [0f]], [[2f], [0.25f]]);
        var result = OracleRunner.Run(oracle, model, pixels, 1);

        Assert.Equal(expectedTimes, result.SpikeTimes[0]);
        Assert.Equal(expectedTimes.Count(r => r >= 0), result.SpikesPerStage[0]);
        Assert.Equal(expectedPotential, result.OutputPotentials[0], 12);
    }

    [Theory]
    [MemberData(nameof(OracleNames))]
    public void Pooling_drops_the_remainder_rows_and_columns(string oracle)
    {
        // [1,3,3] -> 2x2 pool keeps only the top-left 2x2: neuron 8 at (2,2) fires first (u = 5, r = 0) and is counted
        // as a spike, but reaches nobody; neuron 0 (u = 0.3, r = 3) is the region's only spike.
        var model = Model(TensorShape.Image(1, 3, 3), "c1k1-p2-d1", [[1f], [0f]], [[2f], [0.25f]]);
        float[] pixels = [0.3f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 5f];
        var result = OracleRunner.Run(oracle, model, pixels, 1);

        Assert.Equal([3, -1, -1, -1, -1, -1, -1, -1, 0], result.SpikeTimes[0]);
        Assert.Equal(2, result.SpikesPerStage[0]);
        Assert.Equal(0.25 + (2 * Math.Exp(-1)), result.OutputPotentials[0], 12);
    }

    [Theory]
    [MemberData(nameof(OracleNames))]
    public void Prediction_breaks_ties_toward_the_lowest_index(string oracle)
    {
        // Hidden neuron silent (u = -1): the output is the bias alone, with a tie between classes 1 and 3.
        var model = Model(TensorShape.Vector(1), "d1-d4", [[-1f], [0f]], [[0f, 0f, 0f, 0f], [0.1f, 0.5f, 0.2f, 0.5f]]);
        var result = OracleRunner.Run(oracle, model, [1f], 1);

        Assert.Equal(1, result.Predictions[0]);
        Assert.Equal([0.1f, 0.5f, 0.2f, 0.5f], result.OutputPotentials.Select(p => (float)p));
    }

    public static TheoryData<string> OracleNames => new(OracleRunner.Names);

    /// <summary>A two-stage model with the class's hidden kernel: parameters as [weights, bias] per stage.</summary>
    private static SnnModel Model(TensorShape input, string architecture, float[][] hidden, float[][] output)
    {
        var network = NetworkSpec.Create(input, ArchitectureParser.Parse(architecture));
        var layers = new[]
        {
            new LayerParameters(hidden[0], hidden[1], new TemporalKernel(Tau, Td, Window)),
            new LayerParameters(output[0], output[1], null),
        };
        return new SnnModel(network, Window, layers, InputNormalisation.UnitRange);
    }
}
