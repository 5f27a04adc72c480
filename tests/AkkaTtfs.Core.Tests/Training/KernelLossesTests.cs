using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Core.Tests.Training;

public class KernelLossesTests
{
    [Fact]
    public void L_TR_sums_squared_distances_from_the_initial_kernel()
    {
        var value = KernelLosses.TemporalRegularisation([10.5, 9.0], [0.25, -1.0], 10, 0);
        Assert.Equal((0.5 * 0.5) + (0.25 * 0.25) + (1.0 * 1.0) + (1.0 * 1.0), value, 12);
        Assert.Equal(0, KernelLosses.TemporalRegularisation([10, 10, 10], [0, 0, 0], 10, 0));
        Assert.Throws<ArgumentException>(() => KernelLosses.TemporalRegularisation([10], [0, 0], 10, 0));
    }

    [Fact]
    public void X_min_is_the_value_of_a_spike_at_T_minus_1()
    {
        Assert.Equal(Math.Exp(-3.1), KernelLosses.MinimumValue(10, 0, 32), 15);
        Assert.Equal(new Core.Ttfs.TemporalKernel(10, 0, 32).MinValue, KernelLosses.MinimumValue(10, 0, 32), 6);
    }

    /// <summary>The method page's check: -F = integral from xT to beta of (1 - (gamma x + beta)^2 / 2) dx + 2 xT.</summary>
    [Theory]
    [InlineData(0.3, 1.0, 0.045)]
    [InlineData(-0.5, 0.8, 0.1)]
    [InlineData(1.2, 1.5, 0.2)]
    [InlineData(0.0, 1.0, 0.045)]
    [InlineData(-2.0, 0.3, 0.01)]
    public void F_is_the_closed_form_of_the_integral_on_the_method_page(double beta, double gamma, double xT)
    {
        var integral = Simpson(x => 1 - ((gamma * x) + beta) * ((gamma * x) + beta) / 2, xT, beta, 2000);
        Assert.Equal(integral + (2 * xT), -KernelLosses.F(beta, gamma, xT), 10);
    }

    [Theory]
    [InlineData(0.3, 1.0, 0.045)]
    [InlineData(-0.5, 0.8, 0.1)]
    [InlineData(1.2, 1.5, 0.2)]
    public void The_derivatives_of_F_match_finite_differences(double beta, double gamma, double xT)
    {
        const double h = 1e-6;
        var dBeta = (KernelLosses.F(beta + h, gamma, xT) - KernelLosses.F(beta - h, gamma, xT)) / (2 * h);
        var dGamma = (KernelLosses.F(beta, gamma + h, xT) - KernelLosses.F(beta, gamma - h, xT)) / (2 * h);
        Assert.Equal(dBeta, KernelLosses.DFDBeta(beta, gamma, xT), 7);
        Assert.Equal(dGamma, KernelLosses.DFDGamma(beta, gamma, xT), 7);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void L_TB_pushes_beta_down_near_zero(double gamma)
    {
        var xT = KernelLosses.MinimumValue(10, 0, 32);
        foreach (var beta in new[] { -0.1, 0.0, 0.1 })
            Assert.True(-KernelLosses.DFDBeta(beta, gamma, xT) > 0, $"dL_TB/dbeta at beta {beta}, gamma {gamma} must be > 0");
    }

    [Fact]
    public void L_TB_sums_minus_F_over_layers_and_channels()
    {
        var layers = new List<(double[] Beta, double[] Gamma, double XT)>
        {
            ([0.1, -0.2], [1.0, 0.9], 0.045),
            ([0.3], [1.1], 0.1),
        };
        var expected = -(KernelLosses.F(0.1, 1.0, 0.045) + KernelLosses.F(-0.2, 0.9, 0.045) + KernelLosses.F(0.3, 1.1, 0.1));
        Assert.Equal(expected, KernelLosses.TemporalBatchNorm(layers), 14);
    }

    private static double Simpson(Func<double, double> f, double a, double b, int intervals)
    {
        var h = (b - a) / intervals;
        var sum = f(a) + f(b);
        for (var i = 1; i < intervals; i++) sum += (i % 2 == 1 ? 4 : 2) * f(a + (i * h));
        return sum * h / 3;
    }
}
