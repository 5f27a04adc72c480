using System.CommandLine;
using AkkaTtfs.App;
using AkkaTtfs.App.Services;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs run</c>, the main job: obtain a model (train it, or load a file), deploy it to a cluster
/// (embedded by default), simulate the test split there, check it against the Core reference and report
/// accuracy, spikes and traffic. The work is <see cref="RunService"/>'s.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "Use this model file instead of training one" };
        var data = CliOptions.Data();
        var arch = new Option<string>("--arch") { Description = "Architecture to train (string or preset)", DefaultValueFactory = _ => "mnist-cnn" };
        var preset = CliOptions.Preset("Training preset", TrainingPresets.Name(TrainingPreset.SrTrTb));
        var epochs = CliOptions.Int("--epochs",
            "Training epochs; the main job's recipe (SR+TR+TB, lambda_TB 0.1, batch 64, no validation split: all training samples, the last epoch kept) scales with them: E_sr = E_k = a quarter, the learning rate x0.1 for the last quarter",
            OptionRanges.Epochs, TrainingDefaults.MainJob.Epochs);
        var seed = new Option<int>("--train-seed") { Description = "Random seed of training", DefaultValueFactory = _ => 1 };
        var partitions = new Option<string>("--partitions", "-p") { Description = CliOptions.PartitionSpecHelp, DefaultValueFactory = _ => "1" };
        var nodes = CliOptions.Int("--nodes", "Worker nodes: embedded mode starts this many in this process; with --seed, waits for this many to join", OptionRanges.JoinedNodes, 1);
        nodes.Description = CliOptions.WithNodesRange(nodes.Description!);
        var seedNodes = CliOptions.Seeds("Join the cluster of these seed node addresses (akka.tcp://akkattfs@host:port) as the coordinator instead of running an embedded cluster");
        var limit = CliOptions.Limit("Simulate only the first N test samples");
        var batch = CliOptions.Batch("Samples per batch (one message per batch, window and link)");
        var cluster = new ClusterCliOptions("");
        var trace = new Option<bool>("--trace") { Description = "Record the traffic over time (timeline, partition and in-flight files; on by default, --trace false to measure its cost)", DefaultValueFactory = _ => true };
        var verify = new Option<bool>("--verify") { Description = "Also run the Core reference and check the cluster's results bit for bit (on by default; --verify false skips it)", DefaultValueFactory = _ => true };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Report folder (default runs/run-<time>): report.json, links.csv, predictions.csv (and the trained model)" };
        var faults = new Option<FileInfo?>("--faults") { Description = "Inject the faults of this plan (JSON, see samples/faults/README.md) on the cluster; the report compares with the fault-free run and lists every fault's count" };
        var placement = PlacementOption.Create();
        var command = new Command("run",
            "The main job: train the surrogate on the bundled data (or load --model), deploy the SNN to a cluster " +
            "(embedded unless --seed), simulate the test split there, verify against the Core reference and report accuracy, spikes and traffic")
        {
            model, data, arch, preset, epochs, seed, partitions, nodes, seedNodes, limit, batch, verify, trace, output, faults, placement,
        };
        cluster.AddTo(command);

        command.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = new RunSettings
            {
                ModelFile = parse.GetValue(model)?.FullName,
                Data = parse.GetValue(data)!,
                Training = TrainingRecipe(TrainingPresets.Parse(parse.GetValue(preset)!), parse.GetValue(epochs)) with
                {
                    Architecture = parse.GetValue(arch)!,
                    Epochs = parse.GetValue(epochs),
                    Seed = parse.GetValue(seed),
                },
                Partitions = parse.GetValue(partitions)!,
                Limit = parse.GetValue(limit),
                Batch = parse.GetValue(batch),
                Verify = parse.GetValue(verify),
                Trace = parse.GetValue(trace),
                OutFolder = parse.GetValue(output)?.FullName,
                FaultPlanFile = parse.GetValue(faults)?.FullName,
                Placement = parse.GetValue(placement),
                Cluster = CliOptions.Setup(cluster.Read(parse), parse.GetValue(nodes), parse.GetValue(seedNodes) ?? []),
            };
            var prepared = RunService.Prepare(settings);
            using var interrupt = CliErrors.CancelOnCtrlC();
            var result = new RunService(new SurrogateTrainer(), new ConsoleEvents()).Execute(prepared, interrupt.Token);
            ReportPrinter.Print(result.Report);
            Console.WriteLine($"report folder      {result.Folder}");
            if (result.Report.BitIdenticalToReference == false)
            {
                Console.Error.WriteLine("error: the cluster's results differ from the Core reference (an exactness bug; please report it with this folder)");
                return 1;
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The main job's measured recipe for the paper's method; another preset trains with its plain defaults.</summary>
    private static TrainingOptions TrainingRecipe(TrainingPreset preset, int epochs) =>
        preset == TrainingPreset.SrTrTb ? TrainingDefaults.MainJobFor(epochs) : new TrainingOptions { Preset = preset, Epochs = epochs };
}
