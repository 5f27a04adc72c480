using System.Diagnostics;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Surrogate;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>Median training throughput of the surrogate and of the same network with plain ReLU.</summary>
/// <param name="SurrogateSamplesPerSecond">Median over rounds, the full method's step (TTFS in every layer, L_TR and L_TB, kernel trained).</param>
/// <param name="ReluSamplesPerSecond">Median over rounds, plain ReLU, same network, batch and threads.</param>
/// <param name="Rounds">Timed rounds per network (alternating, so load drift hits both alike).</param>
/// <param name="BatchesPerRound">Optimiser steps per round.</param>
/// <param name="SurrogateSamplesPerCpuSecond">Median over rounds of samples per CPU second (user + system of the whole process, every libtorch thread).</param>
/// <param name="ReluSamplesPerCpuSecond">The same for plain ReLU.</param>
public sealed record ThroughputResult(double SurrogateSamplesPerSecond, double ReluSamplesPerSecond, int Rounds, int BatchesPerRound,
    double SurrogateSamplesPerCpuSecond, double ReluSamplesPerCpuSecond)
{
    /// <summary>Surrogate / ReLU throughput (the target is at least 0.75).</summary>
    public double Ratio => SurrogateSamplesPerSecond / ReluSamplesPerSecond;
}

/// <summary>
/// Training throughput of the surrogate vs plain ReLU on the same architecture, batch size and libtorch
/// threads: rounds of optimiser steps on real training batches, alternating between the two networks.
/// Each round is timed twice: wall clock (what a person waits on a quiet machine) and the process's CPU
/// seconds (what the work costs, far less disturbed when other processes share the cores).
/// </summary>
public static class ThroughputBenchmark
{
    public static ThroughputResult Run(DatasetPair data, TrainingOptions options, int rounds = 7, int batchesPerRound = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchesPerRound, 1);
        var plan = TrainingPlan.Create(data, options with { ValidationFraction = 0 });
        return TorchRuntime.OnTrainingThread(() =>
        {
            TorchRuntime.SetThreads(options.Threads);
            TorchRuntime.Seed(options.Seed);
            using var source = new BatchSource(plan.Train, plan.Normalisation, false);
            using var surrogate = new SurrogateNetwork(plan.Network, options.T, options.TauInit, options.TdInit, options.Dropout);
            using var relu = new SurrogateNetwork(plan.Network, options.T, options.TauInit, options.TdInit, options.Dropout);
            surrogate.SetAll(HiddenActivation.Ttfs);
            relu.SetAll(HiddenActivation.Relu);
            relu.SetKernelTrainable(false);
            using var surrogateOptimizer = new HeldScalarAdam(surrogate.parameters(), options.LearningRate);
            using var reluOptimizer = new HeldScalarAdam(relu.parameters(), options.LearningRate);
            var random = new SplitMix64((ulong)options.Seed);
            var order = Enumerable.Range(0, source.Count).Select(i => (long)i).ToArray();
            var batch = Math.Min(options.BatchSize, source.Count);

            (double Wall, double Cpu) Round(SurrogateNetwork network, HeldScalarAdam optimizer, bool fullMethod)
            {
                random.Shuffle(order.AsSpan());
                var cpuBefore = ProcessCpuSeconds();
                var clock = Stopwatch.StartNew();
                long samples = 0;
                for (var b = 0; b < batchesPerRound; b++)
                {
                    using var scope = NewDisposeScope();
                    var start = (b * batch) % Math.Max(1, source.Count - batch + 1);
                    var indices = order.AsSpan(start, batch).ToArray();
                    var logits = network.call(source.Images(indices));
                    var loss = nn.functional.cross_entropy(logits, source.Labels(indices));
                    if (fullMethod)
                    {
                        loss = loss + (options.LambdaTr * KernelLossTerms.TemporalRegularisation(network, options.TauInit, options.TdInit))
                                    + (options.LambdaTb * KernelLossTerms.TemporalBatchNorm(network));
                    }

                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.Step();
                    samples += indices.Length;
                }

                var wall = clock.Elapsed.TotalSeconds;
                return (samples / wall, samples / Math.Max(ProcessCpuSeconds() - cpuBefore, 1e-9));
            }

            // One untimed round each warms up allocators and libtorch's kernels.
            Round(surrogate, surrogateOptimizer, true);
            Round(relu, reluOptimizer, false);
            var surrogateRates = new List<(double Wall, double Cpu)>();
            var reluRates = new List<(double Wall, double Cpu)>();
            for (var r = 0; r < rounds; r++)
            {
                surrogateRates.Add(Round(surrogate, surrogateOptimizer, true));
                reluRates.Add(Round(relu, reluOptimizer, false));
            }

            return new ThroughputResult(Median(surrogateRates.Select(r => r.Wall)), Median(reluRates.Select(r => r.Wall)), rounds, batchesPerRound,
                Median(surrogateRates.Select(r => r.Cpu)), Median(reluRates.Select(r => r.Cpu)));
        });
    }

    /// <summary>User + system CPU seconds of this process so far (all threads: libtorch's workers and the GC count too).</summary>
    private static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
