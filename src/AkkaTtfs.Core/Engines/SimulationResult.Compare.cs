using System.Globalization;

namespace AkkaTtfs.Core.Engines;

public sealed partial class SimulationResult
{
    /// <summary>
    /// The one comparison of two results, field by field: predictions, output potentials bit for bit (the float
    /// bits, so NaN and -0 compare as what they are), spike times per neuron, spikes per stage, SynOps, analog
    /// input events, first-layer MACs, delivered spikes and, if asked, fault counters. A field one side recorded
    /// and the other did not is a difference; a field neither recorded is listed in <see cref="ResultComparison.NotRecorded"/>.
    /// </summary>
    /// <param name="other">The result to compare with.</param>
    /// <param name="fields">
    /// What to compare: <see cref="ResultFields.All"/> for two runs of the same fault plan (counters included),
    /// <see cref="ResultFields.Computation"/> for bit-identity alone (a fault-free run against one whose faults cannot act).
    /// </param>
    public ResultComparison Compare(SimulationResult other, ResultFields fields = ResultFields.All)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<FieldDifference>();
        var compared = ResultFields.None;
        foreach (var field in ResultComparison.Split(fields))
        {
            bool mine = (Recorded & field) != 0, theirs = (other.Recorded & field) != 0;
            if (!mine && !theirs) continue;
            if (mine != theirs)
            {
                differences.Add(new FieldDifference(field, DifferenceKind.RecordedOnOneSide, null, -1, Said(mine), Said(theirs)));
                continue;
            }

            compared |= field;
            if (CompareField(field, other) is { } difference) differences.Add(difference);
        }

        return new ResultComparison(fields, compared, differences);
    }

    private static string Said(bool recorded) => recorded ? "recorded" : "not recorded";

    private FieldDifference? CompareField(ResultFields field, SimulationResult other) => field switch
    {
        ResultFields.Shape => Single(field, Shape(this), Shape(other)),
        ResultFields.Predictions => Elements(field, null, Predictions, other.Predictions, (a, b) => a == b, Text),
        ResultFields.OutputPotentials => Elements(field, null, OutputPotentials, other.OutputPotentials, SameBits, Text),
        ResultFields.SpikeTimes => CompareSpikeTimes(other),
        ResultFields.SpikesPerStage => Elements(field, null, SpikesPerStage, other.SpikesPerStage, (a, b) => a == b, Text),
        ResultFields.SynOps => Single(field, Text(SynOps), Text(other.SynOps)),
        ResultFields.AnalogInputEvents => Single(field, Text(AnalogInputEvents), Text(other.AnalogInputEvents)),
        ResultFields.FirstLayerMacs => Single(field, Text(FirstLayerMacs), Text(other.FirstLayerMacs)),
        ResultFields.SpikesDelivered => Single(field, Text(SpikesDelivered), Text(other.SpikesDelivered)),
        ResultFields.Faults => Elements(field, null, Faults.ToArray(), other.Faults.ToArray(), (a, b) => a == b, Text),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a single result field"),
    };

    private FieldDifference? CompareSpikeTimes(SimulationResult other)
    {
        var mine = SpikeTimes!;
        var theirs = other.SpikeTimes!;
        if (mine.Length != theirs.Length)
            return new FieldDifference(ResultFields.SpikeTimes, DifferenceKind.Length, null, -1, $"{Text(mine.Length)} stages", $"{Text(theirs.Length)} stages");
        FieldDifference? first = null;
        long count = 0;
        for (var d = 0; d < mine.Length; d++)
        {
            if (Elements(ResultFields.SpikeTimes, d, mine[d], theirs[d], (a, b) => a == b, Text) is not { } difference) continue;
            first ??= difference;
            count += difference.Count;
        }

        return first is null ? null : first with { Count = count };
    }

    private static FieldDifference? Single(ResultFields field, string mine, string theirs) =>
        string.Equals(mine, theirs, StringComparison.Ordinal) ? null : new FieldDifference(field, DifferenceKind.Value, null, -1, mine, theirs);

    /// <summary>The first differing element of two arrays and how many differ; a length difference first.</summary>
    private static FieldDifference? Elements<T>(ResultFields field, int? stage, T[] mine, T[] theirs, Func<T, T, bool> equal, Func<T, string> format)
    {
        if (mine.Length != theirs.Length)
            return new FieldDifference(field, DifferenceKind.Length, stage, -1, $"{Text(mine.Length)} values", $"{Text(theirs.Length)} values");
        var first = -1L;
        long count = 0;
        for (var i = 0; i < mine.Length; i++)
        {
            if (equal(mine[i], theirs[i])) continue;
            if (first < 0) first = i;
            count++;
        }

        return first < 0 ? null : new FieldDifference(field, DifferenceKind.Value, stage, first, format(mine[first]), format(theirs[first]), count);
    }

    private static bool SameBits(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    private static string Shape(SimulationResult r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.SampleCount} samples x {r.ClassCount} classes, {r.SpikesPerStage.Length} hidden stages, T {r.Window}");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(float value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value:R} (0x{BitConverter.SingleToInt32Bits(value):X8})");
}
