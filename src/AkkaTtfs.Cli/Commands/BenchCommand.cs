using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs bench</c>: throughput benchmarks that print numbers (medians of repeated runs).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks that print throughput numbers (see docs/benchmarks.md for recorded results)");
        command.Subcommands.Add(Reference());
        command.Subcommands.Add(BenchRuntime.Create());
        return command;
    }

    private static Command Reference()
    {
        var repeat = new Option<int>("--repeat", "-r") { Description = "Timed runs per case; the median is reported", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch", "-b") { Description = "Samples per batch", DefaultValueFactory = _ => 64 };
        var denseSamples = new Option<int>("--dense-samples") { Description = "Samples per run for the dense network", DefaultValueFactory = _ => 1024 };
        var cnnSamples = new Option<int>("--cnn-samples") { Description = "Samples per run for the MNIST CNN (bundled test images)", DefaultValueFactory = _ => 2000 };
        var clockSamples = new Option<int>("--clock-samples") { Description = "Samples for the clock-driven oracle's rate (it is slow)", DefaultValueFactory = _ => 20 };
        var command = new Command("reference",
            "Single-thread throughput of the event-driven reference: (a) dense 784-1000-1000-1000 with every hidden neuron firing once, " +
            "(b) the paper's MNIST CNN with random weights on the bundled test images; the clock-driven oracle for contrast")
        {
            repeat, batch, denseSamples, cnnSamples, clockSamples,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var runs = Math.Max(1, parse.GetValue(repeat));
            var b = parse.GetValue(batch);
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, SIMD width {System.Numerics.Vector<float>.Count} floats; load average {LoadAverage()}");
            Console.WriteLine("case                         samples/s   synaptic events/s   spikes/sample   (median of " + runs + ")");

            // (a) every hidden neuron fires exactly once: all-positive weights and inputs in [0.1, 1).
            var dense = RandomModel.Create(ArchitectureParser.Build("d1000-d1000-d1000", TensorShape.Vector(784)), seed: 1, positiveShift: 1.0, gain: 1.0);
            var rng = new SplitMix64(2);
            var n = parse.GetValue(denseSamples);
            var denseInputs = new float[n * 784];
            for (var i = 0; i < denseInputs.Length; i++) denseInputs[i] = (float)(0.1 + (0.9 * rng.NextDouble()));
            var a = Measure(dense, denseInputs, n, b, runs);
            Print("(a) dense 784-1000x3", a);
            if (a.Result.SpikesPerSample != 2000)
                Console.WriteLine($"    note: {a.Result.SpikesPerSample} spikes/sample, not 2000: not every hidden neuron fired");

            // (b) the paper's MNIST CNN, random weights, real digits.
            var test = DatasetCatalog.Load(DatasetCatalog.DefaultName).Test;
            var cnn = RandomModel.Create(ArchitectureParser.Build("mnist-cnn", test.SampleShape), seed: 3);
            var m = Math.Min(parse.GetValue(cnnSamples), test.Count);
            var cnnInputs = test.NormaliseRange(0, m, cnn.Normalisation);
            var cnnRun = Measure(cnn, cnnInputs, m, b, runs);
            Print("(b) mnist-cnn random", cnnRun);

            foreach (var (name, model, inputs, size) in new[] { ("clock-driven (a)", dense, denseInputs, 784), ("clock-driven (b)", cnn, cnnInputs, 784) })
            {
                var k = Math.Max(1, parse.GetValue(clockSamples));
                var slice = inputs.AsSpan(0, k * size).ToArray();
                var watch = Stopwatch.StartNew();
                ClockDrivenSimulator.Simulate(model, slice, k);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-27} {k / watch.Elapsed.TotalSeconds,10:F1}   (one run of {k} samples)"));
            }

            return 0;
        }));
        return command;
    }

    private sealed record Measurement(double SamplesPerSecond, double EventsPerSecond, SimulationResult Result);

    private static Measurement Measure(SnnModel model, float[] inputs, int count, int batch, int runs)
    {
        var sim = new EventDrivenSimulator();
        var options = new SimulationOptions(batch);
        sim.Run(model, inputs.AsMemory(0, Math.Min(count, batch) * model.Network.Input.Size), Math.Min(count, batch), options); // warm-up (JIT)
        var times = new List<double>();
        SimulationResult? result = null;
        for (var r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            result = sim.Run(model, inputs, count, options);
            times.Add(watch.Elapsed.TotalSeconds);
        }

        times.Sort();
        var median = times[times.Count / 2];
        var events = result!.SynOps + result.AnalogInputEvents;
        return new Measurement(count / median, events / median, result);
    }

    private static void Print(string name, Measurement m) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-27} {m.SamplesPerSecond,10:F0}   {m.EventsPerSecond,17:E3}   {m.Result.SpikesPerSample,13:F0}"));

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
