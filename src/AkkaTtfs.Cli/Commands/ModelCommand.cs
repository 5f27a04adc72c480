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
        data.Description = "Dataset whose sample shape the network takes (the file records it); the dataset is loaded in full to find it";
        var output = new Option<FileInfo>("--out", "-o") { Description = "Where to write the model file", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var window = CliOptions.Int("--T", "Window length T in steps", OptionRanges.Window, 32);
        var tau = CliOptions.Real("--tau", "tau of every spiking layer, in steps", OptionRanges.Tau, 10f);
        var td = CliOptions.Real("--td", "td of every spiking layer, in steps", OptionRanges.Td, 0f);
        var shift = CliOptions.Real("--positive-shift", "Shift of the weight distribution towards positive values", OptionRanges.PositiveShift, 0.25);
        var command = new Command("random", "Write a model with seeded random weights (for benchmarks and traffic studies): each weight is (u + shift) * gain / fan-in with u uniform in [-1, 1) and gain = 2 (recorded in the file's provenance as gain), biases 0")
        {
            arch, data, output, seed, window, tau, td, shift,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            AkkaTtfs.App.Files.OutputFiles.CheckOutputFile(parse.GetValue(output)!.FullName, "--out");
            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            var network = ArchitectureParser.Build(parse.GetValue(arch)!, pair.Train.SampleShape);
            var model = RandomModel.Create(network, parse.GetValue(seed), parse.GetValue(window), parse.GetValue(tau), parse.GetValue(td), parse.GetValue(shift));
            var path = parse.GetValue(output)!.FullName;
            AkkaTtfs.App.Files.OutputFiles.Write(path, stream => ModelFile.Write(model, stream));
            Console.WriteLine($"wrote {path}: {network.Architecture} on {network.Input}, {network.ParameterCount:N0} parameters, random weights (seed {parse.GetValue(seed)})");
            return 0;
        }));
        return command;
    }
}
