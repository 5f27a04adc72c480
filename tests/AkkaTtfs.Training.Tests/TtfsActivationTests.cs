using AkkaTtfs.Core.Ttfs;
using AkkaTtfs.Training.Surrogate;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Tests;

[Collection(LibTorchCollection.Name)]
public class TtfsActivationTests
{
    private const float Tau = 10f;
    private const float Td = 0f;
    private const int Window = 32;

    public static TheoryData<float, float> KnownValues() => new()
    {
        // x = 1: t = 0, fires at r = 0 with the largest value exp(td/tau) = 1.
        { 1f, 1f },
        // Above the range the value saturates at exp(td/tau).
        { 5f, 1f },
        // x = 0.5: t = 6.93, Q = 7, a = exp(-0.7).
        { 0.5f, MathF.Exp(-0.7f) },
        // x = exp(-3.1): t = 31, the last step of the window, a = x_min.
        { MathF.Exp(-3.1f), MathF.Exp(-3.1f) },
        // x = exp(-3.16): t = 31.6 rounds to 32 > T-1: no spike.
        { MathF.Exp(-3.16f), 0f },
        // Round half down: t = 1.5 exactly gives Q = 1, so a = exp(-0.1).
        { (float)Math.Exp(-0.15), MathF.Exp(-0.1f) },
        { 0f, 0f },
        { -2f, 0f },
    };

    [Theory]
    [MemberData(nameof(KnownValues))]
    public void Forward_values_match_the_method_page(float x, float expected)
    {
        foreach (var fused in new[] { false, true })
        {
            using var scope = NewDisposeScope();
            var a = Activate(tensor(new[] { x }), tensor(Tau), tensor(Td), fused).data<float>()[0];
            Assert.True(Math.Abs(a - expected) <= 1e-6 * Math.Max(1, expected), $"x {x:R} (fused {fused}): a = {a:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Precise_forward_equals_Cores_temporal_kernel_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var kernel = new TemporalKernel(9.73f, 0.31f, Window);
        var random = new Random(7);
        var xs = Enumerable.Range(0, 20000).Select(_ => (float)((random.NextDouble() * 2.4) - 0.2)).ToArray();
        var a = TtfsActivation.Apply(tensor(xs), tensor(kernel.Tau), tensor(kernel.Td), Window, precise: true).data<float>().ToArray();
        for (var i = 0; i < xs.Length; i++)
        {
            var r = kernel.Encode(xs[i]);
            var expected = r == TemporalKernel.NoSpike ? 0f : kernel.Decode(r);
            Assert.True(expected == a[i], $"x {xs[i]:R}: Core {expected:R}, TorchSharp {a[i]:R}");
        }
    }

    [Fact]
    public void Fused_forward_in_inference_mode_equals_the_training_forward_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var x = (randn(3, 4, 7, 7) * 0.8f) + 0.2f;
        var trainingSpikes = new long[1];
        var training = FusedTtfsActivation.Apply(x.detach().clone().requires_grad_(true), tensor(9.5f).requires_grad_(true), tensor(0.4f).requires_grad_(true),
            Window, trainingSpikes);
        Assert.True(training.requires_grad);
        var expected = training.detach().data<float>().ToArray();
        var inferenceSpikes = new long[1];
        float[] actual;
        using (inference_mode())
        {
            var a = FusedTtfsActivation.Apply(x, tensor(9.5f), tensor(0.4f), Window, inferenceSpikes);
            Assert.False(a.requires_grad);
            actual = a.data<float>().ToArray();
        }

        Assert.Equal(expected.Length, actual.Length);
        var differing = expected.Zip(actual).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
        Assert.Equal(0, differing);
        Assert.Equal(expected.Count(v => v > 0), inferenceSpikes[0]);
        Assert.Equal(trainingSpikes[0], inferenceSpikes[0]);
    }

    [Fact]
    public void Fused_and_expression_forms_agree_on_values_and_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = (randn(4, 3, 9, 9) * 0.6f) + 0.3f;
        var results = new List<(float[] A, float[] Gx, float GTau, float GTd)>();
        foreach (var fused in new[] { false, true })
        {
            var xi = x.detach().clone().requires_grad_(true);
            var tau = tensor(9.5f).requires_grad_(true);
            var td = tensor(0.4f).requires_grad_(true);
            var weights = linspace(-1, 1, xi.numel()).reshape(xi.shape);
            var a = Activate(xi, tau, td, fused);
            (a * weights).sum().backward();
            results.Add((a.data<float>().ToArray(), xi.grad!.data<float>().ToArray(), tau.grad!.item<float>(), td.grad!.item<float>()));
        }

        var (expression, fusedResult) = (results[0], results[1]);
        var mismatched = expression.A.Zip(fusedResult.A).Count(p => Math.Abs(p.First - p.Second) > 1e-6);
        Assert.True(mismatched <= 2, $"{mismatched} of {expression.A.Length} values differ (only Q-boundary cases may)");
        var gradientMismatch = expression.Gx.Zip(fusedResult.Gx).Count(p => Math.Abs(p.First - p.Second) > 1e-4 * Math.Max(1, Math.Abs(p.First)));
        Assert.True(gradientMismatch <= 2, $"{gradientMismatch} x-gradients differ");
        Assert.Equal(expression.GTau, fusedResult.GTau, 2e-3f * Math.Max(1, Math.Abs(expression.GTau)));
        Assert.Equal(expression.GTd, fusedResult.GTd, 2e-3f * Math.Max(1, Math.Abs(expression.GTd)));
    }

