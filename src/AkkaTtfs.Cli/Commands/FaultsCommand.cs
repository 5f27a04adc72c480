using AkkaTtfs.Core.Distributed;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// <c>akkattfs faults</c>: a fault campaign. Sweeps one fault's rate (or its steps, or its drift factor) on
/// one or more layers, runs each point with a Core engine and reports accuracy, spikes per sample and the
/// traffic proxy (spikes delivered) against the fault-free run, as a table, JSON, CSV and a plot.
/// Also holds the fault-free vs faulty comparison that <c>simulate --faults</c> prints.
/// </summary>
internal static class FaultsCommand
{
    private static readonly double[] DefaultRates = [0, 0.01, 0.02, 0.05, 0.1, 0.2];
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "Model file (.safetensors)", Required = true };
        var data = DatasetCommand.DataOption();
        var split = new Option<string>("--split") { Description = "Which split to simulate: test or train", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var limit = new Option<int?>("--limit", "-n") { Description = "Simulate only the first N samples of the split" };
        var batch = new Option<int>("--batch", "-b") { Description = "Samples per batch (results do not depend on it)", DefaultValueFactory = _ => 64 };
        var kind = new Option<string>("--kind") { Description = $"Fault kind: {string.Join(", ", FaultKinds.Names)} (samples/faults/README.md)", Required = true };
        kind.AcceptOnlyFromAmong([.. FaultKinds.Names]);
        var layers = new Option<string>("--layer", "-l") { Description = "Layer index (0-based weighted layer), or several comma-separated: one curve each", Required = true };
        var rates = new Option<string?>("--rates") { Description = "Comma-separated rates in [0, 1] (probability per spike, fraction of neurons, rate per weight); default 0,0.01,0.02,0.05,0.1,0.2, or 1 when --steps or --factor is swept" };
        var steps = new Option<string?>("--steps") { Description = "Delay: extra steps; jitter: half-width; one value, or a comma-separated list to sweep" };
        var factor = new Option<string?>("--factor") { Description = "Drift: threshold factor (> 0); one value, or a comma-separated list to sweep" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the plan (every draw is keyed by it)", DefaultValueFactory = _ => 1 };
        var partitions = new Option<string?>("--partitions", "-p") { Description = "Run with the partitioned engine cut by this spec (results are identical to the event engine). " + RunCommand.PartitionSpecHelp };
        var repeat = new Option<int>("--repeat") { Description = "Run the fault-free run and every point this many rounds (interleaved, after a warm-up round) and report median wall and CPU times and the median per-round CPU time ratio to the fault-free run", DefaultValueFactory = _ => 1 };
        var background = new Option<FileInfo?>("--with") { Description = "A fault plan (JSON) whose faults are added to every point (its entries first, the swept fault last; its seed is used unless --seed is given)" };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Write campaign.json, campaign.csv and a plot of accuracy vs the swept value into this folder" };
        var command = new Command("faults", "Fault campaign: sweep a fault's rate (or steps, or factor) and report accuracy, spikes and traffic against the fault-free run")
        {
            model, data, split, limit, batch, kind, layers, rates, steps, factor, seed, partitions, repeat, background, output,
        };

        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (!FaultKinds.TryParse(parse.GetValue(kind), out var faultKind)) throw new CliUsageException($"--kind must be one of {string.Join(", ", FaultKinds.Names)}");
            var layerList = ParseList(parse.GetValue(layers)!, "--layer", s => int.Parse(s, NumberStyles.Integer, Inv));
            var stepList = parse.GetValue(steps) is { } st ? ParseList(st, "--steps", s => int.Parse(s, NumberStyles.Integer, Inv)) : null;
            var factorList = parse.GetValue(factor) is { } fa ? ParseList(fa, "--factor", s => double.Parse(s, NumberStyles.Float, Inv)) : null;
            if (FaultKinds.TakesSteps(faultKind) && stepList is null) throw new CliUsageException($"--kind {FaultKinds.Name(faultKind)} needs --steps");
            if (!FaultKinds.TakesSteps(faultKind) && stepList is not null) throw new CliUsageException($"--kind {FaultKinds.Name(faultKind)} takes no --steps");
            if (FaultKinds.TakesFactor(faultKind) && factorList is null) throw new CliUsageException("--kind drift needs --factor");
            if (!FaultKinds.TakesFactor(faultKind) && factorList is not null) throw new CliUsageException($"--kind {FaultKinds.Name(faultKind)} takes no --factor");
            var sweptOther = (stepList?.Length ?? 1) > 1 || (factorList?.Length ?? 1) > 1;
            var rateList = parse.GetValue(rates) is { } ra ? ParseList(ra, "--rates", s => double.Parse(s, NumberStyles.Float, Inv)) : sweptOther ? [1.0] : DefaultRates;
            var multi = new[] { rateList.Length > 1, (stepList?.Length ?? 1) > 1, (factorList?.Length ?? 1) > 1 }.Count(x => x);
            if (multi > 1) throw new CliUsageException("sweep one thing at a time: give several values to only one of --rates, --steps and --factor");
            var sweep = (stepList?.Length ?? 1) > 1 ? "steps" : (factorList?.Length ?? 1) > 1 ? "factor" : "rate";
            if (parse.GetValue(batch) < 1) throw new CliUsageException("--batch must be >= 1");
            if (parse.GetValue(repeat) < 1) throw new CliUsageException("--repeat must be >= 1");

            if (parse.GetValue(output) is { } outFolder)
            {
                // Checked up front along the whole path, not when the campaign's results are written.
                for (var d = outFolder.FullName; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
                {
                    if (File.Exists(d)) throw new CliUsageException($"--out {outFolder.FullName}: {d} is a file; give a folder for the campaign");
                }
            }

            var modelPath = parse.GetValue(model)!.FullName;
            var snn = ModelFile.Load(modelPath);
            var withPlan = parse.GetValue(background) is { } withFile ? CliFiles.LoadFaultPlan(withFile) : null;
            if (withPlan is not null)
            {
                try
                {
                    withPlan.Validate(snn.Network);
                }
                catch (FaultPlanException ex)
                {
                    throw new CliUsageException($"--with {parse.GetValue(background)!.FullName}: {ex.Message}");
                }
            }

            if (withPlan is { Runtime.Count: > 0 })
            {
                var count = withPlan.Runtime.Count;
                Console.Error.WriteLine($"note: the --with plan's {count} runtime fault{(count == 1 ? "" : "s")} act{(count == 1 ? "s" : "")} on the cluster engine only (run or simulate --nodes N); a campaign ignores {(count == 1 ? "it" : "them")}");
            }

            var seedGiven = parse.GetResult(seed) is { Implicit: false };
            var seedValue = withPlan is not null && !seedGiven ? withPlan.Seed : parse.GetValue(seed);
            var baseEntries = withPlan?.Faults ?? [];
            // Every plan of the campaign, checked against the model before anything runs.
            var points = new List<(int Layer, double X, FaultPlan Plan)>();
            foreach (var layer in layerList)
            {
                foreach (var rate in rateList)
                {
                    foreach (var s in stepList ?? [0])
                    {
                        foreach (var f in factorList ?? [1.0])
                        {
                            FaultPlan plan;
                            try
                            {
                                plan = new FaultPlan(seedValue, [.. baseEntries, new FaultSpec(faultKind, layer, rate, s, f)]);
                                plan.Validate(snn.Network);
                            }
                            catch (FaultPlanException ex)
                            {
                                var (option, value) = ex.Field switch
                                {
                                    "layer" => ("--layer", layer.ToString(Inv)),
                                    "steps" => ("--steps", s.ToString(Inv)),
                                    "factor" => ("--factor", f.ToString("R", Inv)),
                                    _ => ("--rates", rate.ToString("R", Inv)),
                                };
                                throw new CliUsageException($"{option} {value}: {ex.Reason ?? ex.Message}");
                            }

                            points.Add((layer, sweep switch { "steps" => s, "factor" => f, _ => rate }, plan));
                        }
                    }
                }
            }

            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            var dataset = parse.GetValue(split) == "train" ? pair.Train : pair.Test;
            SimulateCommand.CheckFits(snn, dataset);
            var n = Math.Min(parse.GetValue(limit) ?? dataset.Count, dataset.Count);
            if (n < 1) throw new CliUsageException("--limit must be >= 1");
            var inputs = dataset.NormaliseRange(0, n, snn.Normalisation);
            var labels = Enumerable.Range(0, n).Select(i => (byte)dataset.Label(i)).ToArray();
            var options = new SimulationOptions(parse.GetValue(batch));
            var spec = parse.GetValue(partitions);
            var partitionPlan = spec is null ? null : RunCommand.PlanPartitions(snn.Network, spec);
            var engine = partitionPlan is null ? "event" : $"partitioned ({partitionPlan.Describe()})";
            var repeats = parse.GetValue(repeat);

            SimulationResult Run(FaultPlan? plan) => partitionPlan is null
                ? new EventDrivenSimulator().Run(snn, inputs, n, options with { Faults = plan })
                : new PartitionedSimulator().Run(snn, inputs, n, options with { Partitions = partitionPlan, Faults = plan });

            Console.Error.WriteLine($"fault campaign: {FaultKinds.Name(faultKind)} on layer {string.Join(",", layerList)}, {points.Count} points of {n} {dataset.Name} samples ({engine} engine{(repeats > 1 ? $", {repeats} rounds" : "")})");
            // Rounds interleave the fault-free run and every point (in a rotating order), so that a machine whose
            // speed drifts affects them alike; with several rounds an untimed warm-up round comes first and times are medians.
            if (withPlan is not null)
            {
                Console.WriteLine($"every point also has the faults of {parse.GetValue(background)!.FullName} (seed {seedValue}):");
                foreach (var line in withPlan.Describe()) Console.WriteLine($"  {line}");
            }

            if (repeats > 1)
            {
                // Warm-up: every configuration once, untimed, so that the JIT's tiering and profile-guided
                // optimisation see the code paths of all of them, not only the first one run.
                Run(null);
                foreach (var point in points) Run(point.Plan);
            }

            // Whole lines (every tenth of the points) when stderr is redirected, one line rewritten in place on a terminal.
            var progress = new ConsoleProgress("points", points.Count);
            var results = new SimulationResult[points.Count + 1];
            var times = Enumerable.Range(0, points.Count + 1).Select(_ => new List<double>()).ToArray();
            var cpuTimes = Enumerable.Range(0, points.Count + 1).Select(_ => new List<double>()).ToArray();
            using var process = Process.GetCurrentProcess();
            for (var round = 0; round < repeats; round++)
            {
                for (var j = 0; j <= points.Count; j++)
                {
                    var i = (j + round) % (points.Count + 1);     // each round starts one later: no run is always first
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    results[i] = Run(i == 0 ? null : points[i - 1].Plan);
                    times[i].Add(clock.Elapsed.TotalSeconds);
                    process.Refresh();
                    cpuTimes[i].Add((process.TotalProcessorTime - cpu).TotalSeconds);
                    if (repeats == 1 && i > 0) progress.Report(i);
                }
            }

            double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
            var clean = results[0];
            var cleanSeconds = Median(times[0]);
            var cleanCpu = Median(cpuTimes[0]);
            var cleanAccuracy = clean.Accuracy(labels);
            var rows = new List<Dictionary<string, object>>();
            var inv = Inv;
            Console.WriteLine(string.Create(inv, $"fault-free: accuracy {cleanAccuracy:P2}, spikes/sample {Numbers.Fixed(clean.SpikesPerSample, 1)}, delivered/sample {Numbers.Fixed(clean.SpikesDeliveredPerSample, 1)}, SynOps/sample {Numbers.Fixed(clean.SynOpsPerSample, 0)}, {n / cleanSeconds:F0} samples/s ({n / cleanCpu:F0} per CPU second)"));
            Console.WriteLine(string.Create(inv, $"{"layer",5} {sweep,8} {"accuracy",9} {"change",8} {"spikes/s.",10} {"delivered/s.",12} {"vs clean",9} {"samples/s",9} {"per CPU s",9} {"CPU time",9}  counters"));
            for (var i = 0; i < points.Count; i++)
            {
                var (layer, x, plan) = points[i];
                var result = results[i + 1];
                var seconds = Median(times[i + 1]);
                var cpuSeconds = Median(cpuTimes[i + 1]);
                // Paired: this point's CPU time over the fault-free run's in the same round, median over rounds.
                var cpuRatio = Median(cpuTimes[i + 1].Zip(cpuTimes[0], (a, b) => a / b).ToList());
                var f = plan.Faults[^1];
                var accuracy = result.Accuracy(labels);
                var row = new Dictionary<string, object>
                {
                    ["layer"] = layer,
                    ["x"] = x,
                    ["rate"] = f.Rate,
                    ["steps"] = f.Steps,
                    ["factor"] = f.Factor,
                    ["accuracy"] = accuracy,
                    ["accuracy_change"] = accuracy - cleanAccuracy,
                    ["spikes_per_sample"] = result.SpikesPerSample,
                    ["spikes_delivered_per_sample"] = result.SpikesDeliveredPerSample,
                    ["delivered_vs_fault_free"] = clean.SpikesDelivered == 0 ? 1.0 : (double)result.SpikesDelivered / clean.SpikesDelivered,
                    ["synops_per_sample"] = result.SynOpsPerSample,
                    ["predictions_changed"] = Enumerable.Range(0, n).Count(j => clean.Predictions[j] != result.Predictions[j]),
                    ["identical_to_fault_free"] = Identical(clean, result),
                    ["seconds"] = seconds,
                    ["samples_per_second"] = n / Math.Max(seconds, 1e-9),
                    ["cpu_seconds"] = cpuSeconds,
                    ["samples_per_cpu_second"] = n / Math.Max(cpuSeconds, 1e-9),
                    ["cpu_time_vs_fault_free"] = cpuRatio,
                    ["counters"] = result.Faults.Entries().ToDictionary(e => e.Key, e => e.Value),
                };
                if (f.Level == FaultLevel.Neuron) row["neurons_selected"] = plan.SelectedNeurons(plan.Faults.Count - 1, snn.Network);
                rows.Add(row);
                var counters = string.Join(", ", result.Faults.Entries().Where(e => e.Value != 0).Select(e => $"{e.Key} {e.Value}"));
                Console.WriteLine(string.Create(inv,
                    $"{layer,5} {x,8:G4} {accuracy,9:P2} {Numbers.Signed((accuracy - cleanAccuracy) * 100, 2),7}pp {Numbers.Fixed(result.SpikesPerSample, 1),10} {Numbers.Fixed(result.SpikesDeliveredPerSample, 1),12} {(double)row["delivered_vs_fault_free"],9:P1} {n / seconds,9:F0} {n / cpuSeconds,9:F0} {(repeats > 1 ? cpuRatio.ToString("P1", inv) : "-"),9}  {(counters.Length == 0 ? "-" : counters)}{((bool)row["identical_to_fault_free"] ? "  (identical to fault-free)" : "")}"));
            }

            if (parse.GetValue(output) is { } folder)
            {
                Directory.CreateDirectory(folder.FullName);
                var xLabel = AxisLabel(faultKind, sweep, rateList[0], stepList?[0] ?? 0, factorList?[0] ?? 1);
                var title = $"{snn.Network.Architecture}: accuracy vs {xLabel}";
                var report = new Dictionary<string, object>
                {
                    ["model_file"] = modelPath,
                    ["architecture"] = snn.Network.Architecture,
                    ["dataset"] = dataset.Name,
                    ["samples"] = n,
                    ["engine"] = engine,
                    ["kind"] = FaultKinds.Name(faultKind),
                    ["layers"] = layerList,
                    ["sweep"] = sweep,
                    ["seed"] = seedValue,
                    ["with"] = withPlan is null ? "" : parse.GetValue(background)!.FullName,
                    ["with_entries"] = withPlan?.Describe().ToArray() ?? [],
                    ["fault_free"] = new Dictionary<string, object>
                    {
                        ["accuracy"] = cleanAccuracy,
                        ["spikes_per_sample"] = clean.SpikesPerSample,
                        ["spikes_delivered_per_sample"] = clean.SpikesDeliveredPerSample,
                        ["synops_per_sample"] = clean.SynOpsPerSample,
                        ["seconds"] = cleanSeconds,
                        ["samples_per_second"] = n / Math.Max(cleanSeconds, 1e-9),
                        ["cpu_seconds"] = cleanCpu,
                        ["samples_per_cpu_second"] = n / Math.Max(cleanCpu, 1e-9),
                    },
                    ["points"] = rows,
                };
                var plotFile = FaultPlot.Write(folder.FullName, $"accuracy-vs-{sweep}", title, xLabel, cleanAccuracy * 100,
                    layerList.Select(l => ($"layer {l}", rows.Where(r => (int)r["layer"] == l).Select(r => ((double)r["x"], (double)r["accuracy"] * 100)).ToArray())).ToArray());
                report["plot"] = Path.GetFileName(plotFile);
                CliFiles.WriteText(Path.Combine(folder.FullName, "campaign.json"), JsonSerializer.Serialize(report, JsonOptions));
                WriteCsv(Path.Combine(folder.FullName, "campaign.csv"), rows);
                Console.WriteLine($"campaign written to {folder.FullName} (campaign.json, campaign.csv, {Path.GetFileName(plotFile)})");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The x axis label of a campaign plot.</summary>
    private static string AxisLabel(FaultKind kind, string sweep, double rate, int steps, double factor)
    {
        var r = rate.ToString("G4", Inv);
        return (kind, sweep) switch
        {
            (FaultKind.Delay, "steps") => $"extra delay in steps (p = {r})",
            (FaultKind.Jitter, "steps") => $"jitter half-width in steps (p = {r})",
            (FaultKind.Drift, "factor") => $"threshold factor (fraction {r})",
            (FaultKind.Drop, _) => "spike-drop probability",
            (FaultKind.Delay, _) => $"delay probability (d = {steps} steps)",
            (FaultKind.Jitter, _) => $"jitter probability (j = {steps} steps)",
            (FaultKind.Dead, _) => "fraction of dead neurons",
            (FaultKind.Stuck, _) => "fraction of neurons stuck at t = 0",
            (FaultKind.Drift, _) => $"fraction of neurons with drifted threshold (factor {factor.ToString("G4", Inv)})",
            (FaultKind.BitFlip, _) => "bit-flip rate per weight",
            (FaultKind.ZeroWeight, _) => "zeroed-weight rate",
            (FaultKind.Duplicate, _) => "spike-duplicate probability",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no axis label for this fault kind"),
        };
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

    private static void WriteCsv(string path, List<Dictionary<string, object>> rows)
    {
        var columns = new[] { "layer", "x", "rate", "steps", "factor", "accuracy", "accuracy_change", "spikes_per_sample", "spikes_delivered_per_sample",
            "delivered_vs_fault_free", "synops_per_sample", "predictions_changed", "identical_to_fault_free", "seconds", "samples_per_second", "cpu_seconds", "samples_per_cpu_second", "cpu_time_vs_fault_free" };
        CliFiles.WriteText(path, writer =>
        {
            writer.WriteLine(string.Join(",", columns.Concat(FaultCounters.Names)));
            foreach (var row in rows)
            {
                var counters = (Dictionary<string, long>)row["counters"];
                var cells = columns.Select(c => Cell(row[c])).Concat(FaultCounters.Names.Select(c => counters[c].ToString(Inv)));
                writer.WriteLine(string.Join(",", cells));
            }
        });
    }

    private static string Cell(object value) => value switch
    {
        double d => d.ToString("R", Inv),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };

    /// <summary>True when two runs agree bit for bit: predictions, output potentials, spike counts, SynOps.</summary>
    public static bool Identical(SimulationResult a, SimulationResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Predictions.AsSpan().SequenceEqual(b.Predictions) || !a.SpikesPerStage.AsSpan().SequenceEqual(b.SpikesPerStage) || a.SynOps != b.SynOps)
            return false;
        for (var i = 0; i < a.OutputPotentials.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a.OutputPotentials[i]) != BitConverter.SingleToInt32Bits(b.OutputPotentials[i])) return false;
        }

        return true;
    }

    /// <summary>What <c>simulate --faults</c> reports: the plan, the counters and the faulty run against the fault-free one.</summary>
    public static Dictionary<string, object> Compare(string planFile, FaultPlan plan, SnnModel model, byte[] labels,
        SimulationResult clean, double cleanSeconds, SimulationResult faulty, double faultySeconds)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(faulty);
        Dictionary<string, object> Metrics(SimulationResult r, double seconds) => new()
        {
            ["accuracy"] = r.Accuracy(labels),
            ["spikes_per_sample"] = r.SpikesPerSample,
            ["spikes_per_sample_per_layer"] = r.SpikesPerStage.Select(s => (double)s / r.SampleCount).ToArray(),
            ["spikes_delivered_per_sample"] = r.SpikesDeliveredPerSample,
            ["synops_per_sample"] = r.SynOpsPerSample,
            ["seconds"] = seconds,
            ["samples_per_second"] = r.SampleCount / Math.Max(seconds, 1e-9),
        };
        var neurons = plan.Faults.Select((f, i) => (f, i)).Where(x => x.f.Level == FaultLevel.Neuron)
            .ToDictionary(x => x.i.ToString(Inv), x => plan.SelectedNeurons(x.i, model.Network));
        return new Dictionary<string, object>
        {
            ["plan_file"] = planFile,
            ["seed"] = plan.Seed,
            ["entries"] = plan.Describe().ToArray(),
            ["neurons_selected_per_entry"] = neurons,
            ["counters"] = faulty.Faults.Entries().ToDictionary(e => e.Key, e => e.Value),
            ["fault_free"] = Metrics(clean, cleanSeconds),
            ["with_faults"] = Metrics(faulty, faultySeconds),
            ["accuracy_change"] = faulty.Accuracy(labels) - clean.Accuracy(labels),
            ["predictions_changed"] = Enumerable.Range(0, clean.SampleCount).Count(s => clean.Predictions[s] != faulty.Predictions[s]),
            ["identical_to_fault_free"] = Identical(clean, faulty),
        };
    }

    /// <summary>Prints a <see cref="Compare"/> summary.</summary>
    public static void PrintComparison(Dictionary<string, object> c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var inv = Inv;
        var clean = (Dictionary<string, object>)c["fault_free"];
        var faulty = (Dictionary<string, object>)c["with_faults"];
        Console.WriteLine(string.Create(inv, $"fault plan         {c["plan_file"]} (seed {c["seed"]})"));
        var selected = (Dictionary<string, int>)c["neurons_selected_per_entry"];
        var entries = (string[])c["entries"];
        for (var i = 0; i < entries.Length; i++)
        {
            var extra = selected.TryGetValue(i.ToString(inv), out var count) ? string.Create(inv, $" ({count} neurons selected)") : "";
            Console.WriteLine($"  {entries[i]}{extra}");
        }

        Console.WriteLine(string.Create(inv, $"{"",18} {"fault-free",12} {"with faults",12} {"change",12}"));
        void Line(string name, string key, int decimals, double scale = 1)
        {
            var a = (double)clean[key] * scale;
            var b = (double)faulty[key] * scale;
            Console.WriteLine(string.Create(inv, $"{name,-18} {Numbers.Fixed(a, decimals),12} {Numbers.Fixed(b, decimals),12} {Numbers.Signed(b - a, decimals),12}"));
        }

        Line("accuracy (%)", "accuracy", 2, 100);
        Line("spikes/sample", "spikes_per_sample", 1);
        Line("delivered/sample", "spikes_delivered_per_sample", 1);
        Line("SynOps/sample", "synops_per_sample", 0);
        Line("samples/s", "samples_per_second", 0);
        Console.WriteLine(string.Create(inv, $"predictions changed {c["predictions_changed"]}{((bool)c["identical_to_fault_free"] ? " (bit-identical to the fault-free run)" : "")}"));
        var counters = (Dictionary<string, long>)c["counters"];
        Console.WriteLine("fault counters     " + string.Join(", ", counters.Select(kv => string.Create(inv, $"{kv.Key} {kv.Value}"))));
    }
}

