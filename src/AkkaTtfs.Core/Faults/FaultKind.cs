namespace AkkaTtfs.Core.Faults;

/// <summary>What a fault does. The level (<see cref="FaultLevel"/>) says where it acts.</summary>
public enum FaultKind
{
    /// <summary>Spike level: the spike is lost with probability rate.</summary>
    Drop,

    /// <summary>Spike level: with probability rate the spike arrives <c>steps</c> later; past the window it is late and lost.</summary>
    Delay,

    /// <summary>Spike level: with probability rate the spike moves by a uniform integer in [-steps, +steps]; below 0 it clamps to 0, past the window it is late and lost.</summary>
    Jitter,

    /// <summary>Neuron level: a fraction rate of the layer's neurons never fires.</summary>
    Dead,

    /// <summary>Neuron level: a fraction rate of the layer's neurons fires at relative time 0 whatever its potential.</summary>
    Stuck,

    /// <summary>Neuron level: a fraction rate of the layer's neurons has its threshold scaled by <c>factor</c>: r = Q(td - tau (ln u - ln factor)).</summary>
    Drift,

    /// <summary>Weight level: with probability rate per weight, one uniformly chosen bit of its float32 is flipped.</summary>
    BitFlip,

    /// <summary>Weight level: with probability rate per weight, the weight is set to 0.</summary>
    ZeroWeight,

    /// <summary>
    /// Spike level: with probability rate the spike is delivered twice, so every target adds w * x twice in a row
    /// (two fused multiply-adds, not one of 2 w * x). Its copies share the spike's key, so later entries treat
    /// them alike, and a spike duplicated again doubles its copies. Last in the enum so that the numeric values
    /// of the kinds before it did not change when it was added.
    /// </summary>
    Duplicate,
}

/// <summary>Where a fault acts.</summary>
public enum FaultLevel
{
    /// <summary>On the spikes a hidden layer emits, after pooling and before routing (keyed by sample, layer, pooled neuron).</summary>
    Spike,

    /// <summary>On a hidden layer's neurons, after the closed-form spike time and before pooling (neurons keyed by layer and neuron).</summary>
    Neuron,

    /// <summary>On a layer's weights, once, on a copy of the model (keyed by layer and weight index).</summary>
    Weight,
}

/// <summary>Names of the fault kinds as they appear in a plan file.</summary>
public static class FaultKinds
{
    private static readonly (FaultKind Kind, string Name)[] Table =
    [
        (FaultKind.Drop, "drop"),
        (FaultKind.Delay, "delay"),
        (FaultKind.Jitter, "jitter"),
        (FaultKind.Dead, "dead"),
        (FaultKind.Stuck, "stuck"),
        (FaultKind.Drift, "drift"),
        (FaultKind.BitFlip, "bitflip"),
        (FaultKind.ZeroWeight, "zero"),
        (FaultKind.Duplicate, "duplicate"),
    ];

    /// <summary>Every plan-file name, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>The plan-file name of a kind.</summary>
    public static string Name(FaultKind kind) => Table.First(t => t.Kind == kind).Name;

    /// <summary>Parses a plan-file name (exact, lower case).</summary>
    public static bool TryParse(string? name, out FaultKind kind)
    {
        foreach (var (k, n) in Table)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The level a kind acts at.</summary>
    public static FaultLevel LevelOf(FaultKind kind) => kind switch
    {
        FaultKind.Drop or FaultKind.Delay or FaultKind.Jitter or FaultKind.Duplicate => FaultLevel.Spike,
        FaultKind.Dead or FaultKind.Stuck or FaultKind.Drift => FaultLevel.Neuron,
        _ => FaultLevel.Weight,
    };

    /// <summary>True for the kinds that take <c>steps</c> (delay, jitter).</summary>
    public static bool TakesSteps(FaultKind kind) => kind is FaultKind.Delay or FaultKind.Jitter;

    /// <summary>True for the kinds that take <c>factor</c> (drift).</summary>
    public static bool TakesFactor(FaultKind kind) => kind == FaultKind.Drift;
}
