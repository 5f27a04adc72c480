namespace AkkaTtfs.Core.Training;

/// <summary>
/// The ablation settings of the paper (docs/ttfs-method.md section 3), plus a plain ReLU network as the
/// throughput and accuracy baseline.
/// </summary>
public enum TrainingPreset
{
    /// <summary>Surrogate model: the TTFS activation in every hidden layer from the first batch; kernel trained from epoch 0, unregularised.</summary>
    Sm,

    /// <summary>SM with the stochastically relaxed activation: TTFS with probability p(e), else ReLU.</summary>
    Sr,

    /// <summary>SR with the kernel frozen until E_k, then trained with the initial-value regulariser L_TR.</summary>
    SrTr,

    /// <summary>SR+TR with the temporal-kernel-aware batch-norm loss L_TB from E_k: the full method.</summary>
    SrTrTb,

    /// <summary>Baseline: the same network with plain ReLU and no TTFS at all (its SNN is only as good as ReLU values fit the kernel).</summary>
    Relu,
}

/// <summary>Names and feature flags of <see cref="TrainingPreset"/>.</summary>
public static class TrainingPresets
{
    /// <summary>All presets with their command-line names.</summary>
    public static IReadOnlyList<(TrainingPreset Preset, string Name)> All { get; } =
    [
        (TrainingPreset.Sm, "SM"),
        (TrainingPreset.Sr, "SR"),
        (TrainingPreset.SrTr, "SR+TR"),
        (TrainingPreset.SrTrTb, "SR+TR+TB"),
        (TrainingPreset.Relu, "ReLU"),
    ];

    /// <summary>The paper's spelling, e.g. "SR+TR+TB".</summary>
    public static string Name(this TrainingPreset preset) =>
        All.FirstOrDefault(p => p.Preset == preset).Name ?? throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown preset");

    /// <summary>Parses "SM", "SR", "SR+TR", "SR+TR+TB" or "ReLU" (case-insensitive; '-' or '_' may stand for '+').</summary>
    public static TrainingPreset Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normal = text.Trim().Replace('-', '+').Replace('_', '+');
        foreach (var (preset, name) in All)
        {
            if (string.Equals(name, normal, StringComparison.OrdinalIgnoreCase)) return preset;
        }

        throw new ArgumentException($"preset '{text}' is not one of {string.Join(", ", All.Select(p => p.Name))}", nameof(text));
    }

    /// <summary>True when hidden layers use the TTFS activation at all (every preset but ReLU).</summary>
    public static bool UsesTtfs(this TrainingPreset preset) => preset != TrainingPreset.Relu;

    /// <summary>True when the activation is stochastically relaxed (SR).</summary>
    public static bool UsesSr(this TrainingPreset preset) => preset is TrainingPreset.Sr or TrainingPreset.SrTr or TrainingPreset.SrTrTb;

    /// <summary>True when the kernel is frozen before E_k and regularised by L_TR after (TR).</summary>
    public static bool UsesTr(this TrainingPreset preset) => preset is TrainingPreset.SrTr or TrainingPreset.SrTrTb;

    /// <summary>True when the batch-norm loss L_TB is added from E_k (TB).</summary>
    public static bool UsesTb(this TrainingPreset preset) => preset == TrainingPreset.SrTrTb;
}
