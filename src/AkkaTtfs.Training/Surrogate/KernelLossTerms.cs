using static TorchSharp.torch;

namespace AkkaTtfs.Training.Surrogate;

/// <summary>
/// The TR and TB losses of docs/ttfs-method.md section 3 as TorchSharp expressions; their closed forms in
/// double are <see cref="AkkaTtfs.Core.Training.KernelLosses"/>.
/// </summary>
public static class KernelLossTerms
{
    /// <summary>L_TR = sum_l (tau_l - tau_init)^2 + (td_l - td_init)^2.</summary>
    public static Tensor TemporalRegularisation(SurrogateNetwork network, double tauInit, double tdInit)
    {
        ArgumentNullException.ThrowIfNull(network);
        Tensor? sum = null;
        foreach (var layer in network.Hidden)
        {
            var term = (layer.Tau - tauInit).square() + (layer.Td - tdInit).square();
            sum = sum is null ? term : sum + term;
        }

        return sum ?? tensor(0f);
    }

    /// <summary>
    /// L_TB = - sum_l sum_c F(beta_lc, gamma_lc, xT_l), with xT_l = exp((td_l - (T-1))/tau_l) DETACHED, so this
    /// loss moves only the batch-norm scale gamma and shift beta, never tau and td.
    /// </summary>
    public static Tensor TemporalBatchNorm(SurrogateNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Tensor? sum = null;
        foreach (var layer in network.Hidden)
        {
            var xT = ((layer.Td - (network.Window - 1)) / layer.Tau).exp().detach();
            var term = -F(layer.BatchNorm.bias!, layer.BatchNorm.weight!, xT).sum();
            sum = sum is null ? term : sum + term;
        }

        return sum ?? tensor(0f);
    }

    /// <summary>F(beta, gamma, xT) = 1/2 (gamma^2/3 + gamma + 1) beta^3 - 1/2 xT beta^2 - 1/2 (xT^2 gamma + 2) beta - (xT^2 gamma^2 + 6) xT / 6, element-wise.</summary>
    public static Tensor F(Tensor beta, Tensor gamma, Tensor xT)
    {
        ArgumentNullException.ThrowIfNull(beta);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(xT);
        var xT2 = xT.square();
        return (0.5 * ((gamma.square() / 3) + gamma + 1) * beta.pow(3))
               - (0.5 * xT * beta.square())
               - (0.5 * ((xT2 * gamma) + 2) * beta)
               - (((xT2 * gamma.square()) + 6) * xT / 6);
    }
}
