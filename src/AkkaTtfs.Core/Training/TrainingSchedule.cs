namespace AkkaTtfs.Core.Training;

/// <summary>
/// The epoch schedule of the method (docs/ttfs-method.md sections 3 and 6) as plain functions: the SR
/// probability p(e), the E_sr / E_k scaling rule for short runs, and which epochs train the kernel and
/// may supply the kept checkpoint.
/// </summary>
public static class TrainingSchedule
{
    /// <summary>The paper's E_sr: SR reaches p = 1 after 50 epochs.</summary>
    public const int PaperSrEpochs = 50;

    /// <summary>The paper's E_k: the kernel is frozen for the first 50 epochs.</summary>
    public const int PaperKernelEpoch = 50;

    /// <summary>The rule in words, for --help and reports.</summary>
    public const string ScalingRule =
        "E_sr = max(1, min(50, floor(epochs/2))) and E_k = min(50, floor(epochs/2)): the paper's 50+50 schedule " +
        "from 100 epochs on, half the epochs each for shorter runs (as in docs/ttfs-method.md section 6)";

    /// <summary>p(e) = min(1, (e + 1) / E_sr), e the 0-based epoch: the chance that a layer uses the TTFS activation in a batch.</summary>
    public static double SrProbability(int epoch, int srEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(srEpochs, 1);
        return Math.Min(1.0, (epoch + 1.0) / srEpochs);
    }

    /// <summary>E_sr for a run of <paramref name="epochs"/> when not given: see <see cref="ScalingRule"/>.</summary>
    public static int ScaledSrEpochs(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        return Math.Max(1, Math.Min(PaperSrEpochs, epochs / 2));
    }

    /// <summary>E_k for a run of <paramref name="epochs"/> when not given: see <see cref="ScalingRule"/>.</summary>
    public static int ScaledKernelEpoch(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        return Math.Min(PaperKernelEpoch, epochs / 2);
    }

    /// <summary>
    /// The first epoch whose checkpoint may be kept: the one from which the preset's whole method is in
    /// force (SR: p = 1; TR/TB: kernel training and the losses active), so the best-checkpoint choice never
    /// returns a network trained without the parts of the method it is meant to show.
    /// </summary>
    public static int FirstSelectableEpoch(TrainingPreset preset, int srEpochs, int kernelEpoch)
    {
        var first = 0;
        if (preset.UsesSr()) first = Math.Max(first, srEpochs - 1);
        if (preset.UsesTr() || preset.UsesTb()) first = Math.Max(first, kernelEpoch);
        return first;
    }

    /// <summary>True when tau and td receive gradients in <paramref name="epoch"/>: always without TR, from E_k with TR.</summary>
    public static bool KernelTrainable(TrainingPreset preset, int epoch, int kernelEpoch) =>
        preset.UsesTtfs() && (!preset.UsesTr() || epoch >= kernelEpoch);
}
