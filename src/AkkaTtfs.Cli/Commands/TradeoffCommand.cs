using System.CommandLine;
using System.Globalization;
using AkkaTtfs.App.Services;
using AkkaTtfs.App.Training;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs tradeoff</c>: the accuracy / spikes trade-off of the method. Trains one SR+TR+TB model per
/// lambda_TB and seed (plus SM and the plain ReLU network per seed as references), evaluates each on the test
/// split and writes tradeoff.json, tradeoff.csv, tradeoff-points.csv and tradeoff.png. The work is <see cref="TradeoffService"/>'s.
/// </summary>
internal static class TradeoffCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var lambdas = new Option<string>("--lambda-tb")
        {
            Description = "Comma-separated lambda_TB values, one SR+TR+TB model each (0 = SR+TR)",
            DefaultValueFactory = _ => "0,1e-3,1e-2,1e-1,1",
        };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated training seeds; with several, each point is the mean and spread over them", DefaultValueFactory = _ => "1" };
        var references = new Option<string>("--references")
        {
            Description = "Reference runs per seed: sm, relu, both (sm,relu) or none",
            DefaultValueFactory = _ => "sm,relu",
        };
        references.AcceptOnlyFromAmong("sm,relu", "relu,sm", "sm", "relu", "none");
        var data = CliOptions.Data();
        var arch = CliOptions.Arch("Architecture string or preset");
        var epochs = CliOptions.Epochs("Training epochs of every run");
        var eSr = CliOptions.SrEpochs($"E_sr of every run. Default: {TrainingSchedule.ScalingRule}");
        var eK = CliOptions.KernelEpoch("E_k of every run (default: the same scaling rule)");
        var keep = CliOptions.Keep();
        var recipe = new Option<string>("--recipe")
        {
            Description = "Schedule of every run: 'default' (train's defaults: batch 128, constant lr, 10% validation split) or 'main' (the main job's: " +
                          "E_sr = E_k = a quarter of the epochs, batch 64, lr x0.1 for the last quarter, no validation split, last epoch kept)",
            DefaultValueFactory = _ => "default",
        };
        recipe.AcceptOnlyFromAmong("default", "main");
        var shift = new Option<int>("--shift") { Description = "N: random shift of every training sample by up to N pixels (as train --shift; 0 = none)" };
        var threads = CliOptions.TrainingThreads();
        var trainLimit = CliOptions.TrainLimit();
        var testLimit = CliOptions.TestLimit();
        var noModels = new Option<bool>("--no-models") { Description = "Do not keep the model files (by default each run's model and training report go to <out>/models/)" };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for the results (default runs/tradeoff-<data>-<arch>-<epochs>e)" };
        var command = new Command("tradeoff",
            "Trace the accuracy / spikes trade-off of the full method: train one SR+TR+TB model per --lambda-tb value and --seeds seed, plus SM and the " +
            "plain ReLU network per seed as references, evaluate each on the test split (DNN, SNN, agreement, spikes per layer, SynOps, energy estimate) " +
            "and write tradeoff.json, tradeoff.csv (one row per run), tradeoff-points.csv (mean, std, min, max over seeds) and tradeoff.png " +
            "(test accuracy vs spikes per sample). Runs one training at a time; a line per epoch and per finished run goes to stderr.")
        {
            lambdas, seeds, references, data, arch, epochs, eSr, eK, keep, recipe, shift, threads, trainLimit, testLimit, noModels, output,
        };

        command.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = new TradeoffSettings
            {
                Training = Recipe(parse.GetValue(recipe)!, parse.GetValue(epochs)) with
                {
                    Data = parse.GetValue(data)!,
                    Architecture = parse.GetValue(arch)!,
                    Epochs = parse.GetValue(epochs),
                    ShiftPixels = parse.GetValue(shift),
                    Threads = parse.GetValue(threads),
                    TrainLimit = parse.GetValue(trainLimit),
                    TestLimit = parse.GetValue(testLimit),
                },
                LambdaTb = parse.GetValue(lambdas)!,
                Seeds = parse.GetValue(seeds)!,
                References = parse.GetValue(references)!,
                KeepModels = !parse.GetValue(noModels),
                OutFolder = parse.GetValue(output)?.FullName,
            };
            // Given values win over the recipe's.
            settings = settings with
            {
                Training = settings.Training with
                {
                    SrEpochs = parse.GetValue(eSr) ?? settings.Training.SrEpochs,
                    KernelEpoch = parse.GetValue(eK) ?? settings.Training.KernelEpoch,
                    Keep = CliOptions.KeepRule(parse.GetValue(keep)) ?? settings.Training.Keep,
                },
            };
            var prepared = TradeoffService.Prepare(settings);
            using var interrupt = CliErrors.CancelOnCtrlC();
            var outcome = new TradeoffService(new SurrogateTrainer(), new ConsoleEvents()).Execute(prepared, interrupt.Token);
            Print(outcome.Report);
            Console.WriteLine($"written to {outcome.Folder}: {TradeoffWriter.JsonName}, {TradeoffWriter.RunsCsvName}, {TradeoffWriter.PointsCsvName}{(outcome.Plotted ? $", {TradeoffWriter.PlotName}" : "")}");
            return 0;
        }));
        return command;
    }

    /// <summary>The schedule of every run before the options given on the command line.</summary>
    private static TrainingOptions Recipe(string name, int epochs) =>
        name == "main" ? TrainingDefaults.MainJobFor(epochs) : new TrainingOptions { Epochs = epochs };

    private static void Print(TradeoffReport report)
    {
        Console.WriteLine("point                      seeds  test accuracy (mean +- std)   spikes/sample (mean +- std)   vs SM    agreement  energy SNN/DNN");
        foreach (var p in report.Points)
        {
            Console.WriteLine(string.Create(Inv,
                $"{p.Label,-26} {p.Seeds,5}  {p.Accuracy.Mean * 100,8:F2}% +- {p.Accuracy.StdDev * 100,4:F2}          {p.SpikesPerSample.Mean,8:F0} +- {p.SpikesPerSample.StdDev,6:F0}" +
                $"          {(p.SpikesVsSm is { } v ? Percent(v) : "-"),5}   {p.Agreement.Mean * 100,7:F2}%  {p.EnergyRatio.Mean,6:F3}"));
        }

        if (report.Points.Any(p => p.Preset == TrainingPreset.Relu.Name()))
            Console.WriteLine("(ReLU: the ReLU network's own test accuracy and non-zero activations; its converted SNN is in the CSV's snn_accuracy)");
    }

    /// <summary>-0.856 -> "-86%", 0.0004 -> "0%" (rounded first, so no sign on a zero).</summary>
    private static string Percent(double fraction)
    {
        var rounded = Math.Round(fraction * 100);
        return rounded == 0 ? "0%" : string.Create(Inv, $"{(rounded > 0 ? "+" : "")}{rounded:F0}%");
    }
}
