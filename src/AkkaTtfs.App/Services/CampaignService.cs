using System.Diagnostics;
using System.Globalization;
using AkkaTtfs.App.Files;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App.Services;

/// <summary>What <c>faults</c> is asked to sweep; the value lists are parsed, not yet checked.</summary>
public sealed record CampaignSettings
{
    public required string ModelFile { get; init; }

    public string Data { get; init; } = DatasetCatalog.DefaultName;

    public bool TrainSplit { get; init; }

    public int? Limit { get; init; }

    public int Batch { get; init; } = 64;

    public FaultKind Kind { get; init; }

    public required int[] Layers { get; init; }

    /// <summary>Null: the default rates, or 1 when steps or factors are swept.</summary>
    public double[]? Rates { get; init; }

    public int[]? Steps { get; init; }

    public double[]? Factors { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>False when the seed is the default: then a --with plan's seed is used.</summary>
    public bool SeedGiven { get; init; }

    public string? Partitions { get; init; }

    public int Repeat { get; init; } = 1;

    public string? WithFile { get; init; }

    public string? OutFolder { get; init; }
}

/// <summary>A campaign whose every plan was checked against the model, with its data loaded.</summary>
public sealed record PreparedCampaign(CampaignSettings Settings, SnnModel Model, Dataset Dataset, int Count, float[] Inputs, byte[] Labels,
    PartitionPlan? Plan, FaultPlan? With, ulong Seed, string Sweep, IReadOnlyList<CampaignPlan> Points);

/// <summary>One point's fault plan: the --with entries, then the swept fault.</summary>
public sealed record CampaignPlan(int Layer, double X, FaultPlan Plan);

/// <summary>
/// <c>faults</c>: a fault campaign. Sweeps one fault's rate (or its steps, or its drift factor) on one or more
/// layers, runs each point with a Core engine and reports accuracy, spikes and the traffic proxy against the
/// fault-free run; writes campaign.json, campaign.csv and a plot when given a folder.
/// </summary>
public sealed class CampaignService(IAppEvents events)
{
    private static readonly double[] DefaultRates = [0, 0.01, 0.02, 0.05, 0.1, 0.2];

    public PreparedCampaign Prepare(CampaignSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var sweep = CheckSweep(s);
        Preflight.AtLeastOne(s.Batch, "--batch");
        Preflight.AtLeastOne(s.Repeat, "--repeat");
        OptionRanges.Repeat.Check("--repeat", s.Repeat);
        if (s.OutFolder is { } outFolder) CampaignFiles.Check(Path.GetFullPath(outFolder), sweep);     // every file, before the campaign runs

        var model = ModelFile.Load(Path.GetFullPath(s.ModelFile));
        var with = s.WithFile is { } withFile ? Preflight.LoadFaultPlan(withFile) : null;
        Preflight.ValidatePlan(with, $"--with {Path.GetFullPath(s.WithFile ?? ".")}", model.Network);
        if (with is { Runtime.Count: > 0 })
        {
            var count = with.Runtime.Count;
            events.Status($"note: the --with plan's {count} runtime fault{(count == 1 ? "" : "s")} act{(count == 1 ? "s" : "")} on the cluster engine only (run or simulate --nodes N); a campaign ignores {(count == 1 ? "it" : "them")}");
        }

        var seed = with is not null && !s.SeedGiven ? with.Seed : s.Seed;
        var points = Points(s, model, with, seed, sweep);
        var pair = DatasetCatalog.Load(s.Data);
        var dataset = s.TrainSplit ? pair.Train : pair.Test;
        Preflight.CheckFits(model, dataset);
        var n = Math.Min(s.Limit ?? dataset.Count, dataset.Count);
        if (n < 1) throw new UsageException("--limit must be >= 1");
        var plan = s.Partitions is null ? null : Preflight.PlanPartitions(model.Network, s.Partitions);
        return new PreparedCampaign(s, model, dataset, n, dataset.NormaliseRange(0, n, model.Normalisation), Preflight.Labels(dataset, n), plan, with, seed, sweep, points);
    }

