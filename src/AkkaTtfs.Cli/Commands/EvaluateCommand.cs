using System.CommandLine;
using System.Globalization;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;
using AkkaTtfs.Training.Evaluation;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs evaluate</c>: any model file on any dataset: quantised DNN vs event-driven SNN, spikes, SynOps, energy.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "Model file (.safetensors)", Required = true };
        var data = DatasetCommand.DataOption();
        var split = new Option<string>("--split") { Description = "Which split to evaluate: test or train", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var limit = new Option<int?>("--limit", "-n") { Description = "Evaluate only the first N samples of the split" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads for the DNN pass", DefaultValueFactory = _ => 1 };
        var report = new Option<FileInfo?>("--report") { Description = "Write the evaluation as JSON" };
        var eAc = new Option<double>("--e-ac") { Description = "Energy per accumulate in pJ (energy estimate)", DefaultValueFactory = _ => EnergyModel.Default.AccumulatePicojoules };
        var eMac = new Option<double>("--e-mac") { Description = "Energy per multiply-accumulate in pJ (energy estimate)", DefaultValueFactory = _ => EnergyModel.Default.MultiplyAccumulatePicojoules };
        var command = new Command("evaluate",
            "Evaluate a model file on a dataset split: accuracy of the quantised DNN (TorchSharp, same Q as the SNN) and of the Core event-driven SNN, " +
            "their prediction agreement, spikes per sample (total and per layer), SynOps vs the DNN's MACs, and the energy estimate")
        {
            model, data, split, limit, threads, report, eAc, eMac,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(limit) is < 1) throw new CliUsageException("--limit must be >= 1");
            if (parse.GetValue(threads) < 1) throw new CliUsageException("--threads must be >= 1");
            if (parse.GetValue(report) is { } reportTarget) CliFiles.CheckOutputFile(reportTarget.FullName, "--report");
            var modelPath = parse.GetValue(model)!.FullName;
            var snn = ModelFile.Load(modelPath);
            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            var dataset = parse.GetValue(split) == "train" ? pair.Train : pair.Test;
            TorchRuntime.OnTrainingThread(() =>
            {
                TorchRuntime.SetThreads(parse.GetValue(threads));
                return 0;
            });
            var n = Math.Min(parse.GetValue(limit) ?? dataset.Count, dataset.Count);
            Console.Error.WriteLine($"evaluating {modelPath} ({snn.Network.Architecture}) on {n} {dataset.Name} samples");
            var evaluation = ModelEvaluator.Evaluate(snn, dataset, n, new EnergyModel(parse.GetValue(eAc), parse.GetValue(eMac)), new ConsoleProgress("SNN samples", n));
            Print(evaluation);
            if (parse.GetValue(report) is { } file)
            {
                CliFiles.WriteText(file.FullName, System.Text.Json.JsonSerializer.Serialize(evaluation, ReportJson.Options));
                Console.WriteLine($"report written to  {file.FullName}");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The human-readable summary of an evaluation (stdout).</summary>
    public static void Print(EvaluationReport e)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"samples            {e.Samples} ({e.Dataset})"));
        Console.WriteLine(string.Create(inv, $"DNN accuracy       {e.DnnAccuracy:P2} (converted network, quantised TTFS activation)"));
        Console.WriteLine(string.Create(inv, $"SNN accuracy       {e.SnnAccuracy:P2} (Core event-driven reference)"));
        Console.WriteLine(string.Create(inv, $"DNN/SNN agreement  {e.PredictionAgreement:P2} ({e.DisagreeingSamples} samples disagree{(e.DisagreeingSamples > 0 ? ": " + string.Join(", ", e.DisagreeingIndices.Take(10)) + (e.DisagreeingSamples > 10 ? ", ..." : "") : "")})"));
        Console.WriteLine(string.Create(inv, $"spikes/sample      {Numbers.Fixed(e.SpikesPerSample, 1)}  per layer [{Numbers.List(e.SpikesPerSamplePerLayer, 1)}]  (DNN non-zero activations {Numbers.Fixed(e.DnnNonZeroActivationsPerSample, 1)})"));
        Console.WriteLine(string.Create(inv, $"SynOps/sample      {Numbers.Fixed(e.SynOpsPerSample, 0)}  vs DNN MACs/sample {e.DnnMacsPerSample:N0} ({e.SynOpsPerSample / Math.Max(1, e.DnnMacsPerSample):P1})"));
        Console.WriteLine(string.Create(inv, $"energy/sample      SNN {e.Energy.SnnPicojoules / 1000:F1} nJ vs DNN {e.Energy.DnnPicojoules / 1000:F1} nJ (ratio {e.Energy.Ratio:F3}; E_AC {e.Energy.Model.AccumulatePicojoules} pJ, E_MAC {e.Energy.Model.MultiplyAccumulatePicojoules} pJ; {e.EnergyAssumption})"));
        Console.WriteLine(string.Create(inv, $"time               DNN {e.DnnSeconds:F2} s, SNN {e.SnnSeconds:F2} s"));
    }
}
