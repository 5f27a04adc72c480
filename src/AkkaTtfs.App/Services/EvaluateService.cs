using AkkaTtfs.App.Files;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Training;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Evaluation;

namespace AkkaTtfs.App.Services;

/// <summary>What <c>evaluate</c> is asked to do.</summary>
public sealed record EvaluateSettings(string ModelFile, string Data, bool TrainSplit, int? Limit, int Threads, string? ReportOut, EnergyModel Energy);

/// <summary>
/// <c>evaluate</c>: any model file on any dataset split: the quantised DNN (TorchSharp) against the Core
/// event-driven SNN. The report is Training's <see cref="EvaluationReport"/> (the same that <c>train</c> embeds).
/// </summary>
public sealed class EvaluateService(IAppEvents events)
{
    public EvaluationReport Run(EvaluateSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        OptionRanges.Limit.Check("--limit", s.Limit);
        OptionRanges.Threads.Check("--threads", s.Threads);
        if (s.ReportOut is { } reportTarget) OutputFiles.CheckOutputFile(reportTarget, "--report");
        var modelPath = Path.GetFullPath(s.ModelFile);
        var snn = ModelFile.Load(modelPath);
        var pair = DatasetCatalog.Load(s.Data);
        var dataset = s.TrainSplit ? pair.Train : pair.Test;
        Preflight.CheckFits(snn, dataset);     // before "evaluating" is printed, not inside the evaluation
        TorchRuntime.OnTrainingThread(() =>
        {
            TorchRuntime.SetThreads(s.Threads);
            return 0;
        });
        var n = Math.Min(s.Limit ?? dataset.Count, dataset.Count);
        events.Status($"evaluating {modelPath} ({snn.Network.Architecture}) on {n} {dataset.Name} samples");
        var evaluation = ModelEvaluator.Evaluate(snn, dataset, n, s.Energy, events.Counter("SNN samples", n));
        if (s.ReportOut is { } file) OutputFiles.WriteText(Path.GetFullPath(file), System.Text.Json.JsonSerializer.Serialize(evaluation, ReportJson.Options));
        return evaluation;
    }
}
