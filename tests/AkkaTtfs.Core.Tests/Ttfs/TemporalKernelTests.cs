using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Ttfs;

public class TemporalKernelTests
{
    [Theory]
    [InlineData(-3.0, 0)]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 0)]        // a tie rounds down (round half down)
    [InlineData(0.5000001, 1)]
    [InlineData(1.49, 1)]
    [InlineData(1.5, 1)]
    [InlineData(1.51, 2)]
    [InlineData(30.5, 30)]
    public void Q_rounds_half_down_and_clamps_at_zero(double t, int expected) => Assert.Equal(expected, TemporalKernel.Q(t));

    [Fact]
    public void Q_of_huge_times_does_not_overflow() => Assert.Equal(int.MaxValue, TemporalKernel.Q(1e300));

    [Fact]
    public void Decode_then_encode_returns_every_spike_time()
    {
        foreach (var (tau, td, t) in new[] { (10f, 0f, 32), (3.3f, -0.7f, 17), (12.9f, 1.2f, 64), (1f, 0f, 8) })
        {
            var k = new TemporalKernel(tau, td, t);
            for (var r = 0; r < t; r++) Assert.Equal(r, k.Encode(k.Decode(r)));
        }
    }

    [Fact]
    public void Decode_matches_the_closed_form()
    {
        var k = new TemporalKernel(10f, 0.5f, 32);
        for (var r = 0; r < 32; r++) Assert.Equal((float)Math.Exp((0.5 - r) / 10.0), k.Decode(r));
        Assert.Equal(k.Decode(0), k.MaxValue);
        Assert.Equal(k.Decode(31), k.MinValue);
    }

    [Fact]
    public void Values_above_the_range_saturate_at_time_zero()
    {
        var k = new TemporalKernel(10f, 0f, 32);
        Assert.Equal(0, k.Encode(1f));
        Assert.Equal(0, k.Encode(1e6f));
        Assert.Equal(0, k.Encode(float.MaxValue));
    }

    [Fact]
    public void No_spike_for_non_positive_values_or_past_the_window()
    {
        var k = new TemporalKernel(10f, 0f, 32);
        Assert.Equal(TemporalKernel.NoSpike, k.Encode(0f));
        Assert.Equal(TemporalKernel.NoSpike, k.Encode(-1f));
        Assert.Equal(TemporalKernel.NoSpike, k.Encode(float.NaN));
        Assert.Equal(TemporalKernel.NoSpike, k.Encode(float.Epsilon));
        // x_min = exp(-31/10) spikes at T-1; half a level below it (t = 31.5 rounds down to 31) still does,
        // just past half a level it does not.
        Assert.Equal(31, k.Encode(k.MinValue));
        Assert.Equal(31, k.Encode((float)Math.Exp(-31.49 / 10)));
        Assert.Equal(TemporalKernel.NoSpike, k.Encode((float)Math.Exp(-31.51 / 10)));
    }

    [Fact]
    public void Encode_is_the_first_step_where_the_dynamic_threshold_is_reached()
    {
        var rng = new Random(7);
        var k = new TemporalKernel(7.3f, 0.4f, 24);
        for (var i = 0; i < 2000; i++)
        {
            var u = (float)Math.Exp(rng.NextDouble() * 6 - 4);
            var expected = TemporalKernel.NoSpike;
            for (var r = 0; r < k.T; r++)
            {
                if (u >= k.Threshold(r)) { expected = r; break; }
            }

            Assert.Equal(expected, k.Encode(u));
        }
    }

    [Theory]
    [InlineData(0f, 0f, 32)]
    [InlineData(-1f, 0f, 32)]
    [InlineData(float.NaN, 0f, 32)]
    [InlineData(10f, float.PositiveInfinity, 32)]
    [InlineData(10f, 0f, 0)]
    [InlineData(10f, 0f, 257)]
    public void Invalid_parameters_are_rejected(float tau, float td, int t) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemporalKernel(tau, td, t));
}
