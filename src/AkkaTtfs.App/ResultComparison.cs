using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.App;

/// <summary>
/// Which fields of two simulation results differ. The one comparison of the application layer (run
/// verification, the bench, fault-free vs faulty); it gives way to Core's SimulationResult.Compare once that exists.
/// </summary>
public sealed record ResultComparison(IReadOnlyList<string> Differences)
{
    /// <summary>The fields an outcome is judged by: predictions, output potentials bit for bit, spikes per layer, SynOps.</summary>
    private static readonly string[] OutputFields = ["samples", "predictions", "output_potentials", "spikes_per_layer", "synops"];

    /// <summary>Every field equal, fault counters and delivered spikes too.</summary>
    public bool Identical => Differences.Count == 0;

    /// <summary>The same outcome (predictions, potentials, spikes per layer, SynOps), whatever the fault counters say.</summary>
    public bool SameOutputs => !Differences.Any(d => OutputFields.Contains(d));

    public static ResultComparison Of(SimulationResult a, SimulationResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var differences = new List<string>();
        if (a.SampleCount != b.SampleCount) differences.Add("samples");
        if (!a.Predictions.AsSpan().SequenceEqual(b.Predictions)) differences.Add("predictions");
        if (!SameBits(a.OutputPotentials, b.OutputPotentials)) differences.Add("output_potentials");
        if (!a.SpikesPerStage.AsSpan().SequenceEqual(b.SpikesPerStage)) differences.Add("spikes_per_layer");
        if (a.SynOps != b.SynOps) differences.Add("synops");
        if (a.SpikesDelivered != b.SpikesDelivered) differences.Add("spikes_delivered");
        if (a.Faults != b.Faults) differences.Add("fault_counters");
        return new ResultComparison(differences);
    }

    private static bool SameBits(float[] a, float[] b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i])) return false;
        }

        return true;
    }
}
