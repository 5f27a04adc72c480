using System.CommandLine;
using AkkaTtfs.App;
using System.Globalization;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.App.Services;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs evaluate</c>: any model file on any dataset: quantised DNN vs event-driven SNN, spikes, SynOps, energy.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data();
        var split = CliOptions.Split("evaluate");
        var limit = CliOptions.Limit("Evaluate only the first N samples of the split");
        var threads = CliOptions.Int("--threads", "libtorch threads for the DNN pass", OptionRanges.Threads, 1);
        var report = new Option<FileInfo?>("--report") { Description = "Write the evaluation as JSON" };
        var eAc = CliOptions.EnergyPerAccumulate();
        var eMac = CliOptions.EnergyPerMac();
        var command = new Command("evaluate",
            "Evaluate a model file on a dataset split: accuracy of the quantised DNN (TorchSharp, same Q as the SNN) and of the Core event-driven SNN, " +
            "their prediction agreement, spikes per sample (total and per layer), SynOps vs the DNN's MACs, and the energy estimate")
        {
            model, data, split, limit, threads, report, eAc, eMac,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            var settings = new EvaluateSettings(parse.GetValue(model)!.FullName, parse.GetValue(data)!, parse.GetValue(split) == "train", parse.GetValue(limit),
                parse.GetValue(threads), parse.GetValue(report)?.FullName, new EnergyModel(parse.GetValue(eAc), parse.GetValue(eMac)));
            Print(new EvaluateService(new ConsoleEvents()).Run(settings));
            if (settings.ReportOut is { } file) Console.WriteLine($"report written to  {file}");
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