    public CampaignReport Execute(PreparedCampaign c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var s = c.Settings;
        events.Status($"fault campaign: {FaultKinds.Name(s.Kind)} on layer {string.Join(",", s.Layers)}, {c.Points.Count} points of {c.Count} {c.Dataset.Name} samples ({EngineName(c)} engine{(s.Repeat > 1 ? $", {s.Repeat} rounds" : "")})");
        var measured = Measure(c);
        var clean = measured.Results[0];
        var cleanSeconds = Statistics.Median(measured.Times[0]);
        var cleanCpu = Statistics.Median(measured.Cpu[0]);
        var cleanAccuracy = clean.Accuracy(c.Labels);
        var points = c.Points.Select((point, i) => Point(c, point, measured.Results[i + 1], measured.Times[i + 1], measured.Cpu[i + 1], measured.Cpu[0], clean, cleanAccuracy)).ToArray();
        var report = new CampaignReport(Path.GetFullPath(s.ModelFile), c.Model.Network.Architecture, c.Dataset.Name, c.Count, EngineName(c), FaultKinds.Name(s.Kind), s.Layers,
            c.Sweep, c.Seed, s.WithFile is null ? "" : Path.GetFullPath(s.WithFile), c.With?.Describe().ToArray() ?? [], s.Repeat,
            new CampaignBaseline(cleanAccuracy, clean.SpikesPerSample, clean.SpikesDeliveredPerSample, clean.SynOpsPerSample, cleanSeconds, c.Count / Math.Max(cleanSeconds, 1e-9),
                cleanCpu, c.Count / Math.Max(cleanCpu, 1e-9)),
            points);
        return s.OutFolder is null ? report : CampaignFiles.Write(Path.GetFullPath(s.OutFolder), report, s.Kind, FirstValues(c));
    }

    private static string EngineName(PreparedCampaign c) => c.Plan is null ? "event" : $"partitioned ({c.Plan.Describe()})";

    private static (double Rate, int Steps, double Factor) FirstValues(PreparedCampaign c) =>
        (c.Settings.Rates?[0] ?? (c.Settings.Steps?.Length > 1 || c.Settings.Factors?.Length > 1 ? 1.0 : DefaultRates[0]), c.Settings.Steps?[0] ?? 0, c.Settings.Factors?[0] ?? 1);

    /// <summary>Which of --rates, --steps and --factor is swept; the combination checked against the fault kind.</summary>
    private static string CheckSweep(CampaignSettings s)
    {
        var kind = FaultKinds.Name(s.Kind);
        if (FaultKinds.TakesSteps(s.Kind) && s.Steps is null) throw new UsageException($"--kind {kind} needs --steps");
        if (!FaultKinds.TakesSteps(s.Kind) && s.Steps is not null) throw new UsageException($"--kind {kind} takes no --steps");
        if (FaultKinds.TakesFactor(s.Kind) && s.Factors is null) throw new UsageException("--kind drift needs --factor");
        if (!FaultKinds.TakesFactor(s.Kind) && s.Factors is not null) throw new UsageException($"--kind {kind} takes no --factor");
        var multi = new[] { (s.Rates?.Length ?? 1) > 1, (s.Steps?.Length ?? 1) > 1, (s.Factors?.Length ?? 1) > 1 }.Count(x => x);
        if (multi > 1) throw new UsageException("sweep one thing at a time: give several values to only one of --rates, --steps and --factor");
        return (s.Steps?.Length ?? 1) > 1 ? "steps" : (s.Factors?.Length ?? 1) > 1 ? "factor" : "rate";
    }

    /// <summary>Every plan of the campaign, checked against the model before anything runs.</summary>
    private static List<CampaignPlan> Points(CampaignSettings s, SnnModel model, FaultPlan? with, ulong seed, string sweep)
    {
        var rates = s.Rates ?? (sweep == "rate" ? DefaultRates : [1.0]);
        var points = new List<CampaignPlan>();
        foreach (var layer in s.Layers)
        {
            foreach (var rate in rates)
            {
                foreach (var steps in s.Steps ?? [0])
                {
                    foreach (var factor in s.Factors ?? [1.0])
                    {
                        var plan = PlanOf(with, seed, new FaultSpec(s.Kind, layer, rate, steps, factor), model);
                        points.Add(new CampaignPlan(layer, sweep switch { "steps" => steps, "factor" => factor, _ => rate }, plan));
                    }
                }
            }
        }

        return points;
    }

