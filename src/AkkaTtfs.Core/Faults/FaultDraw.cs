namespace AkkaTtfs.Core.Faults;

/// <summary>
/// The one source of randomness of fault injection: a stateless keyed hash, so that a draw depends only on
/// its key and never on the order in which an engine happens to visit spikes, neurons, partitions or batches.
/// </summary>
/// <remarks>
/// Key: (plan seed, fault entry index, layer, stream, sample, index). Each component is absorbed with
/// <c>h = Mix((h ^ component) + 0x9E3779B97F4A7C15)</c>, starting from <c>h = Mix(seed + 0x9E3779B97F4A7C15)</c>,
/// where Mix is the SplitMix64 output function (Steele, Lea, Flood 2014; the same constants as
/// <see cref="Data.SplitMix64"/>). Components are taken as 64-bit two's complement. The uniform double in
/// [0, 1) is the top 53 bits of the last h times 2^-53. <c>stream</c> separates two draws of one event
/// (0: does the fault hit; 1: the jitter offset or the flipped bit). <c>sample</c> is the global sample
/// index, or <see cref="NoSample"/> for draws that hold for the whole run (neuron selection, weight faults).
/// <c>index</c> is the pooled output neuron for spike faults, the pre-pooling neuron [c][y][x] for neuron
/// faults and the weight's index in file layout for weight faults.
/// </remarks>
public static class FaultDraw
{
    /// <summary>The sample component of a draw that does not depend on the sample.</summary>
    public const long NoSample = -1;

    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const double Unit = 1.0 / (1UL << 53);

    /// <summary>The SplitMix64 output function: a bijection of 64-bit words with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Absorbs one key component into the running hash.</summary>
    public static ulong Absorb(ulong h, long component) => Mix((h ^ (ulong)component) + Gamma);

    /// <summary>The hash of the key's first four components (seed, entry, layer, stream), to cache per fault and layer.</summary>
    public static ulong Prefix(ulong seed, int entry, int layer, int stream) =>
        Absorb(Absorb(Absorb(Mix(seed + Gamma), entry), layer), stream);

    /// <summary>The uniform draw in [0, 1) of (prefix, sample, index).</summary>
    public static double Uniform(ulong prefix, long sample, long index) => ToUnit(Absorb(Absorb(prefix, sample), index));

    /// <summary>
    /// The integer form of "U &lt; rate" for a final hash h: (h &gt;&gt; 11) &lt; Threshold(rate), with
    /// Threshold(rate) = ceil(rate 2^53). Exact: U = (h &gt;&gt; 11) 2^-53, scaling by 2^53 is exact, and for an
    /// integer k, k &lt; x iff k &lt; ceil(x). Rate 0 gives 0 (never), rate 1 gives 2^53 (always).
    /// </summary>
    public static ulong Threshold(double rate)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "a rate is in [0, 1]");
        return (ulong)Math.Ceiling(rate * (1UL << 53));
    }

    /// <summary>The uniform double in [0, 1) of a final hash: its top 53 bits times 2^-53.</summary>
    public static double ToUnit(ulong h) => (h >> 11) * Unit;

    /// <summary>The uniform draw in [0, 1) of the full key.</summary>
    public static double Uniform(ulong seed, int entry, int layer, int stream, long sample, long index) =>
        Uniform(Prefix(seed, entry, layer, stream), sample, index);
}
