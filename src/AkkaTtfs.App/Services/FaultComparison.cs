using System.Globalization;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.App.Services;

/// <summary>The fault-free vs faulty comparison that <c>simulate --faults</c> and <c>run --faults</c> report.</summary>
public static class FaultComparison
{
    public static FaultComparisonReport Compare(string planFile, FaultPlan plan, SnnModel model, byte[] labels,
        SimulationResult clean, double cleanSeconds, SimulationResult faulty, double faultySeconds)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(faulty);
        var neurons = plan.Faults.Select((f, i) => (f, i)).Where(x => x.f.Level == FaultLevel.Neuron)
            .ToDictionary(x => x.i.ToString(CultureInfo.InvariantCulture), x => plan.SelectedNeurons(x.i, model.Network));
        return new FaultComparisonReport(
            planFile,
            plan.Seed,
            plan.Describe().ToArray(),
            neurons,
            faulty.Faults.Entries().ToDictionary(e => e.Key, e => e.Value),
            ResultMetrics.Of(clean, labels, cleanSeconds),
            ResultMetrics.Of(faulty, labels, faultySeconds),
            faulty.Accuracy(labels) - clean.Accuracy(labels),
            Enumerable.Range(0, clean.SampleCount).Count(s => clean.Predictions[s] != faulty.Predictions[s]),
            clean.Compare(faulty, ResultFields.Outcome).IsIdentical);
    }
}
