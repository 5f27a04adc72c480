using AkkaTtfs.App.Files;
using System.CommandLine;
using System.Globalization;
using AkkaTtfs.App.Training;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs tradeoff</c>: the accuracy / spikes trade-off of the method. Trains one SR+TR+TB model per
/// lambda_TB and seed (plus SM and the plain ReLU network per seed as references), evaluates each on the test
/// split and writes tradeoff.json, tradeoff.csv, tradeoff-points.csv and tradeoff.png.
/// </summary>
internal static class TradeoffCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var defaults = new TrainingOptions();
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
        var data = DatasetCommand.DataOption();
        var arch = new Option<string>("--arch", "-a") { Description = "Architecture string or preset", DefaultValueFactory = _ => defaults.Architecture };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Training epochs of every run", DefaultValueFactory = _ => defaults.Epochs };
        var eSr = new Option<int?>("--e-sr") { Description = $"E_sr of every run. Default: {TrainingSchedule.ScalingRule}" };
        var eK = new Option<int?>("--e-k") { Description = "E_k of every run (default: the same scaling rule)" };
        var keep = TrainCommand.KeepOption();
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => defaults.Threads };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training samples (before the validation split)" };
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first N test samples only" };
        var noModels = new Option<bool>("--no-models") { Description = "Do not keep the model files (by default each run's model and training report go to <out>/models/)" };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for the results (default runs/tradeoff-<data>-<arch>-<epochs>e)" };
        var command = new Command("tradeoff",
            "Trace the accuracy / spikes trade-off of the full method: train one SR+TR+TB model per --lambda-tb value and --seeds seed, plus SM and the " +
            "plain ReLU network per seed as references, evaluate each on the test split (DNN, SNN, agreement, spikes per layer, SynOps, energy estimate) " +
            "and write tradeoff.json, tradeoff.csv (one row per run), tradeoff-points.csv (mean, std, min, max over seeds) and tradeoff.png " +
            "(test accuracy vs spikes per sample). Runs one training at a time; a line per epoch and per finished run goes to stderr.")
        {
            lambdas, seeds, references, data, arch, epochs, eSr, eK, keep, threads, trainLimit, testLimit, noModels, output,
        };

        command.SetAction(parse => CliErrors.Run(() =>
        {
            var lambdaList = ParseList(parse.GetValue(lambdas)!, "--lambda-tb", s => double.Parse(s, NumberStyles.Float, Inv));
            var seedList = ParseList(parse.GetValue(seeds)!, "--seeds", s => int.Parse(s, NumberStyles.Integer, Inv));
            var refs = parse.GetValue(references)!;
            var entries = TradeoffSweep.Plan(lambdaList, seedList, refs.Contains("sm", StringComparison.Ordinal), refs.Contains("relu", StringComparison.Ordinal));
            var options = new TrainingOptions
            {
                Data = parse.GetValue(data)!,
                Architecture = parse.GetValue(arch)!,
                Epochs = parse.GetValue(epochs),
                SrEpochs = parse.GetValue(eSr),
                KernelEpoch = parse.GetValue(eK),
                Keep = parse.GetValue(keep) is { } k ? CheckpointRule.Parse(k) : null,
                Threads = parse.GetValue(threads),
                TrainLimit = parse.GetValue(trainLimit),
                TestLimit = parse.GetValue(testLimit),
            };
            foreach (var preset in entries.Select(e => e.Preset).Distinct()) (options with { Preset = preset }).Validate();
            var folder = parse.GetValue(output)?.FullName ?? DefaultFolder(options);
            if (File.Exists(folder)) throw new CliUsageException($"--out {folder} is a file; give a folder");
            var pair = DatasetCatalog.Load(options.Data);
            var plan = TrainingPlan.Create(pair, options);                       // the architecture against the data, before any folder or training
            var keepModels = !parse.GetValue(noModels);
            var outFolder = OutputFolder.Create(folder);
            if (keepModels) Directory.CreateDirectory(Path.Combine(folder, "models"));
            var tbKeep = options.Keep ?? CheckpointRule.DefaultFor(TrainingPreset.SrTrTb);
            Console.Error.WriteLine(string.Create(Inv,
                $"trade-off: {entries.Count} trainings of {options.Architecture} on {options.Data}, {options.Epochs} epochs each (E_sr {options.ResolvedSrEpochs}, " +
                $"E_k {options.ResolvedKernelEpoch}), lambda_TB {string.Join(",", lambdaList)}, seeds {string.Join(",", seedList)}, references {refs}, keep {tbKeep}"));
            var loadBefore = LoadAverage();
            IReadOnlyList<TradeoffRun> runs;
            try
            {
                runs = TradeoffSweep.Train(new SurrogateTrainer(), options, entries,
                    e => keepModels ? Path.Combine(folder, "models", e.FileStem + ".safetensors") : null, new ProgressPrinter(), CancellationToken.None);
            }
            catch
            {
                if (!keepModels) outFolder.RemoveIfCreated();
                throw;
            }

            var report = new TradeoffReport
            {
                Dataset = plan.DatasetName,
                Architecture = plan.Network.Architecture,
                Epochs = options.Epochs,
                Schedule = string.Create(Inv, $"E_sr {options.ResolvedSrEpochs}, E_k {options.ResolvedKernelEpoch}, Adam lr {options.LearningRate}, batch {options.BatchSize}, " +
                                              $"lambda_TR {options.LambdaTr}, validation fraction {options.ValidationFraction}, {options.Threads} libtorch thread(s)"),
                Keep = tbKeep.ToString(),
                LambdaTb = lambdaList,
                Seeds = seedList,
                TestSamples = plan.Test.Count,
                EnergyAccumulatePicojoules = EnergyModel.Default.AccumulatePicojoules,
                EnergyMultiplyAccumulatePicojoules = EnergyModel.Default.MultiplyAccumulatePicojoules,
                Runs = runs,
                Points = TradeoffSweep.Summarise(runs),
                Environment = new Dictionary<string, string>
                {
                    ["load_average_before"] = loadBefore,
                    ["load_average_after"] = LoadAverage(),
                    ["processor_count"] = Environment.ProcessorCount.ToString(Inv),
                },
            };
            TradeoffWriter.WriteData(report, folder);
            var plotted = TradeoffWriter.WritePlot(report, folder);
            Print(report);
            Console.WriteLine($"written to {folder}: {TradeoffWriter.JsonName}, {TradeoffWriter.RunsCsvName}, {TradeoffWriter.PointsCsvName}{(plotted ? $", {TradeoffWriter.PlotName}" : "")}");
            return 0;
        }));
        return command;
    }

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

    private static T[] ParseList<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
            if (values.Length == 0) throw new FormatException();
            return values;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new CliUsageException($"{option} '{text}' is not a comma-separated list of numbers");
        }
    }

    private static string DefaultFolder(TrainingOptions options)
    {
        var data = Path.GetFileName(Path.TrimEndingDirectorySeparator(options.Data));
        var name = string.Create(Inv, $"tradeoff-{data}-{options.Architecture}-{options.Epochs}e");
        foreach (var c in Path.GetInvalidFileNameChars()) name = name.Replace(c, '_');
        return Path.GetFullPath(Path.Combine("runs", name));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>One line per epoch (compact) and one per finished run, on stderr.</summary>
    private sealed class ProgressPrinter : IProgress<TradeoffProgress>
    {
        public void Report(TradeoffProgress value)
        {
            var head = string.Create(Inv, $"[{value.Entry.Index + 1}/{value.Total}] {value.Entry.Label} seed {value.Entry.Seed}");
            if (value.Training is { } t)
            {
                Console.Error.WriteLine(string.Create(Inv,
                    $"{head}  epoch {t.Epoch + 1}/{t.Epochs}  loss {t.Loss:F4}  val {(t.ValidationAccuracy is { } v ? v.ToString("P2", Inv) : "-")}{(t.IsKept ? "*" : " ")} " +
                    $"spikes {(t.ValidationSpikesPerSample is { } s ? s.ToString("F0", Inv) : "-")}  {t.SamplesPerSecond:F0} samples/s  ETA {t.Remaining:mm\\:ss}"));
            }
            else if (value.Run is { } r)
            {
                Console.Error.WriteLine(string.Create(Inv,
                    $"{head}: done, kept epoch {r.KeptEpoch}: SNN {r.SnnAccuracy:P2} (DNN {r.DnnAccuracy:P2}, agreement {r.Agreement:P2}), {r.SpikesPerSample:F0} spikes/sample, " +
                    $"{r.TrainingSeconds:F0} s; load {LoadAverage()}"));
            }
        }
    }
}