/// <summary>Plots accuracy vs a swept fault parameter: PNG with ScottPlot, or a plain SVG where its native renderer cannot load.</summary>
internal static class FaultPlot
{
    /// <summary>Writes <paramref name="name"/>.png (or .svg) into <paramref name="folder"/>; returns the file's path.</summary>
    public static string Write(string folder, string name, string title, string xLabel, double reference, IReadOnlyList<(string Label, (double X, double Y)[] Points)> series)
    {
        var png = Path.Combine(folder, name + ".png");
        try
        {
            WritePng(png, title, xLabel, reference, series);
            return png;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            Console.Error.WriteLine($"PNG plotting is unavailable ({ex.GetType().Name}: {ex.Message}); writing SVG instead");
            var svg = Path.Combine(folder, name + ".svg");
            CliFiles.WriteText(svg, Svg(title, xLabel, reference, series));
            return svg;
        }
    }

    private static void WritePng(string path, string title, string xLabel, double reference, IReadOnlyList<(string Label, (double X, double Y)[] Points)> series)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var (label, points) = series[i];
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), palette.GetColor(i));
            scatter.LegendText = label;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
        }

        var line = plot.Add.HorizontalLine(reference, 1.5f, ScottPlot.Colors.Gray, ScottPlot.LinePattern.Dashed);
        line.LegendText = string.Create(CultureInfo.InvariantCulture, $"fault-free ({reference:F2}%)");
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("accuracy (%)");
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>A self-contained SVG line chart (no fonts or native code needed to write it).</summary>
    internal static string Svg(string title, string xLabel, double reference, IReadOnlyList<(string Label, (double X, double Y)[] Points)> series)
    {
        const double width = 900, height = 560, left = 70, right = 30, top = 50, bottom = 60;
        var inv = CultureInfo.InvariantCulture;
        var all = series.SelectMany(s => s.Points).ToArray();
        var xMin = all.Length == 0 ? 0 : all.Min(p => p.X);
        var xMax = all.Length == 0 ? 1 : all.Max(p => p.X);
        if (xMax <= xMin) xMax = xMin + 1;
        var yMin = Math.Floor(Math.Min(reference, all.Length == 0 ? reference : all.Min(p => p.Y)) - 1);
        var yMax = Math.Ceiling(Math.Max(reference, all.Length == 0 ? reference : all.Max(p => p.Y)) + 1);
        double Sx(double x) => left + ((x - xMin) / (xMax - xMin) * (width - left - right));
        double Sy(double y) => height - bottom - ((y - yMin) / (yMax - yMin) * (height - top - bottom));
        string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        string[] colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">\n");
        sb.Append(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"{width / 2}\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">{Esc(title)}</text>\n");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        for (var i = 0; i <= 5; i++)
        {
            var x = xMin + ((xMax - xMin) * i / 5);
            var y = yMin + ((yMax - yMin) * i / 5);
            sb.Append(inv, $"<text x=\"{Sx(x):F1}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{x:G4}</text>\n");
            sb.Append(inv, $"<text x=\"{left - 8}\" y=\"{Sy(y) + 4:F1}\" text-anchor=\"end\">{y:G4}</text>\n");
        }

        sb.Append(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 15}\" text-anchor=\"middle\">{Esc(xLabel)}</text>\n");
        sb.Append(inv, $"<text x=\"18\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {(top + height - bottom) / 2})\">accuracy (%)</text>\n");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{Sy(reference):F1}\" x2=\"{width - right}\" y2=\"{Sy(reference):F1}\" stroke=\"gray\" stroke-dasharray=\"6 4\"/>\n");
        sb.Append(inv, $"<text x=\"{width - right - 4}\" y=\"{Sy(reference) - 6:F1}\" text-anchor=\"end\" fill=\"gray\">fault-free ({reference:F2}%)</text>\n");
        for (var i = 0; i < series.Count; i++)
        {
            var colour = colours[i % colours.Length];
            var points = string.Join(" ", series[i].Points.Select(p => string.Create(inv, $"{Sx(p.X):F1},{Sy(p.Y):F1}")));
            sb.Append(inv, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>\n");
            foreach (var p in series[i].Points) sb.Append(inv, $"<circle cx=\"{Sx(p.X):F1}\" cy=\"{Sy(p.Y):F1}\" r=\"4\" fill=\"{colour}\"/>\n");
            sb.Append(inv, $"<text x=\"{left + 12}\" y=\"{height - bottom - 12 - (18 * i)}\" fill=\"{colour}\">{Esc(series[i].Label)}</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
