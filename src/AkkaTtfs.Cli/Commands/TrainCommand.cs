using System.CommandLine;
using System.Globalization;
using AkkaTtfs.App;
using AkkaTtfs.App.Services;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs train</c>: train the surrogate DNN, convert it to an SNN, evaluate it and write the model file and a JSON report. The work is <see cref="TrainService"/>'s.</summary>
internal static class TrainCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var o = new TrainOptionSet();
        var command = new Command("train",
            "Train the surrogate DNN (docs/ttfs-method.md section 3) with TorchSharp, convert it to an SNN, evaluate DNN and SNN on the test split, " +
            "and write the model file and a JSON report. Progress per epoch goes to stderr. " +
            $"E_sr/E_k scaling rule: {TrainingSchedule.ScalingRule}.");
        foreach (var option in o.All) command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run(() => Train(o, parse)));
        return command;
    }

    private static int Train(TrainOptionSet o, ParseResult parse)
    {
        var options = o.Read(parse);
        var service = new TrainService(new SurrogateTrainer(), new TrainEvents());
        if (parse.GetValue(o.Throughput) is { } rounds)
        {
            Print(service.MeasureThroughput(options, rounds));
            return 0;
        }

        var prepared = TrainService.Prepare(new TrainSettings { Training = options, ModelOut = parse.GetValue(o.Output)?.FullName });
        using var interrupt = CliErrors.CancelOnCtrlC();
        TrainOutcome outcome;
        try
        {
            outcome = service.Execute(prepared, interrupt.Token);
        }
        catch (OperationCanceledException)
        {
            return CliErrors.Interrupted;
        }

        Print(outcome, prepared.Options);
        return 0;
    }

    private static void Print(TrainOutcome outcome, TrainingOptions options)
    {
        var report = outcome.Report;
        Console.WriteLine(string.Create(Inv, $"kept epoch         {report.KeptEpoch}/{options.Epochs} by {options.ResolvedKeep}{(report.KeptValidationAccuracy is { } v ? $" (validation {v:P2}, {report.KeptValidationSpikesPerSample:F0} spikes/sample; best validation {report.BestValidationAccuracy:P2})" : " (last epoch, no validation split)")}"));
        Console.WriteLine(string.Create(Inv, $"training           {report.TrainingSeconds:F1} s, {report.SamplesPerSecond:F0} samples/s ({options.Threads} thread(s), device {options.Device})"));
        Console.WriteLine(string.Create(Inv, $"surrogate test acc {report.SurrogateTestAccuracy:P2} (batch norm, {(options.Preset.UsesTtfs() ? "TTFS activation" : "plain ReLU")}, float)"));
        Console.WriteLine($"kernels            {string.Join("  ", report.Kernels.Select(k => string.Create(Inv, $"{k.Token}: tau {k.Tau:G5} td {k.Td:G4}")))}");
        if (report.Evaluation is { } evaluation) ReportPrinter.Print(evaluation);
        Console.WriteLine($"model written to   {outcome.ModelPath}");
        Console.WriteLine($"report written to  {outcome.ReportPath}");
        if (outcome.PlotPath is { } plot) Console.WriteLine($"epoch plot         {plot}");
    }

    private static void Print(ThroughputResult result)
    {
        Console.WriteLine(string.Create(Inv, $"surrogate (TTFS, L_TR, L_TB)  {result.SurrogateSamplesPerSecond,8:F0} samples/s {result.SurrogateSamplesPerCpuSecond,8:F0} samples/CPU-s (medians of {result.Rounds})"));
        Console.WriteLine(string.Create(Inv, $"plain ReLU                    {result.ReluSamplesPerSecond,8:F0} samples/s {result.ReluSamplesPerCpuSecond,8:F0} samples/CPU-s"));
        Console.WriteLine(string.Create(Inv, $"ratio                         {result.Ratio,8:F3}"));
        Console.WriteLine($"load average                  {MachineInfo.ReadLoadAverage()}");
    }

    private static (int Epoch, double Factor)? ParseLrDrop(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        if (parts.Length <= 2 && int.TryParse(parts[0], NumberStyles.Integer, Inv, out var epoch) && epoch >= 2)
        {
            var factor = 0.1;
            if (parts.Length == 1 || (double.TryParse(parts[1], NumberStyles.Float, Inv, out factor) && factor > 0 && double.IsFinite(factor)))
                return (epoch - 1, factor);
        }

        throw new CliUsageException($"--lr-drop '{text}' is not EPOCH[:FACTOR] with a 1-based EPOCH >= 2 and a FACTOR > 0 (e.g. 31:0.1)");
    }

    private static int? ParseLrCosine(int? epoch) => epoch switch
    {
        null => null,
        >= 1 => epoch - 1,
        _ => throw new CliUsageException($"--lr-cosine {epoch} is not a 1-based epoch >= 1"),
    };

    /// <summary>train's options, in the order of its help; <see cref="Read"/> makes the training options of a parse.</summary>
    private sealed class TrainOptionSet
    {
        private static readonly TrainingOptions Defaults = new();

        public Option<string> Data { get; } = CliOptions.Data();
        public Option<string> Arch { get; } = CliOptions.Arch($"Architecture string (e.g. c12k5-p2-c64k5-p2-d10) or preset ({string.Join(", ", ArchitectureParser.Presets.Keys)})");
        public Option<string> Preset { get; } = CliOptions.Preset(
            "SM (TTFS activation always; kernel trained from epoch 0), SR (+ stochastic relaxation), SR+TR (+ kernel frozen before E_k, " +
            "then regularised), SR+TR+TB (+ batch-norm loss from E_k: the full method), ReLU (plain ReLU baseline)",
            Defaults.Preset.Name());
        public Option<int> Epochs { get; } = CliOptions.Epochs("Training epochs");
        public Option<int?> ESr { get; } = CliOptions.SrEpochs($"E_sr: SR reaches p = 1 at epoch E_sr - 1, p(e) = min(1, (e+1)/E_sr). Default: {TrainingSchedule.ScalingRule}");
        public Option<int?> EK { get; } = CliOptions.KernelEpoch("E_k: first epoch of kernel training (TR presets) and of L_TR / L_TB. Default: the same scaling rule as --e-sr (epochs/2 below 100 epochs, 50 from 100 on)");
        public Option<double> LambdaTr { get; } = new("--lambda-tr") { Description = "Weight of L_TR = sum (tau - tau_init)^2 + (td - td_init)^2", DefaultValueFactory = _ => Defaults.LambdaTr };
        public Option<double> LambdaTb { get; } = new("--lambda-tb")
        {
            Description = "Weight of L_TB (the batch-norm loss); the paper's 1e-4 barely acts in short runs, the default 1e-2 was chosen by the sweep in docs/benchmarks.md",
            DefaultValueFactory = _ => Defaults.LambdaTb,
        };
        public Option<double> TauInit { get; } = new("--tau-init") { Description = "Initial tau of every hidden layer", DefaultValueFactory = _ => Defaults.TauInit };
        public Option<double> TdInit { get; } = new("--td-init") { Description = "Initial td of every hidden layer", DefaultValueFactory = _ => Defaults.TdInit };
        public Option<int> Window { get; } = new("--T") { Description = "Window length T in steps", DefaultValueFactory = _ => Defaults.T };
        public Option<double> Lr { get; } = new("--lr") { Description = "Adam learning rate (constant unless --lr-drop or --lr-cosine)", DefaultValueFactory = _ => Defaults.LearningRate };
        public Option<string?> LrDrop { get; } = new("--lr-drop")
        {
            Description = "EPOCH[:FACTOR]: multiply the learning rate by FACTOR (default 0.1) from 1-based epoch EPOCH on; default: constant (the paper)",
        };
        public Option<int?> LrCosine { get; } = new("--lr-cosine")
        {
            Description = "EPOCH: from 1-based epoch EPOCH on, the learning rate follows a half cosine down to the end of the run (not with --lr-drop)",
        };
        public Option<int> LambdaTbRamp { get; } = new("--lambda-tb-ramp")
        {
            Description = "R: lambda_TB rises linearly over R epochs from E_k (lambda_TB x (e - E_k + 1) / R) instead of acting in full at once; 0 = at once",
            DefaultValueFactory = _ => Defaults.LambdaTbRampEpochs,
        };
        public Option<string?> Keep { get; } = CliOptions.Keep();
        public Option<bool> TraceTest { get; } = new("--trace-test")
        {
            Description = "Diagnostic: also measure the surrogate's test accuracy and spikes after every epoch (in the report's history and the epoch plot; never used to choose the kept epoch)",
        };
        public Option<int> Batch { get; } = new("--batch", "-b") { Description = "Mini-batch size", DefaultValueFactory = _ => Defaults.BatchSize };
        public Option<double> Dropout { get; } = new("--dropout") { Description = "Dropout after every hidden activation (0 = none)", DefaultValueFactory = _ => Defaults.Dropout };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of weights, shuffling, SR draws, dropout, augmentation and the validation split (repeatable on one machine)", DefaultValueFactory = _ => Defaults.Seed };
        public Option<double> Validation { get; } = new("--validation") { Description = "Share of the training split held out to choose the kept checkpoint (see --keep; 0 = keep the last epoch)", DefaultValueFactory = _ => Defaults.ValidationFraction };
        public Option<bool> Augment { get; } = new("--augment") { Description = "Pad-4 random crop and horizontal flip of training samples (CIFAR-like data; not for digits)" };
        public Option<int> Shift { get; } = new("--shift")
        {
            Description = $"N: shift every training sample by a random number of pixels in [-N, N] along each axis (zero fill, no flip: for digits; 0 = none, at most {TrainingOptions.MaxShiftPixels}; not with --augment)",
            DefaultValueFactory = _ => Defaults.ShiftPixels,
        };
        public Option<int> Threads { get; } = CliOptions.TrainingThreads();
        public Option<string> Device { get; } = CliOptions.TrainingDevice();
        public Option<string> Normalisation { get; } = AcceptOnly(new Option<string>("--normalisation")
        {
            Description = "auto (unit range for one channel, mean/std for colour), unit (bytes/255) or meanstd (per-channel, from the training split)",
            DefaultValueFactory = _ => "auto",
        }, "auto", "unit", "meanstd");
        public Option<int?> TrainLimit { get; } = CliOptions.TrainLimit();
        public Option<int?> TestLimit { get; } = CliOptions.TestLimit();
        public Option<bool> NoEval { get; } = new("--no-eval") { Description = "Skip the SNN evaluation after training" };
        public Option<FileInfo?> Output { get; } = new("--out", "-o") { Description = "Model file to write (default runs/<data>-<arch>-<preset>-s<seed>.safetensors); the JSON report goes next to it as <name>.report.json" };
        public Option<double> EAc { get; } = CliOptions.EnergyPerAccumulate();
        public Option<double> EMac { get; } = CliOptions.EnergyPerMac();
        public Option<int?> Throughput { get; } = new("--throughput-rounds")
        {
            Description = "Do not train: measure training samples/s of the surrogate (full method: TTFS everywhere, L_TR, L_TB) and of the same network " +
                          "with plain ReLU, same batch and threads, in N alternating rounds of 20 steps, and print the medians and their ratio",
        };

        public IEnumerable<Option> All =>
        [
            Data, Arch, Preset, Epochs, ESr, EK, LambdaTr, LambdaTb, TauInit, TdInit, Window, Lr, LrDrop, LrCosine, LambdaTbRamp, Keep, TraceTest, Batch, Dropout, Seed, Validation,
            Augment, Shift, Threads,
            Device, Normalisation, TrainLimit, TestLimit, NoEval, Output, EAc, EMac, Throughput,
        ];

        public TrainingOptions Read(ParseResult parse)
        {
            var lrDropValue = ParseLrDrop(parse.GetValue(LrDrop));
            return new TrainingOptions
            {
                Data = parse.GetValue(Data)!,
                Architecture = parse.GetValue(Arch)!,
                Preset = TrainingPresets.Parse(parse.GetValue(Preset)!),
                Epochs = parse.GetValue(Epochs),
                SrEpochs = parse.GetValue(ESr),
                KernelEpoch = parse.GetValue(EK),
                LambdaTr = parse.GetValue(LambdaTr),
                LambdaTb = parse.GetValue(LambdaTb),
                TauInit = parse.GetValue(TauInit),
                TdInit = parse.GetValue(TdInit),
                T = parse.GetValue(Window),
                LearningRate = parse.GetValue(Lr),
                LearningRateDropEpoch = lrDropValue?.Epoch,
                LearningRateDropFactor = lrDropValue?.Factor ?? Defaults.LearningRateDropFactor,
                LearningRateCosineEpoch = ParseLrCosine(parse.GetValue(LrCosine)),
                LambdaTbRampEpochs = parse.GetValue(LambdaTbRamp),
                Keep = CliOptions.KeepRule(parse.GetValue(Keep)),
                TraceTest = parse.GetValue(TraceTest),
                BatchSize = parse.GetValue(Batch),
                Dropout = parse.GetValue(Dropout),
                Seed = parse.GetValue(Seed),
                ValidationFraction = parse.GetValue(Validation),
                Augment = parse.GetValue(Augment),
                ShiftPixels = parse.GetValue(Shift),
                Threads = parse.GetValue(Threads),
                Device = parse.GetValue(Device)!,
                Normalisation = parse.GetValue(Normalisation) switch
                {
                    "unit" => NormalisationChoice.UnitRange,
                    "meanstd" => NormalisationChoice.MeanStd,
                    _ => NormalisationChoice.Auto,
                },
                TrainLimit = parse.GetValue(TrainLimit),
                TestLimit = parse.GetValue(TestLimit),
                Evaluate = !parse.GetValue(NoEval),
                Energy = new EnergyModel(parse.GetValue(EAc), parse.GetValue(EMac)),
            };
        }

        private static Option<string> AcceptOnly(Option<string> option, params string[] values)
        {
            option.AcceptOnlyFromAmong(values);
            return option;
        }
    }

    /// <summary>The console's events, with train's own epoch lines (the full line per epoch, the batches of the running epoch in place on a terminal).</summary>
    private sealed class TrainEvents : IAppEvents
    {
        private readonly ConsoleEvents _console = new();

        public void Status(string line) => _console.Status(line);

        public IProgress<int>? Counter(string what, int total) => _console.Counter(what, total);

        public IProgress<TrainingProgress>? Training() => new EpochPrinter();

        public IProgress<RunProgress>? Simulation(int total) => _console.Simulation(total);
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
