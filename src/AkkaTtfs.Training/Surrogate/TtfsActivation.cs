using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Surrogate;

/// <summary>
/// The TTFS activation of docs/ttfs-method.md section 3, as a differentiable TorchSharp expression:
/// <c>t = relu(td - tau ln(relu(x) + 1e-30))</c>, <c>tq = t + (Q(t) - t).detach()</c> (Q with a straight-through
/// gradient), <c>a = exp((td - tq)/tau)</c> where <c>x &gt; 0</c> and <c>Q(t) &lt;= T-1</c>, else 0.
/// </summary>
public static class TtfsActivation
{
    /// <summary>Keeps ln finite at x = 0; the explicit x &gt; 0 mask decides "no spike" there.</summary>
    public const double LogFloor = 1e-30;

    /// <summary>Q(t) = max(0, ceil(t - 0.5)): round half down, clamped at 0 (no gradient).</summary>
    public static Tensor Quantise(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return (t - 0.5).ceil().clamp_min(0);
    }

    /// <summary>
    /// Activation of <paramref name="x"/> for a layer with kernel (<paramref name="tau"/>, <paramref name="td"/>)
    /// and window <paramref name="window"/>. <paramref name="precise"/> computes the spike times and the decoded
    /// value in double (then rounds the value to float), exactly as Core's <c>TemporalKernel</c> does: use it to
    /// evaluate a network the SNN will execute; training uses float.
    /// </summary>
    /// <param name="x">Batch-norm output (or, after folding, the membrane potential u).</param>
    /// <param name="tau">Scalar tensor tau.</param>
    /// <param name="td">Scalar tensor td.</param>
    /// <param name="window">T.</param>
    /// <param name="precise">Compute in double.</param>
    /// <param name="spikes">When not null, receives the number of elements that spike (x &gt; 0 and Q(t) &lt;= T-1).</param>
    public static Tensor Apply(Tensor x, Tensor tau, Tensor td, int window, bool precise = false, long[]? spikes = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(tau);
        ArgumentNullException.ThrowIfNull(td);
        var type = x.dtype;
        if (precise)
        {
            x = x.to_type(ScalarType.Float64);
            tau = tau.to_type(ScalarType.Float64);
            td = td.to_type(ScalarType.Float64);
        }

        var t = nn.functional.relu(td - (tau * (nn.functional.relu(x) + LogFloor).log()));
        var q = Quantise(t.detach());
        var tq = t + (q - t).detach();
        var fires = x.gt(0).logical_and(q.le(window - 1));
        var a = where(fires, ((td - tq) / tau).exp(), zeros_like(t));
        if (spikes is not null) spikes[0] += fires.sum().item<long>();
        return precise ? a.to_type(type) : a;
    }
}
