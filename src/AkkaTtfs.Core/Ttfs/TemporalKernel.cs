namespace AkkaTtfs.Core.Ttfs;

/// <summary>
/// The temporal kernel of one spiking layer (docs/ttfs-method.md section 1): the value &lt;-&gt; spike-time
/// code with time constant <see cref="Tau"/>, delay <see cref="Td"/> and a firing window of <see cref="T"/> steps.
/// </summary>
/// <remarks>
/// Every numeric decision of the code lives here, in one arithmetic form, so that the DNN oracle, the
/// simulators and the actor runtime agree: a spike time is computed in double from the float membrane
/// value, and decoded values come from one float table built once per kernel.
/// </remarks>
public sealed class TemporalKernel : IEquatable<TemporalKernel>
{
    /// <summary>Marks "no spike" wherever a relative spike time is stored as an int.</summary>
    public const int NoSpike = -1;

    /// <summary>The largest window the byte-sized spike times of the data plane can carry.</summary>
    public const int MaxWindow = 256;

    private readonly float[] _decodeTable;

    public TemporalKernel(float tau, float td, int t)
    {
        if (!(tau > 0) || !float.IsFinite(tau))
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must be a finite number > 0");
        if (!float.IsFinite(td))
            throw new ArgumentOutOfRangeException(nameof(td), td, "td must be finite");
        if (t < 1 || t > MaxWindow)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"T must be in [1, {MaxWindow}]");
        Tau = tau;
        Td = td;
        T = t;
        _decodeTable = new float[t];
        for (var r = 0; r < t; r++)
            _decodeTable[r] = (float)Math.Exp(((double)td - r) / tau);
    }

    /// <summary>Time constant (steps per factor e of value).</summary>
    public float Tau { get; }

    /// <summary>Delay: the value exp(td/tau) fires at relative time 0.</summary>
    public float Td { get; }

    /// <summary>Window length in steps; relative spike times lie in [0, T-1].</summary>
    public int T { get; }

    /// <summary>Largest representable value, exp(td/tau) (a spike at r = 0; larger values saturate).</summary>
    public float MaxValue => _decodeTable[0];

    /// <summary>Smallest value that still spikes, exp((td-(T-1))/tau).</summary>
    public float MinValue => _decodeTable[T - 1];

    /// <summary>The rounding of the method: Q(t) = max(0, ceil(t - 0.5)), round half down, clamped at 0.</summary>
    public static int Q(double t)
    {
        var q = Math.Ceiling(t - 0.5);
        // Huge t (tiny x) must not overflow the int conversion; anything past int range is "never".
        if (q <= 0) return 0;
        return q >= int.MaxValue ? int.MaxValue : (int)q;
    }

    /// <summary>
    /// Relative spike time of value <paramref name="x"/>: Q(td - tau ln x), or <see cref="NoSpike"/> when
    /// x &lt;= 0 (or NaN) or the time falls past T-1.
    /// </summary>
    public int Encode(float x)
    {
        if (!(x > 0)) return NoSpike;
        var r = Q(Td - (Tau * Math.Log(x)));
        return r <= T - 1 ? r : NoSpike;
    }

    /// <summary>Decoded value of a spike at relative time r: exp((td - r)/tau), from the kernel's table.</summary>
    public float Decode(int r) => _decodeTable[r];

    /// <summary>The decode table, index = relative spike time.</summary>
    public ReadOnlySpan<float> DecodeTable => _decodeTable;

    /// <summary>Dynamic threshold theta(r) = exp(-(r + 0.5 - td)/tau) of the clock-driven view, in double.</summary>
    public double Threshold(int r) => Math.Exp(-((r + 0.5) - Td) / Tau);

    public bool Equals(TemporalKernel? other) =>
        other is not null && Tau.Equals(other.Tau) && Td.Equals(other.Td) && T == other.T;

    public override bool Equals(object? obj) => Equals(obj as TemporalKernel);

    public override int GetHashCode() => HashCode.Combine(Tau, Td, T);

    public override string ToString() => $"tau={Tau:R} td={Td:R} T={T}";
}