    /// <summary>
    /// Straight-through: backward treats Q(t) as t + c with c = Q(t) - t held constant, so the gradient is
    /// that of f(x, tau, td) = exp((td - t(x, tau, td) - c)/tau); compared with central differences of f in double.
    /// </summary>
    [Theory]
    [InlineData(0.5, 10.0, 0.0)]
    [InlineData(0.12, 10.0, 0.0)]
    [InlineData(0.3, 8.0, 0.5)]
    [InlineData(0.9, 12.0, -0.2)]
    public void Gradients_inside_the_range_are_straight_through_and_match_finite_differences(double x, double tau, double td)
    {
        var t0 = td - (tau * Math.Log(x));
        Assert.True(t0 > 0 && TemporalKernel.Q(t0) <= Window - 1, "the case must lie inside the firing range");
        var c = TemporalKernel.Q(t0) - t0;
        double F(double xv, double tauv, double tdv) => Math.Exp((tdv - (tdv - (tauv * Math.Log(xv))) - c) / tauv);
        const double h = 1e-6;
        var dx = (F(x + h, tau, td) - F(x - h, tau, td)) / (2 * h);
        var dTau = (F(x, tau + h, td) - F(x, tau - h, td)) / (2 * h);
        var dTd = (F(x, tau, td + h) - F(x, tau, td - h)) / (2 * h);

        foreach (var fused in new[] { false, true })
        {
            using var scope = NewDisposeScope();
            var (gx, gTau, gTd) = Gradients((float)x, (float)tau, (float)td, fused);
            Assert.True(Math.Abs(gx - dx) <= 1e-4 * Math.Max(1, Math.Abs(dx)), $"fused {fused}: da/dx {gx} vs {dx}");
            Assert.True(Math.Abs(gTau - dTau) <= 1e-4, $"fused {fused}: da/dtau {gTau} vs {dTau}");
            Assert.True(Math.Abs(gTd - dTd) <= 1e-4, $"fused {fused}: da/dtd {gTd} vs {dTd}");
            // Straight-through in x: the slope is a_q / x, which is 1 to within the level spacing e^(1/tau).
            Assert.InRange(gx, Math.Exp(-0.5 / tau), Math.Exp(0.5 / tau));
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.7)]
    [InlineData(0.04)]
    [InlineData(1e-9)]
    public void Below_the_range_there_is_no_spike_and_no_gradient(double x)
    {
        foreach (var fused in new[] { false, true })
        {
            using var scope = NewDisposeScope();
            var (gx, gTau, gTd) = Gradients((float)x, Tau, Td, fused);
            Assert.Equal(0f, gx);
            Assert.Equal(0f, gTau);
            Assert.Equal(0f, gTd);
        }
    }

    [Fact]
    public void Saturated_values_pass_no_gradient_to_x_and_follow_td()
    {
        // x = 3 > exp(td/tau) = 1: t = relu(negative) = 0, a = exp(td/tau); da/dx = 0, da/dtd = a/tau, da/dtau = -a td/tau^2.
        foreach (var fused in new[] { false, true })
        {
            using var scope = NewDisposeScope();
            var (gx, gTau, gTd) = Gradients(3f, 10f, 0.5f, fused);
            var a = Math.Exp(0.05);
            Assert.Equal(0f, gx);
            Assert.Equal(a / 10, gTd, 1e-5);
            Assert.Equal(-a * 0.5 / 100, gTau, 1e-5);
        }
    }

    [Fact]
    public void Spike_counter_counts_firing_elements()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 0.5f, 0f, -1f, 0.01f, 2f });
        foreach (var fused in new[] { false, true })
        {
            var spikes = new long[1];
            if (fused) FusedTtfsActivation.Apply(x, tensor(Tau), tensor(Td), Window, spikes);
            else TtfsActivation.Apply(x, tensor(Tau), tensor(Td), Window, spikes: spikes);
            Assert.Equal(3, spikes[0]);
        }
    }

    [Fact]
    public void Quantise_rounds_half_down_and_clamps_at_zero()
    {
        using var scope = NewDisposeScope();
        var q = TtfsActivation.Quantise(tensor(new[] { -3f, 0f, 0.5f, 0.51f, 1.5f, 2.49f, 30.5f })).data<float>().ToArray();
        Assert.Equal(new[] { 0f, 0f, 0f, 1f, 1f, 2f, 30f }, q);
        foreach (var t in new[] { -3.0, 0, 0.5, 0.51, 1.5, 2.49, 30.5 })
            Assert.Equal(TemporalKernel.Q(t), (int)TtfsActivation.Quantise(tensor(t)).item<double>());
    }

    [Fact]
    public void Fused_activation_rejects_double_tensors()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => FusedTtfsActivation.Apply(tensor(new[] { 1.0 }), tensor(Tau), tensor(Td), Window));
    }

    private static Tensor Activate(Tensor x, Tensor tau, Tensor td, bool fused) =>
        fused ? FusedTtfsActivation.Apply(x, tau, td, Window) : TtfsActivation.Apply(x, tau, td, Window);

    private static (double Dx, double DTau, double DTd) Gradients(float x, float tau, float td, bool fused)
    {
        var xv = tensor(new[] { x }).requires_grad_(true);
        var tauv = tensor(tau).requires_grad_(true);
        var tdv = tensor(td).requires_grad_(true);
        Activate(xv, tauv, tdv, fused).sum().backward();
        return (xv.grad!.data<float>()[0], tauv.grad!.item<float>(), tdv.grad!.item<float>());
    }
}
