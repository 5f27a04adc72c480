using System.CommandLine;
using AkkaTtfs.Cli.Commands;

namespace AkkaTtfs.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand(
            "akkattfs: event-driven simulation of deep spiking neural networks with time-to-first-spike coding " +
            "(Park & Yoon, arXiv:2106.02568). Conventions: docs/ttfs-method.md.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(NodeCommand.Create());
        root.Subcommands.Add(DatasetCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(FaultsCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        return root.Parse(args).Invoke();
    }
}
