using System.Diagnostics;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.App.Bench;

/// <summary>What <c>bench reference</c> measures; <paramref name="ModelFile"/>: a trained model for case (c) (none: (c) is left out).</summary>
public sealed record ReferenceBenchSettings(int Repeat = 5, int Batch = 64, int DenseSamples = 1024, int CnnSamples = 2000, int ClockSamples = 20,
    string? ModelFile = null);

/// <summary>
/// Single-thread throughput of the event-driven reference: (a) dense 784-1000-1000-1000 with every hidden
/// neuron firing once, (b) the paper's MNIST CNN with random weights on the bundled test images, (c) a trained
/// model from a file (e.g. the <c>model.safetensors</c> a <c>run</c> writes into its report folder) on the same
/// images; the clock-driven oracle for contrast. Medians of repeated runs, per wall second and per CPU second of
/// the process (samples/s per core, steadier than wall time on a shared machine).
/// </summary>
public static class ReferenceBench
{
    public static ReferenceBenchReport Run(ReferenceBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var runs = Math.Max(1, settings.Repeat);
        Preflight.AtLeastOne(settings.Batch, "--batch");
        Preflight.AtLeastOne(settings.DenseSamples, "--dense-samples");
        Preflight.AtLeastOne(settings.CnnSamples, "--cnn-samples");
        var test = DatasetCatalog.Load(DatasetCatalog.DefaultName).Test;
        // Read before anything is measured, so a bad file fails at once.
        var trained = settings.ModelFile is { } file ? ModelFile.Load(Path.GetFullPath(file)) : null;
        if (trained is not null) Preflight.CheckFits(trained, test);
        var machine = MachineInfo.Current();

        // (a) every hidden neuron fires exactly once: all-positive weights and inputs in [0.1, 1).
        var dense = RandomModel.Create(ArchitectureParser.Build("d1000-d1000-d1000", TensorShape.Vector(784)), seed: 1, positiveShift: 1.0, gain: 1.0);
        var rng = new SplitMix64(2);
        var n = settings.DenseSamples;
        var denseInputs = new float[n * 784];
        for (var i = 0; i < denseInputs.Length; i++) denseInputs[i] = (float)(0.1 + (0.9 * rng.NextDouble()));
        var a = Measure("(a) dense 784-1000x3", dense, denseInputs, n, settings.Batch, runs);
        var note = a.SpikesPerSample != 2000 ? $"{a.SpikesPerSample} spikes/sample in (a), not 2000: not every hidden neuron fired" : null;

        // (b) the paper's MNIST CNN, random weights, real digits.
        var cnn = RandomModel.Create(ArchitectureParser.Build("mnist-cnn", test.SampleShape), seed: 3);
        var m = Math.Min(settings.CnnSamples, test.Count);
        var cnnInputs = test.NormaliseRange(0, m, cnn.Normalisation);
        var b = Measure("(b) mnist-cnn random", cnn, cnnInputs, m, settings.Batch, runs);
        List<ReferenceBenchCase> cases = [a, b];
        if (trained is not null)
        {
            var trainedInputs = test.NormaliseRange(0, m, trained.Normalisation);
            cases.Add(Measure($"(c) {trained.Network.Architecture} from file", trained, trainedInputs, m, settings.Batch, runs));
        }

        var oracle = new List<OracleBenchCase>();
        foreach (var (name, model, inputs) in new[] { ("clock-driven (a)", dense, denseInputs), ("clock-driven (b)", cnn, cnnInputs) })
        {
            var k = Math.Max(1, settings.ClockSamples);
            var slice = inputs.AsSpan(0, k * 784).ToArray();
            var watch = Stopwatch.StartNew();
            ClockDrivenSimulator.Simulate(model, slice, k);
            oracle.Add(new OracleBenchCase(name, k, k / watch.Elapsed.TotalSeconds));
        }

        return new ReferenceBenchReport(machine, runs, cases, oracle, note) { ModelFile = trained is null ? null : Path.GetFullPath(settings.ModelFile!) };
    }

    private static ReferenceBenchCase Measure(string name, SnnModel model, float[] inputs, int count, int batch, int runs)
    {
        var sim = new EventDrivenSimulator();
        var options = new SimulationOptions(batch);
        sim.Run(model, inputs.AsMemory(0, Math.Min(count, batch) * model.Network.Input.Size), Math.Min(count, batch), options); // warm-up (JIT)
        var times = new List<double>();
        var cpu = new List<double>();
        SimulationResult? result = null;
        using var process = Process.GetCurrentProcess();
        for (var r = 0; r < runs; r++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            result = sim.Run(model, inputs, count, options);
            times.Add(watch.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }

        var median = Statistics.Median(times);
        return new ReferenceBenchCase(name, count / median, (result!.SynOps + result.AnalogInputEvents) / median, result.SpikesPerSample)
        {
            SamplesPerCpuSecond = count / Statistics.Median(cpu),
        };
    }
}
