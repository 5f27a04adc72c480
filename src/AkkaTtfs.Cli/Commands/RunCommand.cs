using System.CommandLine;
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
        var epochs = new Option<int>("--epochs") { Description = "Training epochs (E_sr and E_k scale to half of them)", DefaultValueFactory = _ => 12 };
        var seed = new Option<int>("--train-seed") { Description = "Random seed of training", DefaultValueFactory = _ => 1 };
        var partitions = new Option<string>("--partitions", "-p") { Description = CliOptions.PartitionSpecHelp, DefaultValueFactory = _ => "1" };
        var nodes = new Option<int>("--nodes") { Description = "Worker nodes: embedded mode starts this many in this process; with --seed, waits for this many to join", DefaultValueFactory = _ => 1 };
        var seedNodes = CliOptions.Seeds("Join the cluster of these seed node addresses (akka.tcp://akkattfs@host:port) as the coordinator instead of running an embedded cluster");
        var limit = CliOptions.Limit("Simulate only the first N test samples");
        var batch = CliOptions.Batch("Samples per batch (one message per batch, window and link)");
        var cluster = new ClusterCliOptions("");
        var trace = new Option<bool>("--trace") { Description = "Record the traffic over time (timeline, partition and in-flight files; on by default, --trace false to measure its cost)", DefaultValueFactory = _ => true };
        var verify = new Option<bool>("--verify") { Description = "Also run the Core reference and check the cluster's results bit for bit (on by default; --verify false skips it)", DefaultValueFactory = _ => true };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Report folder (default runs/run-<time>): report.json, links.csv, predictions.csv (and the trained model)" };
        var faults = new Option<FileInfo?>("--faults") { Description = "Inject the faults of this plan (JSON, see samples/faults/README.md) on the cluster; the report compares with the fault-free run and lists every fault's count" };
        var command = new Command("run",
            "The main job: train the surrogate on the bundled data (or load --model), deploy the SNN to a cluster " +
            "(embedded unless --seed), simulate the test split there, verify against the Core reference and report accuracy, spikes and traffic")
        {
            model, data, arch, preset, epochs, seed, partitions, nodes, seedNodes, limit, batch, verify, trace, output, faults,
        };
        cluster.AddTo(command);

        command.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = new RunSettings
            {
                ModelFile = parse.GetValue(model)?.FullName,
                Data = parse.GetValue(data)!,
                Training = new TrainingOptions
                {
                    Architecture = parse.GetValue(arch)!,
                    Preset = TrainingPresets.Parse(parse.GetValue(preset)!),
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
}
