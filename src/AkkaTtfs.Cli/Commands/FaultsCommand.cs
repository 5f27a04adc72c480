using System.CommandLine;
using AkkaTtfs.App;
using System.Globalization;
using AkkaTtfs.App.Reports;
using AkkaTtfs.App.Services;
using AkkaTtfs.Core.Faults;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs faults</c>: a fault campaign (the work is <see cref="CampaignService"/>'s): a table of accuracy,
/// spikes and the traffic proxy against the fault-free run, and with --out campaign.json, campaign.csv and a plot.
/// </summary>
internal static class FaultsCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data();
        var split = CliOptions.Split("simulate");
        var limit = CliOptions.Limit("Simulate only the first N samples of the split");
        var batch = CliOptions.Batch("Samples per batch (results do not depend on it)");
        var kind = new Option<string>("--kind") { Description = $"Fault kind: {string.Join(", ", FaultKinds.Names)} (samples/faults/README.md)", Required = true };
        kind.AcceptOnlyFromAmong([.. FaultKinds.Names]);
        var layers = new Option<string>("--layer", "-l") { Description = "Layer index (0-based weighted layer), or several comma-separated: one curve each", Required = true };
        var rates = CliOptions.RealList("--rates", "Comma-separated rates (probability per spike, fraction of neurons, rate per weight); default 0,0.01,0.02,0.05,0.1,0.2, or 1 when --steps or --factor is swept", OptionRanges.FaultRate);
        var steps = CliOptions.IntList("--steps", "Delay: extra steps; jitter: half-width; one value, or a comma-separated list to sweep", OptionRanges.FaultSteps);
        var factor = CliOptions.RealList("--factor", "Drift: threshold factor; one value, or a comma-separated list to sweep", OptionRanges.FaultFactor);
        var seed = new Option<ulong>("--seed") { Description = "Seed of the plan (every draw is keyed by it)", DefaultValueFactory = _ => 1 };
        var partitions = new Option<string?>("--partitions", "-p") { Description = "Run with the partitioned engine cut by this spec (results are identical to the event engine). " + CliOptions.PartitionSpecHelp };
        var repeat = CliOptions.Int("--repeat", "Run the fault-free run and every point this many rounds (interleaved, after a warm-up round) and report median wall and CPU times and the median per-round CPU time ratio to the fault-free run", OptionRanges.Repeat, 1);
        var background = new Option<FileInfo?>("--with") { Description = "A fault plan (JSON) whose faults are added to every point (its entries first, the swept fault last; its seed is used unless --seed is given)" };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Write campaign.json, campaign.csv and a plot of accuracy vs the swept value into this folder" };
        var command = new Command("faults", "Fault campaign: sweep a fault's rate (or steps, or factor) and report accuracy, spikes and traffic against the fault-free run")
        {
            model, data, split, limit, batch, kind, layers, rates, steps, factor, seed, partitions, repeat, background, output,
        };

        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            if (!FaultKinds.TryParse(parse.GetValue(kind), out var faultKind)) throw new CliUsageException($"--kind must be one of {string.Join(", ", FaultKinds.Names)}");
            var settings = new CampaignSettings
            {
                ModelFile = parse.GetValue(model)!.FullName,
                Data = parse.GetValue(data)!,
                TrainSplit = parse.GetValue(split) == "train",
                Limit = parse.GetValue(limit),
                Batch = parse.GetValue(batch),
                Kind = faultKind,
                Layers = ParseList(parse.GetValue(layers)!, "--layer", s => int.Parse(s, NumberStyles.Integer, Inv)),
                Rates = parse.GetValue(rates) is { } r ? ParseList(r, "--rates", s => double.Parse(s, NumberStyles.Float, Inv)) : null,
                Steps = parse.GetValue(steps) is { } st ? ParseList(st, "--steps", s => int.Parse(s, NumberStyles.Integer, Inv)) : null,
                Factors = parse.GetValue(factor) is { } f ? ParseList(f, "--factor", s => double.Parse(s, NumberStyles.Float, Inv)) : null,
                Seed = parse.GetValue(seed),
                SeedGiven = parse.GetResult(seed) is { Implicit: false },
                Partitions = parse.GetValue(partitions),
                Repeat = parse.GetValue(repeat),
                WithFile = parse.GetValue(background)?.FullName,
                OutFolder = parse.GetValue(output)?.FullName,
            };
            var service = new CampaignService(new ConsoleEvents());
            var prepared = service.Prepare(settings);
            if (prepared.With is { } with)
            {
                Console.WriteLine($"every point also has the faults of {settings.WithFile} (seed {prepared.Seed}):");
                foreach (var line in with.Describe()) Console.WriteLine($"  {line}");
            }

            var report = service.Execute(prepared);
            Print(report);
            if (settings.OutFolder is { } folder)
                Console.WriteLine($"campaign written to {folder} (campaign.json, campaign.csv, {report.Plot})");
            return 0;
        }));
        return command;
    }

    private static void Print(CampaignReport r)
    {
        var clean = r.FaultFree;
        Console.WriteLine(string.Create(Inv, $"fault-free: accuracy {clean.Accuracy:P2}, spikes/sample {Numbers.Fixed(clean.SpikesPerSample, 1)}, delivered/sample {Numbers.Fixed(clean.SpikesDeliveredPerSample, 1)}, SynOps/sample {Numbers.Fixed(clean.SynopsPerSample, 0)}, {r.Samples / clean.Seconds:F0} samples/s ({r.Samples / clean.CpuSeconds:F0} per CPU second)"));
        Console.WriteLine($"{"layer",5} {r.Sweep,8} {"accuracy",9} {"change",8} {"spikes/s.",10} {"delivered/s.",12} {"vs clean",9} {"samples/s",9} {"per CPU s",9} {"CPU time",9}  counters");
        foreach (var p in r.Points)
        {
            var counters = string.Join(", ", p.Counters.Where(e => e.Value != 0).Select(e => string.Create(Inv, $"{e.Key} {e.Value}")));
            Console.WriteLine(string.Create(Inv,
                $"{p.Layer,5} {p.X,8:G4} {p.Accuracy,9:P2} {Numbers.Signed(p.AccuracyChange * 100, 2),7}pp {Numbers.Fixed(p.SpikesPerSample, 1),10} {Numbers.Fixed(p.SpikesDeliveredPerSample, 1),12} {p.DeliveredVsFaultFree,9:P1} {r.Samples / p.Seconds,9:F0} {r.Samples / p.CpuSeconds,9:F0} {(r.Rounds > 1 ? p.CpuTimeVsFaultFree.ToString("P1", Inv) : "-"),9}  {(counters.Length == 0 ? "-" : counters)}{(p.IdenticalToFaultFree ? "  (identical to fault-free)" : "")}"));
        }
    }

    private static T[] ParseList<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
            return values.Length > 0 ? values : throw new CliUsageException($"{option} needs at least one value");
        }
        catch (FormatException)
        {
            throw new CliUsageException($"{option} '{text}' is not a comma-separated list of numbers");
        }
        catch (OverflowException)
        {
            throw new CliUsageException($"{option} '{text}' holds a number out of range");
        }
    }
}
