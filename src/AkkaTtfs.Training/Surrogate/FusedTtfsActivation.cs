using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Surrogate;

/// <summary>
/// The training-time TTFS activation as one custom autograd function with fused SIMD loops, the same
/// function as <see cref="TtfsActivation.Apply"/> in float (its tests compare the two) but about one pass
/// over memory forward and one backward instead of some twenty small libtorch kernels each way, which is what
/// keeps the surrogate's training throughput near plain ReLU's.
/// </summary>
/// <remarks>
/// Forward: <c>t = max(0, td - tau ln x)</c>, <c>q = max(0, ceil(t - 0.5))</c>, <c>a = exp((td - q)/tau)</c> where
/// <c>x &gt; 0</c> and <c>q &lt;= T-1</c>, else 0. Backward, with q straight-through (<c>dq/dt = 1</c>) and
/// "inner" meaning <c>td - tau ln x &gt; 0</c> (below saturation):
/// <c>da/dx = a/x</c> (inner), 0 otherwise; <c>da/dtau = a/tau ((inner ? ln x : 0) - (td - q)/tau)</c>;
/// <c>da/dtd = a/tau</c> where not inner (saturated), 0 inside (td cancels there).
/// </remarks>
public static class FusedTtfsActivation
{
    /// <summary>Activation of a float32 CPU tensor <paramref name="x"/> with scalar kernel tensors; differentiable in x, tau and td.</summary>
    public static Tensor Apply(Tensor x, Tensor tau, Tensor td, int window, long[]? spikes = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(tau);
        ArgumentNullException.ThrowIfNull(td);
        if (x.dtype != ScalarType.Float32 || x.device_type != TorchSharp.DeviceType.CPU)
            throw new ArgumentException($"the fused TTFS activation takes float32 CPU tensors, got {x.dtype} on {x.device_type}", nameof(x));
        var a = NeedsGradient(x, tau, td) ? autograd.SingleTensorFunction<Function>.apply(x, tau, td, window) : ForwardOnly(x, tau, td, window);
        if (spikes is not null)
        {
            using var fired = a.gt(0).sum();
            spikes[0] += fired.item<long>();
        }

        return a;
    }

    /// <summary>Whether a backward pass can reach this activation (gradients on, and some input wants one).</summary>
    private static bool NeedsGradient(Tensor x, Tensor tau, Tensor td) =>
        is_grad_enabled() && (x.requires_grad || tau.requires_grad || td.requires_grad);

    /// <summary>
    /// Evaluation passes (validation, test): the same forward loop without the autograd node and without the
    /// ln x buffer that only a backward pass reads.
    /// </summary>
    private static Tensor ForwardOnly(Tensor x, Tensor tau, Tensor td, int window)
    {
        var input = x.contiguous();
        var a = empty_like(input);
        Forward(Floats(input), Floats(a), tau.item<float>(), td.item<float>(), window);
        return a;
    }

