using System.Globalization;

namespace AkkaTtfs.Core.Faults;

/// <summary>
/// One entry of a fault plan: what (<see cref="Kind"/>), where (<see cref="Layer"/>: the 0-based index
/// of a weighted layer, the same index as <c>NetworkSpec.Stages</c>), how often (<see cref="Rate"/>) and
/// when (global samples <see cref="From"/> to <see cref="To"/>, both inclusive).
/// </summary>
/// <param name="Kind">What the fault does.</param>
/// <param name="Layer">Spike and neuron faults: a hidden (spiking) layer, whose emitted spikes / own neurons are hit. Weight faults: any weighted layer.</param>
/// <param name="Rate">In [0, 1]: probability per spike (spike level), fraction of the layer's neurons (neuron level), probability per weight (weight level).</param>
/// <param name="Steps">Delay: extra steps d &gt;= 0. Jitter: the half-width j &gt;= 0 of the uniform offset in [-j, +j]. 0 for other kinds.</param>
/// <param name="Factor">Drift: the threshold factor (&gt; 0, finite); 1 for other kinds.</param>
/// <param name="From">First global sample index the fault acts on (spike and neuron faults; weight faults act on the whole run).</param>
/// <param name="To">Last global sample index the fault acts on, inclusive; null: to the end of the run.</param>
public sealed record FaultSpec(FaultKind Kind, int Layer, double Rate, int Steps = 0, double Factor = 1.0, int From = 0, int? To = null)
{
    /// <summary>The largest delay or jitter half-width accepted (a delay of T or more makes every hit spike late).</summary>
    public const int MaxSteps = 255;

    public FaultLevel Level => FaultKinds.LevelOf(Kind);

    /// <summary>True when the fault acts on global sample <paramref name="sample"/>.</summary>
    public bool IsActive(int sample) => sample >= From && (To is not { } to || sample <= to);

    /// <summary>
    /// Checks the entry on its own (not against a model); <paramref name="entry"/> is its index in the
    /// plan, for the message. Throws <see cref="FaultPlanException"/> naming the entry and field.
    /// </summary>
    public void Validate(int entry)
    {
        if (!Enum.IsDefined(Kind)) throw new FaultPlanException($"unknown kind {(int)Kind}", entry, "kind");
        var name = FaultKinds.Name(Kind);
        if (Layer < 0) throw new FaultPlanException($"{Layer} is not a layer index (0-based weighted layer)", entry, "layer");
        if (!(Rate >= 0 && Rate <= 1)) throw new FaultPlanException(string.Create(CultureInfo.InvariantCulture, $"{Rate:R} is outside [0, 1]"), entry, "rate");
        if (FaultKinds.TakesSteps(Kind))
        {
            if (Steps < 0 || Steps > MaxSteps) throw new FaultPlanException($"{Steps} is outside [0, {MaxSteps}]", entry, "steps");
        }
        else if (Steps != 0)
        {
            throw new FaultPlanException($"{name} takes no steps (only delay and jitter do)", entry, "steps");
        }

        if (FaultKinds.TakesFactor(Kind))
        {
            if (!(Factor > 0) || !double.IsFinite(Factor)) throw new FaultPlanException(string.Create(CultureInfo.InvariantCulture, $"{Factor:R} is not a finite number > 0"), entry, "factor");
        }
        else if (Factor != 1.0)
        {
            throw new FaultPlanException($"{name} takes no factor (only drift does)", entry, "factor");
        }

        if (From < 0) throw new FaultPlanException($"{From} is negative (the first sample is 0)", entry, "from");
        if (To is { } to && to < From) throw new FaultPlanException($"{to} is before from = {From}", entry, "to");
        if (Level == FaultLevel.Weight && (From != 0 || To is not null))
            throw new FaultPlanException($"{name} is a weight fault, applied once to the model for the whole run; it takes no schedule (from/to)", entry, From != 0 ? "from" : "to");
    }
}
