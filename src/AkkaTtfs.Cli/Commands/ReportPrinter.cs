using System.Globalization;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>The human-readable summaries (stdout) of the application layer's typed reports.</summary>
internal static class ReportPrinter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Print(RunReport r)
    {
        var traffic = r.Traffic;
        Console.WriteLine($"architecture       {r.Architecture}");
        Console.WriteLine(string.Create(Inv, $"samples            {r.Samples}"));
        Console.WriteLine(string.Create(Inv, $"accuracy           {r.Accuracy:P2}"));
        Console.WriteLine($"spikes/sample      {Numbers.Fixed(r.SpikesPerSample, 1)}  per layer [{Numbers.List(r.SpikesPerSamplePerLayer, 1)}]");
        Console.WriteLine($"SynOps/sample      {Numbers.Fixed(r.SynopsPerSample, 0)}");
        Console.WriteLine(string.Create(Inv, $"cluster            {r.Nodes.Count} worker node(s), {r.PartitionCount} partitions ({r.Partitions})"));
        if (r.LinkEmulation is { } link)
        {
            var profile = new AkkaTtfs.Core.Distributed.LinkProfile(link.LatencyMs, link.BandwidthBytesPerSecond);
            Console.WriteLine($"emulated links     {profile.Describe()} ({link.Scope})");
        }

        Console.WriteLine(string.Create(Inv, $"time               deploy {r.DeploySeconds:F2} s, run {r.RunSeconds:F2} s ({r.SamplesPerSecond:F0} samples/s)"));
        if (r.Memory is { } memory) Print(memory);
        Print(r.NodeMemory);
        Console.WriteLine(string.Create(Inv, $"traffic            {traffic.Messages} messages, {traffic.SpikesSent} spikes sent, {traffic.SpikePayloadBytes / 1e6:F2} MB spike payload ({traffic.PayloadBytesPerSpike:F2} B/spike)"));
        foreach (var pair in traffic.NodePairs)
            Console.WriteLine(string.Create(Inv, $"  {pair.From} -> {pair.To}: {pair.Messages} msgs, {pair.Events} events, {pair.PayloadBytes / 1e3:F1} kB"));
        Print(r.Recovery);
        var verified = r.BitIdenticalToReference switch
        {
            null => "not checked (--verify false)",
            true => "bit-identical to the Core reference",
            false => $"DIFFERS from the Core reference ({string.Join(", ", r.ReferenceDifferences ?? [])})",
        };
        Console.WriteLine($"verified           {verified}");
        if (r.Faults is { } faults) Print(faults);
    }

    public static void Print(SimulateReport r)
    {
        Console.WriteLine(string.Create(Inv, $"samples            {r.Samples}"));
        Console.WriteLine(string.Create(Inv, $"accuracy           {r.Accuracy:P2}"));
        Console.WriteLine($"spikes/sample      {Numbers.Fixed(r.SpikesPerSample, 1)}  per layer [{Numbers.List(r.SpikesPerSamplePerLayer, 1)}]");
        if (r.SynopsPerSample is { } synops)
            Console.WriteLine(string.Create(Inv, $"SynOps/sample      {Numbers.Fixed(synops, 0)}  (DNN MACs/sample {r.DnnMacsPerSample:N0})"));
        if (r.Energy is { } e)
            Console.WriteLine(string.Create(Inv, $"energy/sample      SNN {e.SnnNanojoulesPerSample:F1} nJ vs DNN {e.DnnNanojoulesPerSample:F1} nJ (ratio {e.Ratio:F3}; E_AC {e.AccumulatePicojoules} pJ, E_MAC {e.MultiplyAccumulatePicojoules} pJ, an estimate)"));
        if (r.Partitions is { } p)
            Console.WriteLine(string.Create(Inv, $"partitions         {p} ({r.PartitionCount} partitions, {r.Routes} routes)"));
        Console.WriteLine(string.Create(Inv, $"time               {(r.DeploySeconds is { } deploy ? $"deploy {deploy:F2} s, run " : "")}{r.Seconds:F2} s ({r.SamplesPerSecond:F0} samples/s)"));
        if (r.Memory is { } memory) Print(memory);
        if (r.NodeMemory is { } nodes) Print(nodes);
        if (r.DnnCheck is { } check)
        {
            Console.WriteLine(string.Create(Inv, $"DNN accuracy       {check.DnnAccuracy:P2} (quantised DNN, double precision)"));
            Console.WriteLine(string.Create(Inv, $"DNN agreement      {check.PredictionAgreement:P2} ({check.DisagreeingSamples.Length} samples disagree)"));
            Console.WriteLine(string.Create(Inv, $"spike mismatches   {check.SpikeTimeMismatches} of {check.HiddenNeuronsCompared:N0} hidden neurons (float rounding at Q boundaries)"));
        }

        if (r.Recovery is { } recovery) Print(recovery);
        if (r.Faults is { } faults) Print(faults);
    }

    private static void Print(ProcessMemoryReport memory) =>
        Console.WriteLine(string.Create(Inv, $"memory             peak working set {memory.PeakWorkingSetMegabytes:F0} MB, managed heap {memory.ManagedHeapMegabytes:F0} MB ({memory.Process})"));

    /// <summary>One line per worker node: its process's peak working set and managed heap after deployment and at the end.</summary>
    private static void Print(IReadOnlyList<NodeMemoryReport> nodes)
    {
        foreach (var node in nodes)
        {
            Console.WriteLine(string.Create(Inv,
                $"node memory        {node.Node} (pid {node.ProcessId}): peak working set {Megabytes(node.Deployed?.PeakWorkingSetMegabytes)} after deploy, {Megabytes(node.End?.PeakWorkingSetMegabytes)} at the end; managed heap {Megabytes(node.Deployed?.ManagedHeapMegabytes)}, {Megabytes(node.End?.ManagedHeapMegabytes)}"));
        }
    }

    private static string Megabytes(double? mb) => mb is { } v ? string.Create(Inv, $"{v:F0} MB") : "not reported";

    /// <summary>Runtime faults as fired, then re-homings and replays when there were any.</summary>
    public static void Print(RecoveryReport recovery)
    {
        foreach (var fault in recovery.RuntimeFaults)
        {
            var when = fault.Skipped is { } why
                ? why.StartsWith("not fired", StringComparison.Ordinal) ? why : string.Create(Inv, $"due at {fault.AtSeconds:F2} s, skipped ({why})")
                : string.Create(Inv, $"fired at {fault.AtSeconds:F2} s");
            Console.WriteLine($"runtime fault      [{fault.Index}] {fault.What}: {when}");
        }

        if (recovery.PartitionsRestarted.Count == 0 && recovery.BatchesReplayed == 0) return;
        Console.WriteLine(string.Create(Inv, $"recovery           {recovery.PartitionsRestarted.Count} partitions re-homed, {recovery.BatchesReplayed} batches replayed ({recovery.TimeoutReplays} after timeouts)"));
        foreach (var rec in recovery.Recoveries)
            Console.WriteLine(string.Create(Inv, $"                   loss noticed at {rec.NoticedSeconds:F1} s into the run, all partitions ready again at {rec.RecoveredSeconds:F1} s"));
    }

    /// <summary>A fault plan's run against the fault-free run.</summary>
    public static void Print(FaultComparisonReport c)
    {
        Console.WriteLine($"fault plan         {c.PlanFile} (seed {c.Seed})");
        for (var i = 0; i < c.Entries.Length; i++)
        {
            var extra = c.NeuronsSelectedPerEntry.TryGetValue(i.ToString(Inv), out var count) ? $" ({count} neurons selected)" : "";
            Console.WriteLine($"  {c.Entries[i]}{extra}");
        }

        Console.WriteLine($"{"",18} {"fault-free",12} {"with faults",12} {"change",12}");
        void Line(string name, Func<ResultMetrics, double> value, int decimals, double scale = 1)
        {
            var a = value(c.FaultFree) * scale;
            var b = value(c.WithFaults) * scale;
            Console.WriteLine($"{name,-18} {Numbers.Fixed(a, decimals),12} {Numbers.Fixed(b, decimals),12} {Numbers.Signed(b - a, decimals),12}");
        }

        Line("accuracy (%)", m => m.Accuracy, 2, 100);
        Line("spikes/sample", m => m.SpikesPerSample, 1);
        Line("delivered/sample", m => m.SpikesDeliveredPerSample, 1);
        Line("SynOps/sample", m => m.SynopsPerSample, 0);
        Line("samples/s", m => m.SamplesPerSecond, 0);
        Console.WriteLine($"predictions changed {c.PredictionsChanged}{(c.IdenticalToFaultFree ? " (bit-identical to the fault-free run)" : "")}");
        Console.WriteLine("fault counters     " + string.Join(", ", c.Counters.Select(kv => string.Create(Inv, $"{kv.Key} {kv.Value}"))));
    }

    /// <summary>An evaluation: <c>evaluate</c>'s summary and the end of <c>train</c>'s.</summary>
    public static void Print(EvaluationReport e)
    {
        Console.WriteLine(string.Create(Inv, $"samples            {e.Samples} ({e.Dataset})"));
        Console.WriteLine(string.Create(Inv, $"DNN accuracy       {e.DnnAccuracy:P2} (converted network, quantised TTFS activation)"));
        Console.WriteLine(string.Create(Inv, $"SNN accuracy       {e.SnnAccuracy:P2} (Core event-driven reference)"));
        Console.WriteLine(string.Create(Inv, $"DNN/SNN agreement  {e.PredictionAgreement:P2} ({e.DisagreeingSamples} samples disagree{(e.DisagreeingSamples > 0 ? ": " + string.Join(", ", e.DisagreeingIndices.Take(10)) + (e.DisagreeingSamples > 10 ? ", ..." : "") : "")})"));
        Console.WriteLine(string.Create(Inv, $"spikes/sample      {Numbers.Fixed(e.SpikesPerSample, 1)}  per layer [{Numbers.List(e.SpikesPerSamplePerLayer, 1)}]  (DNN non-zero activations {Numbers.Fixed(e.DnnNonZeroActivationsPerSample, 1)})"));
        Console.WriteLine(string.Create(Inv, $"SynOps/sample      {Numbers.Fixed(e.SynOpsPerSample, 0)}  vs DNN MACs/sample {e.DnnMacsPerSample:N0} ({e.SynOpsPerSample / Math.Max(1, e.DnnMacsPerSample):P1})"));
        Console.WriteLine(string.Create(Inv, $"energy/sample      SNN {e.Energy.SnnPicojoules / 1000:F1} nJ vs DNN {e.Energy.DnnPicojoules / 1000:F1} nJ (ratio {e.Energy.Ratio:F3}; E_AC {e.Energy.Model.AccumulatePicojoules} pJ, E_MAC {e.Energy.Model.MultiplyAccumulatePicojoules} pJ; {e.EnergyAssumption})"));
        Console.WriteLine(string.Create(Inv, $"time               DNN {e.DnnSeconds:F2} s, SNN {e.SnnSeconds:F2} s"));
    }
}
