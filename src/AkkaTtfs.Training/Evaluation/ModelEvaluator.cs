using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using System.Diagnostics;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Training.Evaluation;

/// <summary>
/// Measures a converted model on a dataset split: the quantised DNN (<see cref="QuantisedForward"/>) against
/// the Core event-driven reference SNN, their prediction agreement, spikes per sample (total and per layer),
/// SynOps against the DNN's MACs, and the energy estimate.
/// </summary>
public static class ModelEvaluator
{
    /// <summary>Evaluates <paramref name="model"/> on the first <paramref name="limit"/> samples of <paramref name="data"/> (all when null).</summary>
    public static EvaluationReport Evaluate(SnnModel model, Dataset data, int? limit = null, EnergyModel? energy = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        CheckFits(model, data);
        energy ??= EnergyModel.Default;
        var n = Math.Min(limit ?? data.Count, data.Count);
        if (n < 1) throw new ArgumentException($"dataset '{data.Name}' has no samples to evaluate");
        var inputs = data.NormaliseRange(0, n, model.Normalisation);
        var labels = data.LabelBytes.Span[..n];

        var clock = Stopwatch.StartNew();
        var snn = new EventDrivenSimulator().Run(model, inputs, n, new SimulationOptions(64, Progress: progress));
        var snnSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        QuantisedForwardResult dnn;
        using (var forward = new QuantisedForward(model))
            dnn = TorchRuntime.OnTrainingThread(() => forward.Run(inputs, n));
        var dnnSeconds = clock.Elapsed.TotalSeconds;

        var disagreeing = new List<int>();
        var dnnCorrect = 0;
        for (var s = 0; s < n; s++)
        {
            if (dnn.Predictions[s] != snn.Predictions[s]) disagreeing.Add(s);
            if (dnn.Predictions[s] == labels[s]) dnnCorrect++;
        }

        var estimate = energy.Estimate(model.Network, snn);
        return new EvaluationReport(
            data.Name,
            n,
            (double)dnnCorrect / n,
            snn.Accuracy(labels),
            1.0 - ((double)disagreeing.Count / n),
            disagreeing.Count,
            disagreeing.Take(100).ToArray(),
            snn.SpikesPerSample,
            snn.SpikesPerStage.Select(c => (double)c / n).ToArray(),
            (double)dnn.NonZeroActivations.Sum() / n,
            snn.SynOpsPerSample,
            model.Network.Macs,
            estimate,
            EvaluationReport.Assumption,
            dnnSeconds,
            snnSeconds);
    }

    /// <summary>The model must take the dataset's sample shape and have exactly one output per class.</summary>
    public static void CheckFits(SnnModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model.Network.Input != data.SampleShape)
            throw new ArgumentException($"the model takes inputs of shape {model.Network.Input}, but {data.Name} has samples of shape {data.SampleShape}");
        if (data.ClassCount > model.Network.ClassCount)
            throw new ArgumentException($"the model has {model.Network.ClassCount} output classes, but {data.Name} has labels up to {data.ClassCount - 1}");
    }
}
