using System.Globalization;

namespace AkkaTtfs.Core.Engines;

/// <summary>The fields of a <see cref="SimulationResult"/>: what an engine recorded, what a comparison looks at.</summary>
[Flags]
public enum ResultFields
{
    None = 0,

    /// <summary>Sample count, class count, hidden stage count and window T (always recorded).</summary>
    Shape = 1 << 0,
    Predictions = 1 << 1,

    /// <summary>Output potentials, compared bit for bit.</summary>
    OutputPotentials = 1 << 2,

    /// <summary>Every hidden neuron's spike time (only when the run recorded them).</summary>
    SpikeTimes = 1 << 3,
    SpikesPerStage = 1 << 4,
    SynOps = 1 << 5,
    AnalogInputEvents = 1 << 6,
    FirstLayerMacs = 1 << 7,
    SpikesDelivered = 1 << 8,

    /// <summary>Fault counters: equal only between two runs of the same fault plan.</summary>
    Faults = 1 << 9,

    /// <summary>
    /// What the network computed: every field but the fault counters. Two runs are bit-identical when these agree;
    /// a fault-free run and a run of a plan whose faults cannot change anything agree here and still count differently.
    /// </summary>
    Computation = Shape | Predictions | OutputPotentials | SpikeTimes | SpikesPerStage | SynOps | AnalogInputEvents | FirstLayerMacs | SpikesDelivered,

    /// <summary>
    /// The network's answer and activity (predictions, potentials, spikes per layer, SynOps): what a fault study asks
    /// of a faulty run against the fault-free one, whatever the fault counters and delivered copies say.
    /// </summary>
    Outcome = Shape | Predictions | OutputPotentials | SpikesPerStage | SynOps,

    /// <summary>Everything, fault counters included: two runs of the same plan.</summary>
    All = Computation | Faults,
}

/// <summary>How a field differs.</summary>
public enum DifferenceKind
{
    /// <summary>A value differs (at <see cref="FieldDifference.Index"/>).</summary>
    Value,

    /// <summary>The arrays have different lengths (or a different number of stages).</summary>
    Length,

    /// <summary>One side recorded the field, the other did not.</summary>
    RecordedOnOneSide,
}

/// <summary>One field where two results differ, at its first differing place.</summary>
/// <param name="Field">The field (a single flag).</param>
/// <param name="Kind">Value, length, or recorded on one side only.</param>
/// <param name="Stage">The hidden stage, for spike times; null otherwise.</param>
/// <param name="Index">First differing index (sample * classes + class for potentials, sample * neurons + neuron for spike times, the stage for spikes per stage, the counter in <see cref="FaultCounters.Names"/> order for faults); -1 for a single value.</param>
/// <param name="This">The value on the side <see cref="SimulationResult.Compare"/> was called on.</param>
/// <param name="Other">The value on the other side.</param>
/// <param name="Count">How many values of the field differ (1 for a single value, a length or a recording difference).</param>
public sealed record FieldDifference(ResultFields Field, DifferenceKind Kind, int? Stage, long Index, string This, string Other, long Count = 1)
{
    public override string ToString()
    {
        var where = Stage is { } stage ? $" stage {stage}" : "";
        if (Index >= 0)
        {
            where += Field == ResultFields.Faults && Index < FaultCounters.Names.Count
                ? $" {FaultCounters.Names[(int)Index]}"
                : string.Create(CultureInfo.InvariantCulture, $"[{Index}]");
        }

        var kind = Kind switch { DifferenceKind.Length => " length", DifferenceKind.RecordedOnOneSide => " recorded", _ => "" };
        var count = Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({Count} differ)") : "";
        return $"{ResultComparison.Name(Field)}{where}{kind}: {This} vs {Other}{count}";
    }
}

/// <summary>
/// The result of <see cref="SimulationResult.Compare"/>: every compared field that differs (its first difference),
/// which fields were compared, and which neither side recorded (so could not be compared).
/// </summary>
public sealed class ResultComparison
{
    private static readonly ResultFields[] Order =
    [
        ResultFields.Shape, ResultFields.Predictions, ResultFields.OutputPotentials, ResultFields.SpikeTimes, ResultFields.SpikesPerStage,
        ResultFields.SynOps, ResultFields.AnalogInputEvents, ResultFields.FirstLayerMacs, ResultFields.SpikesDelivered, ResultFields.Faults,
    ];

    internal ResultComparison(ResultFields asked, ResultFields compared, IReadOnlyList<FieldDifference> differences)
    {
        Asked = asked;
        Compared = compared;
        NotRecorded = asked & ~compared & ~differences.Aggregate(ResultFields.None, (all, d) => all | d.Field);
        Differences = differences;
    }

    /// <summary>The fields the caller asked to compare.</summary>
    public ResultFields Asked { get; }

    /// <summary>The fields both sides recorded, so compared value by value.</summary>
    public ResultFields Compared { get; }

    /// <summary>Fields asked for that neither side recorded: not a difference, not a check either.</summary>
    public ResultFields NotRecorded { get; }

    /// <summary>The differing fields, in field order.</summary>
    public IReadOnlyList<FieldDifference> Differences { get; }

    /// <summary>True when no asked field differs (fields neither side recorded do not count; see <see cref="NotRecorded"/>).</summary>
    public bool IsIdentical => Differences.Count == 0;

    /// <summary>The fields with a difference.</summary>
    public ResultFields DifferingFields => Differences.Aggregate(ResultFields.None, (all, d) => all | d.Field);

    /// <summary>The difference of one field, or null.</summary>
    public FieldDifference? Of(ResultFields field) => Differences.FirstOrDefault(d => d.Field == field);

    /// <summary>One line: "identical (...)" or the differing fields with their first difference.</summary>
    public override string ToString()
    {
        var skipped = NotRecorded == ResultFields.None ? "" : $"; not recorded by either: {Names(NotRecorded)}";
        if (IsIdentical) return $"identical ({Names(Compared)}{skipped})";
        var plural = Differences.Count == 1 ? "field differs" : "fields differ";
        return $"{Differences.Count} {plural}: {string.Join("; ", Differences)}{skipped}";
    }

    /// <summary>The flags of <paramref name="fields"/> one by one, in field order.</summary>
    public static IEnumerable<ResultFields> Split(ResultFields fields) => Order.Where(f => (fields & f) != 0);

    /// <summary>The snake-case name of a single field (as in reports).</summary>
    public static string Name(ResultFields field) => field switch
    {
        ResultFields.Shape => "shape",
        ResultFields.Predictions => "predictions",
        ResultFields.OutputPotentials => "output_potentials",
        ResultFields.SpikeTimes => "spike_times",
        ResultFields.SpikesPerStage => "spikes_per_stage",
        ResultFields.SynOps => "syn_ops",
        ResultFields.AnalogInputEvents => "analog_input_events",
        ResultFields.FirstLayerMacs => "first_layer_macs",
        ResultFields.SpikesDelivered => "spikes_delivered",
        ResultFields.Faults => "faults",
        _ => Names(field),
    };

    private static string Names(ResultFields fields) => string.Join(", ", Split(fields).Select(Name));
}