    private static FaultPlan PlanOf(FaultPlan? with, ulong seed, FaultSpec swept, SnnModel model)
    {
        try
        {
            var plan = new FaultPlan(seed, [.. with?.Faults ?? [], swept]);
            plan.Validate(model.Network);
            return plan;
        }
        catch (FaultPlanException ex)
        {
            var inv = CultureInfo.InvariantCulture;
            var (option, value) = ex.Field switch
            {
                "layer" => ("--layer", swept.Layer.ToString(inv)),
                "steps" => ("--steps", swept.Steps.ToString(inv)),
                "factor" => ("--factor", swept.Factor.ToString("R", inv)),
                _ => ("--rates", swept.Rate.ToString("R", inv)),
            };
            throw new UsageException($"{option} {value}: {ex.Reason ?? ex.Message}");
        }
    }

    private sealed record Measurements(SimulationResult[] Results, List<double>[] Times, List<double>[] Cpu);

    /// <summary>
    /// Rounds interleave the fault-free run and every point (in a rotating order), so that a machine whose speed
    /// drifts affects them alike; with several rounds an untimed warm-up round comes first and times are medians.
    /// </summary>
    private Measurements Measure(PreparedCampaign c)
    {
        var options = new SimulationOptions(c.Settings.Batch);
        SimulationResult Run(FaultPlan? plan) => c.Plan is null
            ? new EventDrivenSimulator().Run(c.Model, c.Inputs, c.Count, options with { Faults = plan })
            : new PartitionedSimulator().Run(c.Model, c.Inputs, c.Count, options with { Partitions = c.Plan, Faults = plan });

        var repeats = c.Settings.Repeat;
        if (repeats > 1)
        {
            // Warm-up: every configuration once, untimed, so that the JIT's tiering and profile-guided
            // optimisation see the code paths of all of them, not only the first one run.
            Run(null);
            foreach (var point in c.Points) Run(point.Plan);
        }

        var count = c.Points.Count + 1;
        var progress = events.Counter("points", c.Points.Count);
        var results = new SimulationResult[count];
        var times = Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray();
        var cpu = Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < repeats; round++)
        {
            for (var j = 0; j < count; j++)
            {
                var i = (j + round) % count;     // each round starts one later: no run is always first
                var cpuBefore = MachineInfo.OwnCpuSeconds();
                var clock = Stopwatch.StartNew();
                results[i] = Run(i == 0 ? null : c.Points[i - 1].Plan);
                times[i].Add(clock.Elapsed.TotalSeconds);
                cpu[i].Add(MachineInfo.OwnCpuSeconds() - cpuBefore);
                if (repeats == 1 && i > 0) progress?.Report(i);
            }
        }

        return new Measurements(results, times, cpu);
    }

    private static CampaignPoint Point(PreparedCampaign c, CampaignPlan point, SimulationResult result, List<double> times, List<double> cpu, List<double> cleanCpu,
        SimulationResult clean, double cleanAccuracy)
    {
        var n = c.Count;
        var seconds = Statistics.Median(times);
        var cpuSeconds = Statistics.Median(cpu);
        // Paired: this point's CPU time over the fault-free run's in the same round, median over rounds.
        var cpuRatio = Statistics.Median(cpu.Zip(cleanCpu, (a, b) => a / b));
        var f = point.Plan.Faults[^1];
        var accuracy = result.Accuracy(c.Labels);
        return new CampaignPoint(point.Layer, point.X, f.Rate, f.Steps, f.Factor, accuracy, accuracy - cleanAccuracy, result.SpikesPerSample, result.SpikesDeliveredPerSample,
            clean.SpikesDelivered == 0 ? 1.0 : (double)result.SpikesDelivered / clean.SpikesDelivered, result.SynOpsPerSample,
            Enumerable.Range(0, n).Count(j => clean.Predictions[j] != result.Predictions[j]), clean.Compare(result, ResultFields.Outcome).IsIdentical,
            seconds, n / Math.Max(seconds, 1e-9), cpuSeconds, n / Math.Max(cpuSeconds, 1e-9), cpuRatio, result.Faults.Entries().ToDictionary(e => e.Key, e => e.Value))
        {
            NeuronsSelected = f.Level == FaultLevel.Neuron ? point.Plan.SelectedNeurons(point.Plan.Faults.Count - 1, c.Model.Network) : null,
        };
    }
}