    private sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "TtfsActivation";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = ((Tensor)vars[0]).detach().contiguous();
            var tau = ((Tensor)vars[1]).item<float>();
            var td = ((Tensor)vars[2]).item<float>();
            var window = (int)vars[3];
            var a = empty_like(x);
            var logX = empty_like(x);
            Forward(Floats(x), Floats(a), tau, td, window, Floats(logX));
            ctx.save_for_backward([x, a, logX]);
            ctx.save_data("tau", tau);
            ctx.save_data("td", td);
            ctx.save_data("window", window);
            return a;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var saved = ctx.get_saved_variables();
            var x = saved[0];
            var a = saved[1];
            var logX = saved[2];
            var tau = (float)ctx.get_data("tau");
            var td = (float)ctx.get_data("td");
            var g = grad_output.contiguous();
            var gx = empty_like(x);
            var (gTau, gTd) = Backward(Floats(g), Floats(x), Floats(a), Floats(logX), Floats(gx), tau, td);
            return [gx, tensor((float)gTau), tensor((float)gTd), null!];
        }
    }

    private static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    /// <summary>The forward loop; when <paramref name="logX"/> is not empty it receives ln(max(x, 1e-30)) for the backward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(ReadOnlySpan<float> x, Span<float> a, float tau, float td, int window, Span<float> logX = default)
    {
        var keepLog = !logX.IsEmpty;
        var last = (float)(window - 1);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vTau = Vector256.Create(tau);
            var vTd = Vector256.Create(td);
            var vLast = Vector256.Create(last);
            var floor = Vector256.Create((float)TtfsActivation.LogFloor);
            var half = Vector256.Create(0.5f);
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var ar = ref MemoryMarshal.GetReference(a);
            ref var lr = ref MemoryMarshal.GetReference(logX);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var vx = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var lx = Vector256.Log(Vector256.Max(vx, floor));
                if (keepLog) lx.StoreUnsafe(ref lr, (nuint)i);
                var t = Vector256.Max(vTd - (vTau * lx), Vector256<float>.Zero);
                var q = Vector256.Max(Vector256.Ceiling(t - half), Vector256<float>.Zero);
                var valid = Vector256.GreaterThan(vx, Vector256<float>.Zero) & Vector256.LessThanOrEqual(q, vLast);
                var value = Vector256.Exp((vTd - q) / vTau);
                Vector256.ConditionalSelect(valid, value, Vector256<float>.Zero).StoreUnsafe(ref ar, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            a[i] = ForwardScalar(x[i], tau, td, last);
            if (keepLog) logX[i] = MathF.Log(MathF.Max(x[i], (float)TtfsActivation.LogFloor));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ForwardScalar(float x, float tau, float td, float last)
    {
        if (!(x > 0)) return 0;
        var t = MathF.Max(td - (tau * MathF.Log(MathF.Max(x, (float)TtfsActivation.LogFloor))), 0);
        var q = MathF.Max(MathF.Ceiling(t - 0.5f), 0);
        return q <= last ? MathF.Exp((td - q) / tau) : 0;
    }

    /// <summary>The backward loop (ln x from the forward pass): writes dL/dx and returns (dL/dtau, dL/dtd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (double Tau, double Td) Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> logX, Span<float> gx, float tau, float td)
    {
        double sumTau = 0, sumTd = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vTau = Vector256.Create(tau);
            var vTd = Vector256.Create(td);
            var half = Vector256.Create(0.5f);
            ref var gr = ref MemoryMarshal.GetReference(g);
            ref var lr = ref MemoryMarshal.GetReference(logX);
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var ar = ref MemoryMarshal.GetReference(a);
            ref var gxr = ref MemoryMarshal.GetReference(gx);
            var accTau = Vector256<float>.Zero;
            var accTd = Vector256<float>.Zero;
            var block = 0;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var va = Vector256.LoadUnsafe(ref ar, (nuint)i);
                var vx = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var ga = Vector256.LoadUnsafe(ref gr, (nuint)i) * va;
                var fired = Vector256.GreaterThan(va, Vector256<float>.Zero);
                var lx = Vector256.LoadUnsafe(ref lr, (nuint)i);
                var u = vTd - (vTau * lx);
                var inner = Vector256.GreaterThan(u, Vector256<float>.Zero);
                var q = Vector256.Max(Vector256.Ceiling(Vector256.Max(u, Vector256<float>.Zero) - half), Vector256<float>.Zero);
                Vector256.ConditionalSelect(fired & inner, ga / vx, Vector256<float>.Zero).StoreUnsafe(ref gxr, (nuint)i);
                var dTau = ((lx & inner) - ((vTd - q) / vTau)) / vTau;
                accTau += Vector256.ConditionalSelect(fired, ga * dTau, Vector256<float>.Zero);
                accTd += Vector256.ConditionalSelect(fired & ~inner, ga / vTau, Vector256<float>.Zero);
                if (++block == 256)
                {
                    sumTau += Vector256.Sum(accTau);
                    sumTd += Vector256.Sum(accTd);
                    accTau = Vector256<float>.Zero;
                    accTd = Vector256<float>.Zero;
                    block = 0;
                }
            }

            sumTau += Vector256.Sum(accTau);
            sumTd += Vector256.Sum(accTd);
        }

        for (; i < x.Length; i++)
        {
            gx[i] = 0;
            if (!(a[i] > 0)) continue;
            var ga = g[i] * a[i];
            var lx = logX[i];
            var u = td - (tau * lx);
            var q = MathF.Max(MathF.Ceiling(MathF.Max(u, 0) - 0.5f), 0);
            if (u > 0)
            {
                gx[i] = ga / x[i];
                sumTau += ga * (lx - ((td - q) / tau)) / tau;
            }
            else
            {
                sumTau += ga * (-(td - q) / tau) / tau;
                sumTd += ga / tau;
            }
        }

        return (sumTau, sumTd);
    }
}
