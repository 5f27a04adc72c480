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
            ReportPrinter.Print(new EvaluateService(new ConsoleEvents()).Run(settings));
            if (settings.ReportOut is { } file) Console.WriteLine($"report written to  {file}");
            return 0;
        }));
        return command;
    }
}
