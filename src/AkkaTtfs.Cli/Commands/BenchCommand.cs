using System.CommandLine;
using AkkaTtfs.App;
using System.Globalization;
using AkkaTtfs.App.Bench;
using AkkaTtfs.App.Reports;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs bench</c>: throughput benchmarks that print numbers (the measurements are <see cref="ReferenceBench"/>'s and <see cref="RuntimeBench"/>'s).</summary>
internal static class BenchCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks that print throughput numbers (see docs/benchmarks.md for recorded results)");
        command.Subcommands.Add(Reference());
        command.Subcommands.Add(Runtime());
        command.Subcommands.Add(Link());
        return command;
    }

    private static Command Reference()
    {
        var repeat = CliOptions.Int("--repeat", "Timed runs per case; the median is reported", OptionRanges.Repeat, 5, "-r");
        var batch = CliOptions.Batch("Samples per batch");
        var denseSamples = CliOptions.Int("--dense-samples", "Samples per run for the dense network", OptionRanges.BenchSamples, 1024);
        var cnnSamples = CliOptions.Int("--cnn-samples", "Samples per run for the MNIST CNN (bundled test images)", OptionRanges.BenchSamples, 2000);
        var clockSamples = CliOptions.Int("--clock-samples", "Samples for the clock-driven oracle's rate (it is slow)", OptionRanges.BenchSamples, 20);
        var model = new Option<FileInfo?>("--model", "-m")
        {
            Description = "A trained model file for case (c), e.g. the model.safetensors a run writes into its report folder (default: no case (c))",
        };
        var command = new Command("reference",
            "Single-thread throughput of the event-driven reference: (a) dense 784-1000-1000-1000 with every hidden neuron firing once, " +
            "(b) the paper's MNIST CNN with random weights on the bundled test images, (c) a trained model given with --model on the same images; " +
            "the clock-driven oracle for contrast")
        {
            repeat, batch, denseSamples, cnnSamples, clockSamples, model,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            var report = ReferenceBench.Run(new ReferenceBenchSettings(parse.GetValue(repeat), parse.GetValue(batch), parse.GetValue(denseSamples),
                parse.GetValue(cnnSamples), parse.GetValue(clockSamples), parse.GetValue(model)?.FullName));
            Console.WriteLine($"machine: {report.Machine.Describe()}");
            if (report.ModelFile is { } file) Console.WriteLine($"(c): {file}");
            Console.WriteLine($"case                                     samples/s   per CPU second   synaptic events/s   spikes/sample   (median of {report.Repeats})");
            foreach (var c in report.Cases)
                Console.WriteLine(string.Create(Inv, $"{c.Name,-40} {c.SamplesPerSecond,10:F0}   {c.SamplesPerCpuSecond,14:F0}   {c.SynapticEventsPerSecond,17:E3}   {c.SpikesPerSample,13:F0}"));
            if (report.ModelFile is null) Console.WriteLine("    (c) trained model: not measured; give one with --model FILE");
            if (report.Note is { } note) Console.WriteLine($"    note: {note}");
            foreach (var o in report.Oracle)
                Console.WriteLine(string.Create(Inv, $"{o.Name,-40} {o.SamplesPerSecond,10:F1}   (one run of {o.Samples} samples)"));
            return 0;
        }));
        return command;
    }

    private static Command Runtime()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "A trained model file (default: the MNIST CNN with seeded random weights)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights when no --model is given", DefaultValueFactory = _ => 3 };
        var samples = CliOptions.Int("--samples", "Test samples per run (bundled MNIST test split)", OptionRanges.BenchSamples, 2000, "-n");
        var batch = CliOptions.Batch("Samples per batch (all cases)");
        var inFlight = CliOptions.Int("--in-flight", "Batches in flight at most (credits) in the runtime cases", OptionRanges.InFlight, AkkaTtfs.Cluster.Runtime.RunOptions.DefaultMaxInFlight);
        var repeat = CliOptions.Int("--repeat", "Timed runs per case; the median is reported", OptionRanges.Repeat, 3, "-r");
        var warmup = CliOptions.Int("--warmup", "Untimed rounds of every case first (JIT compilation)", OptionRanges.Warmup, 1);
        var cases = new Option<string>("--cases") { Description = "Which cases to run, any of a, b, c, d", DefaultValueFactory = _ => "abcd" };
        var processSpec = new Option<string>("--process-partitions") { Description = "Partition spec of case (d)", DefaultValueFactory = _ => "1" };
        var command = new Command("runtime",
            "Throughput of the distributed runtime vs the Core reference on the MNIST CNN: (a) reference, (b) embedded with one partition per layer, " +
            "(c) embedded with 4 partitions per layer, (d) three processes on loopback; ratios, messages per (batch, window, link), payload bytes per spike")
        {
            model, seed, samples, batch, inFlight, repeat, warmup, cases, processSpec,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            var settings = new RuntimeBenchSettings(parse.GetValue(model)?.FullName, parse.GetValue(seed), parse.GetValue(samples), parse.GetValue(batch),
                parse.GetValue(inFlight), parse.GetValue(repeat), parse.GetValue(warmup), parse.GetValue(cases)!, parse.GetValue(processSpec)!);
            var report = new RuntimeBench(new ConsoleEvents()).Run(settings);
            Print(report);
            return report.AllIdentical ? 0 : 1;
        }));
        return command;
    }

    private static Command Link()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "A trained model file (default: the MNIST CNN with seeded random weights)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights when no --model is given", DefaultValueFactory = _ => 3 };
        var samples = CliOptions.Int("--samples", "Test samples per run (bundled MNIST test split)", OptionRanges.BenchSamples, 512, "-n");
        var batch = CliOptions.Int("--batch", "Samples per batch", OptionRanges.Batch, 16, "-b");
        var inFlight = CliOptions.Int("--in-flight", "Batches in flight at most (credits)", OptionRanges.InFlight, 4);
        var nodes = CliOptions.Int("--nodes", "Embedded nodes", OptionRanges.EmbeddedNodes, 2);
        var partitions = new Option<string>("--partitions", "-p") { Description = CliOptions.PartitionSpecHelp, DefaultValueFactory = _ => "c2" };
        var bandwidths = new Option<string>("--bandwidths")
        {
            Description = "Comma-separated link bandwidths to run (each after an unlimited run), slow enough that the link is the bottleneck",
            DefaultValueFactory = _ => "1Mbit,2Mbit,4Mbit",
        };
        var latency = new Option<string>("--link-latency") { Description = LinkOptions.LatencyHelp, DefaultValueFactory = _ => "0" };
        var command = new Command("link",
            "Emulated interconnect vs its bound: the same job on an embedded cluster, unlimited and at each --bandwidths, printing samples/s next to " +
            "bandwidth / (wire bytes per sample on the busiest node pair) and their ratio")
        {
            model, seed, samples, batch, inFlight, nodes, partitions, bandwidths, latency,
        };
        command.SetAction(parse => CliErrors.RunEndingOnCtrlC(() =>
        {
            var links = parse.GetValue(bandwidths)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(b => LinkOptions.Parse(parse.GetValue(latency), b)).ToArray();
            if (links.Length == 0 || links.Any(l => l.BytesPerSecond <= 0)) throw new CliUsageException("--bandwidths needs one or more non-zero rates, e.g. 1Mbit,2Mbit,4Mbit");
            var settings = new LinkBenchSettings(parse.GetValue(model)?.FullName, parse.GetValue(seed), parse.GetValue(samples), parse.GetValue(batch),
                parse.GetValue(inFlight), parse.GetValue(nodes), parse.GetValue(partitions)!, links);
            var report = new LinkBench(new ConsoleEvents()).Run(settings);
            Print(report);
            return report.Runs.All(r => r.Identical) ? 0 : 1;
        }));
        return command;
    }

    private static void Print(LinkBenchReport r)
    {
        Console.WriteLine($"machine: {r.Machine.Describe()}");
        Console.WriteLine($"model: {r.Model}; {r.Samples} bundled test samples, batch {r.Batch}, {r.InFlight} in flight, {r.Nodes} embedded nodes, partitions {r.Partitions}");
        Console.WriteLine();
        Console.WriteLine("link                                      samples/s   cross-node wire B/sample   busiest pair B/sample   bound samples/s   measured/bound   msg latency p50 ms   bit-identical");
        foreach (var run in r.Runs)
        {
            Console.WriteLine(string.Create(Inv,
                $"{run.Link.Describe(),-40} {run.SamplesPerSecond,11:F1}   {run.CrossNodeWireBytesPerSample,24:F0}   {run.BusiestLinkBytesPerSample,21:F0}   {(double.IsFinite(run.BoundSamplesPerSecond) ? run.BoundSamplesPerSecond.ToString("F1", Inv) : "-"),15}   {(run.RatioToBound is { } q ? q.ToString("F3", Inv) : "-"),14}   {run.MessageLatencyP50Ms,18:F2}   {(run.Identical ? "yes" : "NO"),13}"));
        }

        Console.WriteLine($"load average at the end: {r.LoadAverageAtEnd}");
    }

    private static void Print(RuntimeBenchReport r)
    {
        Console.WriteLine($"machine: {r.Machine.Describe()}");
        Console.WriteLine($"model: {r.Model}; {r.Samples} bundled test samples, batch {r.Batch}, {r.InFlight} batches in flight; {r.Warmups} untimed and {r.Rounds} timed interleaved round(s), medians");
        Console.WriteLine();
        Console.WriteLine("case                               partitions   samples/s   synaptic events/s   ratio to (a)   cores busy   CPU us/sample   msgs per (batch,window,link)   spike payload B/spike   deploy s   bit-identical");
        foreach (var c in r.Cases)
        {
            var messages = c.MessagesPerBatchMin is not { } min ? "-" : min == c.MessagesPerBatchMax ? min.ToString("0.###", Inv) : string.Create(Inv, $"{min:0.###}..{c.MessagesPerBatchMax:0.###}");
            Console.WriteLine(string.Create(Inv,
                $"{c.Name,-34} {c.Partitions,10}   {c.SamplesPerSecond,9:F0}   {c.SynapticEventsPerSecond,17:E3}   {c.RatioToReference,12:F2}   {Optional(c.CoresBusy, "F2"),10}   {Optional(c.CpuMicrosecondsPerSample, "F0"),13}   {messages,28}   {Optional(c.PayloadBytesPerSpike, "F3"),21}   {Optional(c.DeploySeconds, "F2"),8}   {(c.Identical is { } id ? (id ? "yes" : "NO") : "(oracle)"),13}"));
        }

        Console.WriteLine();
        Console.WriteLine("samples/s per round (the load of a shared machine moves them; the ratios compare runs of the same round):");
        foreach (var c in r.Cases) Console.WriteLine($"  {c.Name,-34} {string.Join("  ", c.SamplesPerSecondPerRound.Select(x => x.ToString("F0", Inv)))}");
        Console.WriteLine(string.Create(Inv, $"spikes/sample {r.SpikesPerSample:F1}; synaptic events/sample {r.SynapticEventsPerSample:F0}"));
        foreach (var (letter, target) in new[] { ("(b)", 0.8), ("(d)", 0.5) })
        {
            if (r.Cases.FirstOrDefault(c => c.Name.StartsWith(letter, StringComparison.Ordinal)) is not { } row) continue;
            Console.WriteLine(string.Create(Inv, $"target {letter}/(a) >= {target:F1}: {row.RatioToReference:F2} {(row.RatioToReference >= target ? "met" : "MISSED")}"));
        }

        var runtime = r.Cases.Where(c => c.OneMessagePerBatchAndLink is not null).ToList();
        if (runtime.Count > 0)
        {
            Console.WriteLine($"target exactly 1 message per (batch, window, link): {(runtime.All(c => c.OneMessagePerBatchAndLink == true) ? "met" : "MISSED")} in every runtime case");
            var worst = runtime.Max(c => c.PayloadBytesPerSpike ?? 0);
            Console.WriteLine(string.Create(Inv, $"target <= 4 B of spike payload per spike at batch {r.Batch}: worst case {worst:F3} B, {(worst <= 4 ? "met" : "MISSED")}"));
        }

        Console.WriteLine($"load average at the end: {r.LoadAverageAtEnd}");
    }

    private static string Optional(double? value, string format) => value is { } v ? v.ToString(format, Inv) : "-";
}
