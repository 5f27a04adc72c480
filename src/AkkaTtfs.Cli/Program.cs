using System.CommandLine;
using System.CommandLine.Invocation;
using AkkaTtfs.Cli.Commands;

namespace AkkaTtfs.Cli;

internal static class Program
{
    private static int Main(string[] args) => LastLineOfDefence.Guard(() => Run(args));

    private static int Run(string[] args)
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
        root.Subcommands.Add(TradeoffCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        var parse = root.Parse(args);

        // The library's own error action prints every error and then the whole help on stdout, with exit
        // code 1; bad input here is one line on stderr and exit code 2, like every other bad input
        // (README.md). --help and --version are actions of their own and still run when, say, a required
        // option is missing.
        if (parse.Action is ParseErrorAction)
        {
            Console.Error.WriteLine($"error: {ParseErrors.Describe(parse)}");
            return CliErrors.BadInput;
        }

        return parse.Invoke(LastLineOfDefence.Invocation);
    }
}
