using System.CommandLine;
using System.Globalization;
using AkkaTtfs.App;
using AkkaTtfs.App.Services;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs sweep</c>: a grid of partitionings x node counts x batch sizes x placements (x emulated links) on one cluster (embedded or joined), every
/// point verified against the Core reference and its traffic against Core's prediction. The work is <see cref="SweepService"/>'s.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data();
        var partitions = new Option<string>("--partitions", "-p")
        {
            Description = "Partition specs to sweep, comma-separated (e.g. 1,c3,t2x2); separate them with ';' when a spec has one entry per layer (e.g. \"1,c3,1;c3\"). " +
                          "Each spec: " + CliOptions.PartitionSpecHelp,
            DefaultValueFactory = _ => "1",
        };
        var nodes = new Option<string>("--nodes")
        {
            Description = $"Node counts to sweep, comma-separated (each {OptionRanges.EmbeddedNodes.Text} embedded, {OptionRanges.JoinedNodes.Text} with --seed); " +
                          "one cluster serves every point of a link profile (embedded: started with the largest count; --seed: at least that many 'akkattfs node' workers), a point with fewer uses the first of them",
            DefaultValueFactory = _ => "1",
        };
        var seeds = CliOptions.Seeds("Join the cluster of these seed node addresses (akka.tcp://akkattfs@host:port) as the coordinator and run every point on its " +
                                     "'akkattfs node' workers, instead of an embedded cluster (as run --seed; --host/--port/--secret-file are this coordinator's)");
        var batch = new Option<string>("--batch", "-b") { Description = $"Batch sizes to sweep, comma-separated (each {OptionRanges.Batch.Text})", DefaultValueFactory = _ => "64" };
        var placement = new Option<string>("--placement")
        {
            Description = "Placements to sweep, comma-separated: balanced, traffic, round-robin or placement files (FILE.json; pins to tags only with --seed: embedded nodes carry none)",
            DefaultValueFactory = _ => "balanced",
        };
        var linkLatency = new Option<string>(LinkOptions.Latency)
        {
            Description = "Emulated one-way latencies of the cross-node links to sweep, comma-separated, e.g. 0,1ms,10ms (each as run's --link-latency); " +
                          "one embedded cluster per link value (not with --seed: the workers' links are their own)",
            HelpName = "DURATIONS",
            DefaultValueFactory = _ => "0",
        };
        var linkBandwidth = new Option<string>(LinkOptions.Bandwidth)
        {
            Description = "Emulated bandwidths of the cross-node links to sweep, comma-separated, e.g. 0,100Mbit (0: unlimited; each as run's --link-bandwidth)",
            HelpName = "RATES",
            DefaultValueFactory = _ => "0",
        };
        var limit = CliOptions.Limit("Sweep with the first N test samples (every point runs all of them)");
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Sweep folder (default sweeps/sweep-<time>): sweep.json, sweep.csv, sweep-links.csv and the plots" };
        var cluster = new ClusterCliOptions("", links: false);
        var command = new Command("sweep",
            $"Run a grid of partitionings, node counts, batch sizes, placements and emulated link latencies/bandwidths on one cluster (embedded, one per link profile, or joined with --seed; {OptionRanges.SweepPoints.Text} points), verify every point " +
            "against the Core reference and its traffic against Core's prediction, and write sweep.json, sweep.csv, sweep-links.csv and plots (after every point: Ctrl+C keeps the points done)")
        {
            model, data, partitions, nodes, seeds, batch, placement, linkLatency, linkBandwidth, limit, output,
        };
        cluster.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var clusterSettings = cluster.Read(parse);
            var settings = new SweepSettings
            {
                ModelFile = parse.GetValue(model)!.FullName,
                Data = parse.GetValue(data)!,
                Limit = parse.GetValue(limit),
                Partitions = parse.GetValue(partitions)!,
                Nodes = parse.GetValue(nodes)!,
                Batch = parse.GetValue(batch)!,
                Placement = parse.GetValue(placement)!,
                LinkLatency = parse.GetValue(linkLatency)!,
                LinkBandwidth = parse.GetValue(linkBandwidth)!,
                OutFolder = parse.GetValue(output)?.FullName,
                Cluster = CliOptions.Setup(clusterSettings, 1, parse.GetValue(seeds) ?? []),
            };
            var prepared = SweepService.Prepare(settings);
            Console.Error.WriteLine($"sweep: {prepared.Grid.Count} point(s) into {prepared.Folder}");
            using var interrupt = CliErrors.CancelOnCtrlC();
            SweepResult result;
            try
            {
                result = new SweepService(new ConsoleEvents()).Execute(prepared, interrupt.Token);
            }
            catch (OperationCanceledException)
            {
                if (File.Exists(Path.Combine(prepared.Folder, SweepService.JsonFile)))
                    Console.Error.WriteLine($"the points done so far are in {Path.Combine(prepared.Folder, SweepService.JsonFile)}");
                throw;
            }

            Print(result);
            var bad = result.Report.Points.Count(p => p.Status != SweepStatus.Ok);
            if (bad == 0) return 0;
            Console.Error.WriteLine($"error: {bad} of {result.Report.Points.Count} points did not pass (see the status and error columns of {SweepService.CsvFile})");
            return 1;
        }));
        return command;
    }

    private static void Print(SweepResult result)
    {
        Console.WriteLine($"{"point",-44} {"status",-9} {"samples/s",10} {"B/sample",10} {"cross B/s",10} {"p50 ms",8} {"p99 ms",8} {"x-node ms",9}");
        foreach (var p in result.Report.Points)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{App.Reporting.SweepPlots.Label(p),-44} {p.Status,-9} {Num(p.SamplesPerSecond, "F0"),10} {Num(p.PayloadBytesPerSample, "F0"),10} {Num(p.CrossNodeBytesPerSample, "F0"),10} {Num(p.BatchLatencyP50Ms, "F1"),8} {Num(p.BatchLatencyP99Ms, "F1"),8} {Num(p.CrossNodeLatencyP50Ms, "F2"),9}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep folder       {result.Folder} ({result.Report.ElapsedSeconds:F0} s)"));
    }

    private static string Num(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
}
