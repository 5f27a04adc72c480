using System.CommandLine;
using AkkaTtfs.App;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs model info|random</c>: inspect model files, or write one with random weights.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Inspect a model file, or write one with seeded random weights");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Random());
        return command;
    }

    private static Command Info()
    {
        var file = new Argument<FileInfo>("file") { Description = "Model file (.safetensors) written by train or model random" };
        var command = new Command("info", "Print a model file's architecture, kernels, sizes and provenance") { file };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var model = ModelFile.Load(parse.GetValue(file)!.FullName);
            var net = model.Network;
            Console.WriteLine($"architecture  {net.Architecture}");
            Console.WriteLine($"input         {net.Input} ({model.InputMode.ToString().ToLowerInvariant()}{(model.InputKernel is null ? "" : $", {model.InputKernel}")})");
            Console.WriteLine($"window T      {model.T} steps, latency {model.LatencySteps} steps");
            Console.WriteLine($"parameters    {net.ParameterCount:N0}");
            Console.WriteLine($"DNN MACs      {net.Macs:N0} per sample");
            Console.WriteLine($"normalisation scale {model.Normalisation.Scale:R}" +
                (model.Normalisation.HasMeanStd ? $", mean [{string.Join(", ", model.Normalisation.Mean)}], std [{string.Join(", ", model.Normalisation.Std)}]" : ""));
            Console.WriteLine();
            Console.WriteLine("layer  type            neurons   pooled-out  tau        td");
            foreach (var stage in net.Stages)
            {
                var k = model.Layers[stage.Index].Kernel;
                Console.WriteLine($"{stage.Index,5}  {stage.Layer.Token + (stage.PoolSize > 1 ? $"+p{stage.PoolSize}" : ""),-14}  {stage.ConvShape.Size,7}   {stage.OutputShape.Size,10}  " +
                                  (k is null ? "(output, does not spike)" : $"{k.Tau,-9:G6}  {k.Td:G6}"));
            }

            if (model.Metadata.Count > 0)
            {
                Console.WriteLine();
                Console.WriteLine("provenance");
                foreach (var (key, value) in model.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    Console.WriteLine($"  {key} = {value}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Random()
    {
        var arch = new Option<string>("--arch", "-a") { Description = $"Architecture string or preset ({string.Join(", ", ArchitectureParser.Presets.Keys)})", Required = true };
        var data = CliOptions.Data();
        data.Description = $"Dataset whose sample shape the network takes (the file records it) and whose first training samples calibrate the spike rates " +
                           $"({string.Join(", ", DatasetCatalog.KnownNames)}, or a folder; vgg16 takes 32x32 RGB: {SyntheticCifar.Name} or a CIFAR-10 folder)";
        var output = new Option<FileInfo>("--out", "-o") { Description = "Where to write the model file", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var window = CliOptions.Int("--T", "Window length T in steps", OptionRanges.Window, 32);
        var tau = CliOptions.Real("--tau", "tau of every spiking layer, in steps", OptionRanges.Tau, 10f);
        var td = CliOptions.Real("--td", "td of every spiking layer, in steps", OptionRanges.Td, 0f);
        var scale = new Option<string>("--scale")
        {
            Description = "How each layer's weights are scaled: calibrated (each spiking layer fires --spike-rate of its neurons on the first " +
                          "--calibration-samples training samples; works for any depth, e.g. vgg16) or fan-in (gain 2 / fan-in, the older rule, " +
                          "which leaves deep networks silent or saturated)",
            DefaultValueFactory = _ => Calibrated,
        };
        scale.AcceptOnlyFromAmong(Calibrated, FanIn);
        var rate = new Option<double>("--spike-rate")
        {
            Description = $"With --scale calibrated: the share of each spiking layer's neurons that fire on the calibration samples [a number in (0, 1)]",
            DefaultValueFactory = _ => SpikeRateCalibration.DefaultTargetRate,
        };
        rate.Validators.Add(r =>
        {
            if (!r.Implicit && r.GetValueOrDefault<double>() is var v && !(v > 0 && v < 1))
                r.AddError($"--spike-rate must be a number in (0, 1), got {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        });
        var samples = CliOptions.Int("--calibration-samples", "With --scale calibrated: how many training samples calibrate the spike rates",
            new AkkaTtfs.App.IntRange(1, 4096, "held in memory with every layer's potentials"), SpikeRateCalibration.DefaultSampleCount);
        var shift = new Option<double?>("--positive-shift")
        {
            Description = $"Shift of the weight distribution towards positive values (0 = symmetric, 1 = all positive); default 0 with --scale calibrated, 0.25 with fan-in [{OptionRanges.PositiveShift.Text}]",
        };
        shift.Validators.Add(r =>
        {
            if (!r.Implicit && r.GetValueOrDefault<double?>() is { } v && OptionRanges.PositiveShift.Problem("--positive-shift", v) is { } problem) r.AddError(problem);
        });
        var command = new Command("random", "Write a model with seeded random weights (for benchmarks and traffic studies): each weight is (u + shift) times a " +
                                            "per-layer scale, u uniform in [-1, 1), biases 0; the scale rule, seed and calibration are recorded in the file's provenance")
        {
            arch, data, output, seed, window, tau, td, scale, rate, samples, shift,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            AkkaTtfs.App.Files.OutputFiles.CheckOutputFile(parse.GetValue(output)!.FullName, "--out");
            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            var network = ArchitectureParser.Build(parse.GetValue(arch)!, pair.Train.SampleShape);
            var calibrated = parse.GetValue(scale) == Calibrated;
            SnnModel model;
            if (calibrated)
            {
                if (parse.GetValue(samples) > pair.Train.Count)
                    throw new AkkaTtfs.App.UsageException($"--calibration-samples is {parse.GetValue(samples)}, but '{pair.Train.Name}' has {pair.Train.Count} samples");
                var result = SpikeRateCalibration.Create(network, pair.Train, parse.GetValue(seed), parse.GetValue(rate), parse.GetValue(samples),
                    parse.GetValue(window), parse.GetValue(tau), parse.GetValue(td), parse.GetValue(shift) ?? 0);
                model = result.Model;
            }
            else
            {
                model = RandomModel.Create(network, parse.GetValue(seed), parse.GetValue(window), parse.GetValue(tau), parse.GetValue(td), parse.GetValue(shift) ?? 0.25);
            }

            var path = parse.GetValue(output)!.FullName;
            AkkaTtfs.App.Files.OutputFiles.Write(path, stream => ModelFile.Write(model, stream));
            Console.WriteLine($"wrote {path}: {network.Architecture} on {network.Input}, {network.ParameterCount:N0} parameters, random weights (seed {parse.GetValue(seed)})");
            if (calibrated)
                Console.WriteLine($"spike rate per layer on {model.Metadata["calibration_data"]}: {model.Metadata["calibration_spike_rates"]} (target {parse.GetValue(rate)})");
            return 0;
        }));
        return command;
    }

    private const string Calibrated = "calibrated";
    private const string FanIn = "fan-in";
}
