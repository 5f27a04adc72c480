using System.CommandLine;
using System.Globalization;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Network;
using AkkaTtfs.App.Training;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs train</c>: train the surrogate DNN, convert it to an SNN, evaluate it and write the model file and a JSON report.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainingOptions();
        var data = DatasetCommand.DataOption();
        var arch = new Option<string>("--arch", "-a")
        {
            Description = $"Architecture string (e.g. c12k5-p2-c64k5-p2-d10) or preset ({string.Join(", ", ArchitectureParser.Presets.Keys)})",
            DefaultValueFactory = _ => defaults.Architecture,
        };
        var preset = PresetOption(
            "SM (TTFS activation always; kernel trained from epoch 0), SR (+ stochastic relaxation), SR+TR (+ kernel frozen before E_k, " +
            "then regularised), SR+TR+TB (+ batch-norm loss from E_k: the full method), ReLU (plain ReLU baseline)",
            defaults.Preset.Name());
        var epochs = new Option<int>("--epochs", "-e") { Description = "Training epochs", DefaultValueFactory = _ => defaults.Epochs };
        var eSr = new Option<int?>("--e-sr") { Description = $"E_sr: SR reaches p = 1 at epoch E_sr - 1, p(e) = min(1, (e+1)/E_sr). Default: {TrainingSchedule.ScalingRule}" };
        var eK = new Option<int?>("--e-k") { Description = "E_k: first epoch of kernel training (TR presets) and of L_TR / L_TB. Default: the same scaling rule as --e-sr (epochs/2 below 100 epochs, 50 from 100 on)" };
        var lambdaTr = new Option<double>("--lambda-tr") { Description = "Weight of L_TR = sum (tau - tau_init)^2 + (td - td_init)^2", DefaultValueFactory = _ => defaults.LambdaTr };
        var lambdaTb = new Option<double>("--lambda-tb")
        {
            Description = "Weight of L_TB (the batch-norm loss); the paper's 1e-4 barely acts in short runs, the default 1e-2 was chosen by the sweep in docs/benchmarks.md",
            DefaultValueFactory = _ => defaults.LambdaTb,
        };
        var tauInit = new Option<double>("--tau-init") { Description = "Initial tau of every hidden layer", DefaultValueFactory = _ => defaults.TauInit };
        var tdInit = new Option<double>("--td-init") { Description = "Initial td of every hidden layer", DefaultValueFactory = _ => defaults.TdInit };
        var window = new Option<int>("--T") { Description = "Window length T in steps", DefaultValueFactory = _ => defaults.T };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (constant)", DefaultValueFactory = _ => defaults.LearningRate };
        var lrDrop = new Option<string?>("--lr-drop")
        {
            Description = "EPOCH[:FACTOR]: multiply the learning rate by FACTOR (default 0.1) from 1-based epoch EPOCH on; default: constant (the paper)",
        };
        var keep = KeepOption();
        var traceTest = new Option<bool>("--trace-test")
        {
            Description = "Diagnostic: also measure the surrogate's test accuracy and spikes after every epoch (in the report's history and the epoch plot; never used to choose the kept epoch)",
        };
        var batch = new Option<int>("--batch", "-b") { Description = "Mini-batch size", DefaultValueFactory = _ => defaults.BatchSize };
        var dropout = new Option<double>("--dropout") { Description = "Dropout after every hidden activation (0 = none)", DefaultValueFactory = _ => defaults.Dropout };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, shuffling, SR draws, dropout, augmentation and the validation split (repeatable on one machine)", DefaultValueFactory = _ => defaults.Seed };
        var validation = new Option<double>("--validation") { Description = "Share of the training split held out to choose the kept checkpoint (see --keep; 0 = keep the last epoch)", DefaultValueFactory = _ => defaults.ValidationFraction };
        var augment = new Option<bool>("--augment") { Description = "Pad-4 random crop and horizontal flip of training samples (CIFAR-like data; not for digits)" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => defaults.Threads };
        var normalisation = new Option<string>("--normalisation")
        {
            Description = "auto (unit range for one channel, mean/std for colour), unit (bytes/255) or meanstd (per-channel, from the training split)",
            DefaultValueFactory = _ => "auto",
        };
        normalisation.AcceptOnlyFromAmong("auto", "unit", "meanstd");
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training samples (before the validation split)" };
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first N test samples only" };
        var noEval = new Option<bool>("--no-eval") { Description = "Skip the SNN evaluation after training" };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Model file to write (default runs/<data>-<arch>-<preset>-s<seed>.safetensors); the JSON report goes next to it as <name>.report.json" };
        var eAc = new Option<double>("--e-ac") { Description = "Energy per accumulate in pJ (energy estimate)", DefaultValueFactory = _ => EnergyModel.Default.AccumulatePicojoules };
        var eMac = new Option<double>("--e-mac") { Description = "Energy per multiply-accumulate in pJ (energy estimate)", DefaultValueFactory = _ => EnergyModel.Default.MultiplyAccumulatePicojoules };
        var throughput = new Option<int?>("--throughput-rounds")
        {
            Description = "Do not train: measure training samples/s of the surrogate (full method: TTFS everywhere, L_TR, L_TB) and of the same network " +
                          "with plain ReLU, same batch and threads, in N alternating rounds of 20 steps, and print the medians and their ratio",
        };
        var command = new Command("train",
            "Train the surrogate DNN (docs/ttfs-method.md section 3) with TorchSharp, convert it to an SNN, evaluate DNN and SNN on the test split, " +
            "and write the model file and a JSON report. Progress per epoch goes to stderr. " +
            $"E_sr/E_k scaling rule: {TrainingSchedule.ScalingRule}.")
        {
            data, arch, preset, epochs, eSr, eK, lambdaTr, lambdaTb, tauInit, tdInit, window, lr, lrDrop, keep, traceTest, batch, dropout, seed, validation, augment, threads,
            normalisation, trainLimit, testLimit, noEval, output, eAc, eMac, throughput,
        };

        command.SetAction(parse => CliErrors.Run(() =>
        {
            var options = new TrainingOptions
            {
                Data = parse.GetValue(data)!,
                Architecture = parse.GetValue(arch)!,
                Preset = TrainingPresets.Parse(parse.GetValue(preset)!),
                Epochs = parse.GetValue(epochs),
                SrEpochs = parse.GetValue(eSr),
                KernelEpoch = parse.GetValue(eK),
                LambdaTr = parse.GetValue(lambdaTr),
                LambdaTb = parse.GetValue(lambdaTb),
                TauInit = parse.GetValue(tauInit),
                TdInit = parse.GetValue(tdInit),
                T = parse.GetValue(window),
                LearningRate = parse.GetValue(lr),
                LearningRateDropEpoch = ParseLrDrop(parse.GetValue(lrDrop))?.Epoch,
                LearningRateDropFactor = ParseLrDrop(parse.GetValue(lrDrop))?.Factor ?? defaults.LearningRateDropFactor,
                Keep = parse.GetValue(keep) is { } k ? CheckpointRule.Parse(k) : null,
                TraceTest = parse.GetValue(traceTest),
                BatchSize = parse.GetValue(batch),
                Dropout = parse.GetValue(dropout),
                Seed = parse.GetValue(seed),
                ValidationFraction = parse.GetValue(validation),
                Augment = parse.GetValue(augment),
                Threads = parse.GetValue(threads),
                Normalisation = parse.GetValue(normalisation) switch
                {
                    "unit" => NormalisationChoice.UnitRange,
                    "meanstd" => NormalisationChoice.MeanStd,
                    _ => NormalisationChoice.Auto,
                },
                TrainLimit = parse.GetValue(trainLimit),
                TestLimit = parse.GetValue(testLimit),
                Evaluate = !parse.GetValue(noEval),
                Energy = new EnergyModel(parse.GetValue(eAc), parse.GetValue(eMac)),
            };
            options.Validate();
            if (parse.GetValue(throughput) is { } rounds)
                return MeasureThroughput(options, rounds);
            // The output is checked before training, not after: a folder given as --out, or a report path that
            // is a folder, would otherwise fail only when the model is written, minutes later.
            var path = parse.GetValue(output)?.FullName ?? DefaultOutput(options);
            if (Directory.Exists(path)) throw new CliUsageException($"--out {path} is a folder; give the model file's name (e.g. {Path.Combine(path, "model.safetensors")})");
            foreach (var extra in new[] { SurrogateTrainer.ReportPathFor(path), EpochPlot.PathFor(path) })
            {
                if (Directory.Exists(extra)) throw new CliUsageException($"{extra} would be written next to the model, but it is a folder; choose another --out");
            }

            // The data and the architecture against it, before a folder is made or a line says "training".
            var pair = Core.Data.DatasetCatalog.Load(options.Data);
            TrainingPlan.Create(pair, options);
            var folder = Path.GetDirectoryName(path)!;
            var createdFolder = !Directory.Exists(folder);
            Directory.CreateDirectory(folder);
            options = options with { OutputPath = path };

            Console.Error.WriteLine($"training {options.Architecture} ({options.Preset.Name()}) on {options.Data}: {options.Epochs} epochs, " +
                                    $"E_sr {options.ResolvedSrEpochs}, E_k {options.ResolvedKernelEpoch}, batch {options.BatchSize}, lr {options.LearningRate}, " +
                                    $"lambda_TR {options.LambdaTr}, lambda_TB {options.LambdaTb}, keep {options.ResolvedKeep}, seed {options.Seed}, {options.Threads} libtorch thread(s)");
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            TrainingResult? result = null;
            try
            {
                result = new SurrogateTrainer().Train(pair, options, new EpochPrinter(), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("training cancelled; nothing written");
                return 130;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                // A folder made for the output goes again when nothing was written into it (cancelled, or training failed).
                if (result is null && createdFolder && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            }

            var report = result.Report;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"kept epoch         {report.KeptEpoch}/{options.Epochs} by {options.ResolvedKeep}{(report.KeptValidationAccuracy is { } v ? $" (validation {v:P2}, {report.KeptValidationSpikesPerSample:F0} spikes/sample; best validation {report.BestValidationAccuracy:P2})" : " (last epoch, no validation split)")}"));
            Console.WriteLine(string.Create(inv, $"training           {report.TrainingSeconds:F1} s, {report.SamplesPerSecond:F0} samples/s ({options.Threads} thread(s))"));
            Console.WriteLine(string.Create(inv, $"surrogate test acc {report.SurrogateTestAccuracy:P2} (batch norm, {(options.Preset.UsesTtfs() ? "TTFS activation" : "plain ReLU")}, float)"));
            Console.WriteLine($"kernels            {string.Join("  ", report.Kernels.Select(k => string.Create(inv, $"{k.Token}: tau {k.Tau:G5} td {k.Td:G4}")))}");
            if (report.Evaluation is { } evaluation) EvaluateCommand.Print(evaluation);
            Console.WriteLine($"model written to   {report.ModelPath}");
            Console.WriteLine($"report written to  {SurrogateTrainer.ReportPathFor(report.ModelPath!)}");
            var plotPath = EpochPlot.PathFor(report.ModelPath!);
            if (EpochPlot.Write(report, plotPath)) Console.WriteLine($"epoch plot         {plotPath}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// --preset for train and run: accepts what <see cref="TrainingPresets.Parse"/> accepts (any case, '-' or '_'
    /// for '+'), refuses anything else at parse time; the help lists the canonical names.
    /// </summary>
    internal static Option<string> PresetOption(string description, string defaultValue)
    {
        var names = string.Join(", ", TrainingPresets.All.Select(p => p.Name));
        var option = new Option<string>("--preset")
        {
            Description = $"{description}. Case-insensitive; '-' or '_' may stand for '+' (sr-tr-tb)",
            HelpName = string.Join('|', TrainingPresets.All.Select(p => p.Name)),
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            try
            {
                TrainingPresets.Parse(text);
            }
            catch (ArgumentException)
            {
                result.AddError($"option '--preset' got '{text}'; it must be one of {names} (case-insensitive; '-' or '_' may stand for '+')");
            }
        });
        return option;
    }

    /// <summary>--keep for train (and tradeoff): best, last, efficient or efficient:DROP, checked at parse time.</summary>
    internal static Option<string?> KeepOption()
    {
        var option = new Option<string?>("--keep")
        {
            Description = "Which epoch's checkpoint to keep, among the epochs where the preset's whole method is in force: best (highest validation accuracy), " +
                          "last, or efficient[:DROP] (fewest validation spikes among the epochs within DROP percentage points of the best validation accuracy; " +
                          $"DROP default {CheckpointRule.DefaultDropPoints}). Default: {CheckpointRule.DefaultFor(TrainingPreset.SrTrTb)} for SR+TR+TB, best for the other presets",
            HelpName = "best|last|efficient[:DROP]",
        };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is null) return;
            try
            {
                CheckpointRule.Parse(text);
            }
            catch (ArgumentException ex)
            {
                result.AddError($"option '--keep': {ex.Message.Split(" (Parameter")[0]}");
            }
        });
        return option;
    }

    private static (int Epoch, double Factor)? ParseLrDrop(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        if (parts.Length <= 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) && epoch >= 2)
        {
            var factor = 0.1;
            if (parts.Length == 1 || (double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out factor) && factor > 0 && double.IsFinite(factor)))
                return (epoch - 1, factor);
        }

        throw new CliUsageException($"--lr-drop '{text}' is not EPOCH[:FACTOR] with a 1-based EPOCH >= 2 and a FACTOR > 0 (e.g. 31:0.1)");
    }

    private static int MeasureThroughput(TrainingOptions options, int rounds)
    {
        if (rounds < 1) throw new CliUsageException("--throughput-rounds must be >= 1");
        var data = Core.Data.DatasetCatalog.Load(options.Data);
        Console.Error.WriteLine($"measuring training throughput of {options.Architecture} on {options.Data}: batch {options.BatchSize}, {options.Threads} libtorch thread(s), {rounds} rounds of 20 steps each");
        var result = ThroughputBenchmark.Run(data, options, rounds);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"surrogate (TTFS, L_TR, L_TB)  {result.SurrogateSamplesPerSecond,8:F0} samples/s (median of {result.Rounds})"));
        Console.WriteLine(string.Create(inv, $"plain ReLU                    {result.ReluSamplesPerSecond,8:F0} samples/s"));
        Console.WriteLine(string.Create(inv, $"ratio                         {result.Ratio,8:F3}"));
        Console.WriteLine($"load average                  {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
        return 0;
    }

    private static string DefaultOutput(TrainingOptions options)
    {
        var data = Path.GetFileName(Path.TrimEndingDirectorySeparator(options.Data));
        var name = $"{data}-{options.Architecture}-{options.Preset.Name()}-s{options.Seed}".Replace('+', '_');
        foreach (var c in Path.GetInvalidFileNameChars()) name = name.Replace(c, '_');
        return Path.GetFullPath(Path.Combine("runs", name + ".safetensors"));
    }

    /// <summary>One line per epoch on stderr; on a terminal, the batches of the running epoch in place.</summary>
    private sealed class EpochPrinter : IProgress<TrainingProgress>
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;

        public void Report(TrainingProgress value)
        {
            var inv = CultureInfo.InvariantCulture;
            if (!value.EpochCompleted)
            {
                if (_interactive)
                    Console.Error.Write(string.Create(inv, $"\repoch {value.Epoch + 1}/{value.Epochs}  batch {value.Batch}/{value.Batches}  loss {value.Loss:F4}  acc {value.TrainAccuracy:P1}  {value.SamplesPerSecond:F0} samples/s   "));
                return;
            }

            var validation = value.ValidationAccuracy is { } v
                ? string.Create(inv, $"val {v:P2}{(value.IsKept ? "*" : " ")} spikes {value.ValidationSpikesPerSample:F0}")
                : value.IsKept ? "(kept)" : "";
            var line = string.Create(inv,
                $"epoch {value.Epoch + 1,3}/{value.Epochs}  loss {value.Loss:F4} (CE {value.CrossEntropy:F4})  train {value.TrainAccuracy:P2}  {validation}  " +
                $"p_SR {value.SrProbability:F2}  tau min/max {value.TauMin:G4}/{value.TauMax:G4} td min/max {value.TdMin:G3}/{value.TdMax:G3}{(value.KernelTrainable ? "" : " frozen")}  " +
                $"{value.SamplesPerSecond:F0} samples/s  ETA {value.Remaining:hh\\:mm\\:ss}");
            Console.Error.WriteLine(_interactive ? "\r" + line : line);
        }
    }
}
