namespace AkkaTtfs.Core.Training;

/// <summary>
/// Closed forms of the two extra losses of docs/ttfs-method.md section 3, in double: the test oracles of the
/// TorchSharp implementation, and the values reports quote.
/// </summary>
public static class KernelLosses
{
    /// <summary>L_TR = sum over layers of (tau_l - tau_init)^2 + (td_l - td_init)^2 (without the weight lambda_TR).</summary>
    public static double TemporalRegularisation(IReadOnlyList<double> taus, IReadOnlyList<double> tds, double tauInit, double tdInit)
    {
        ArgumentNullException.ThrowIfNull(taus);
        ArgumentNullException.ThrowIfNull(tds);
        if (taus.Count != tds.Count) throw new ArgumentException($"{taus.Count} taus but {tds.Count} tds");
        var sum = 0.0;
        for (var l = 0; l < taus.Count; l++)
            sum += ((taus[l] - tauInit) * (taus[l] - tauInit)) + ((tds[l] - tdInit) * (tds[l] - tdInit));
        return sum;
    }

    /// <summary>The smallest value that still spikes, x_min = exp((td - (T-1))/tau): the threshold xT of L_TB.</summary>
    public static double MinimumValue(double tau, double td, int t) => Math.Exp((td - (t - 1)) / tau);

    /// <summary>
    /// F(beta, gamma, xT) = 1/2 (gamma^2/3 + gamma + 1) beta^3 - 1/2 xT beta^2 - 1/2 (xT^2 gamma + 2) beta - (xT^2 gamma^2 + 6) xT / 6.
    /// </summary>
    public static double F(double beta, double gamma, double xT) =>
        (0.5 * ((gamma * gamma / 3) + gamma + 1) * beta * beta * beta)
        - (0.5 * xT * beta * beta)
        - (0.5 * ((xT * xT * gamma) + 2) * beta)
        - (((xT * xT * gamma * gamma) + 6) * xT / 6);

    /// <summary>dF/dbeta = 3/2 (gamma^2/3 + gamma + 1) beta^2 - xT beta - 1/2 (xT^2 gamma + 2).</summary>
    public static double DFDBeta(double beta, double gamma, double xT) =>
        (1.5 * ((gamma * gamma / 3) + gamma + 1) * beta * beta) - (xT * beta) - (0.5 * ((xT * xT * gamma) + 2));

    /// <summary>dF/dgamma = 1/2 (2 gamma/3 + 1) beta^3 - 1/2 xT^2 beta - xT^3 gamma / 3.</summary>
    public static double DFDGamma(double beta, double gamma, double xT) =>
        (0.5 * ((2 * gamma / 3) + 1) * beta * beta * beta) - (0.5 * xT * xT * beta) - (xT * xT * xT * gamma / 3);

    /// <summary>
    /// L_TB = - sum over layers l and channels c of F(beta_lc, gamma_lc, xT_l) (without the weight lambda_TB),
    /// with xT_l = <see cref="MinimumValue"/> of layer l.
    /// </summary>
    public static double TemporalBatchNorm(IReadOnlyList<(double[] Beta, double[] Gamma, double XT)> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var sum = 0.0;
        foreach (var (beta, gamma, xT) in layers)
        {
            if (beta.Length != gamma.Length) throw new ArgumentException($"{beta.Length} betas but {gamma.Length} gammas");
            for (var c = 0; c < beta.Length; c++)
                sum -= F(beta[c], gamma[c], xT);
        }

        return sum;
    }
}
