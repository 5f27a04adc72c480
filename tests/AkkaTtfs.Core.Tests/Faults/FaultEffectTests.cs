using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Simulation;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Faults;

/// <summary>Each fault kind does what the plan format says, with counts inside binomial bounds where it is random.</summary>
public class FaultEffectTests
{
    /// <summary>
    /// A dense network without pooling, so a neuron's emitted spike is its own spike (times are observable in
    /// the trace), with Gaussian weights that spread the spike times over the window.
    /// </summary>
    private static (SnnModel Model, float[] Inputs, int Count) Dense(int count, int seed = 4)
    {
        var network = ArchitectureParser.Build("d120-d80-d10", TensorShape.Vector(30));
        var rng = new SplitMix64((ulong)seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var layers = network.Stages.Select(stage =>
        {
            var fanIn = stage.WeightCount / stage.BiasCount;
            var weights = Enumerable.Range(0, stage.WeightCount).Select(_ => (float)(1.5 * Gaussian() / Math.Sqrt(fanIn))).ToArray();
            var bias = Enumerable.Range(0, stage.BiasCount).Select(_ => (float)(0.3 * rng.NextDouble())).ToArray();
            return new LayerParameters(weights, bias, stage.IsOutput ? null : new TemporalKernel(4f, 0f, 16));
        }).ToList();
        var model = new SnnModel(network, 16, layers, InputNormalisation.UnitRange);
        var inputs = Enumerable.Range(0, count * 30).Select(_ => (float)rng.NextDouble()).ToArray();
        return (model, inputs, count);
    }

    private static void AssertBinomial(long hits, long trials, double p, string what)
    {
        var mean = trials * p;
        var sigma = Math.Sqrt(trials * p * (1 - p));
        Assert.True(Math.Abs(hits - mean) <= (5 * sigma) + 1, $"{what}: {hits} of {trials} at p = {p} (expected {mean:F1} +- 5 x {sigma:F1})");
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void Drop_removes_a_binomial_share_of_the_layers_spikes(double p)
    {
        var (model, inputs, count) = Dense(200);
        var last = model.Network.SpikingLayerCount - 1;      // upstream of it nothing changes, so its spikes are the clean run's
        var clean = new EventDrivenSimulator(model).Run(inputs, count);
        var faulty = new EventDrivenSimulator(model, new FaultPlan(7, [new FaultSpec(FaultKind.Drop, last, p)])).Run(inputs, count);
        var emitted = clean.SpikesPerStage[last];
        Assert.True(emitted > 2000, $"the layer should fire plenty ({emitted})");
        AssertBinomial(faulty.Faults.SpikesDropped, emitted, p, "dropped");
        Assert.Equal(clean.SpikesDelivered - faulty.Faults.SpikesDropped, faulty.SpikesDelivered);
        Assert.Equal(clean.SpikesPerStage, faulty.SpikesPerStage);   // the neurons still fire; their spikes are lost on the way
        Assert.Equal(faulty.Faults with { SpikesDropped = 0 }, default);
    }

    [Fact]
    public void Drops_are_nested_across_rates_with_the_same_seed()
    {
        var (model, inputs, count) = Dense(50);
        var low = new EventDrivenSimulator(model, new FaultPlan(7, [new FaultSpec(FaultKind.Drop, 1, 0.05)])).Run(inputs, count);
        var high = new EventDrivenSimulator(model, new FaultPlan(7, [new FaultSpec(FaultKind.Drop, 1, 0.2)])).Run(inputs, count);
        Assert.True(high.Faults.SpikesDropped > low.Faults.SpikesDropped);
        var other = new EventDrivenSimulator(model, new FaultPlan(8, [new FaultSpec(FaultKind.Drop, 1, 0.05)])).Run(inputs, count);
        Assert.NotEqual(low.OutputPotentials, other.OutputPotentials);    // another seed, other spikes
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(4, 1.0)]
    [InlineData(6, 0.3)]
    public void Delay_moves_spikes_later_and_counts_those_past_the_window_as_late(int d, double p)
    {
        var (model, inputs, count) = Dense(60);
        var clean = new EventDrivenSimulator(model).Run(inputs, count, new SimulationOptions(RecordSpikes: true));
        var faulty = new EventDrivenSimulator(model, new FaultPlan(11, [new FaultSpec(FaultKind.Delay, 1, p, Steps: d)])).Run(inputs, count);
        var times = clean.SpikeTimes![1];
        var window = model.T;
        long spikes = 0, late = 0;
        var size = model.Network.Stages[1].ConvShape.Size;
        var prefix = FaultDraw.Prefix(11, 0, 1, 0);
        for (var s = 0; s < count; s++)
        {
            for (var n = 0; n < size; n++)
            {
                var r = times[(s * size) + n];
                if (r < 0 || !(FaultDraw.Uniform(prefix, s, n) < p)) continue;
                spikes++;
                if (r + d > window - 1) late++;
            }
        }

        Assert.True(late > 0 && late < spikes, $"the test should see both outcomes ({late} of {spikes})");
        Assert.Equal(spikes, faulty.Faults.SpikesDelayed);
        Assert.Equal(late, faulty.Faults.SpikesLate);
        Assert.Equal(clean.SpikesDelivered - late, faulty.SpikesDelivered);
    }

    [Fact]
    public void Delay_and_jitter_set_the_emitted_times_exactly_and_jitter_clamps_at_zero()
    {
        var (model, inputs, _) = Dense(8);
        var stage = model.Network.Stages[0];
        var kernel = new StageKernel(model, 0, NeuronBlock.Whole(stage));
        var membrane = kernel.NewMembrane(8);
        kernel.Integrate(InputEvents.FromAnalog(inputs, 8, 30), membrane);
        var clean = kernel.Fire(membrane, 8);
        const int first = 1000;
        const ulong seed = 99;

        var jitter = new FaultPlan(seed, [new FaultSpec(FaultKind.Jitter, 0, 0.7, Steps: 3)]);
        var jittered = kernel.Fire(membrane, 8, default, jitter.ForKernel(kernel), first);
        var hit = FaultDraw.Prefix(seed, 0, 0, 0);
        var value = FaultDraw.Prefix(seed, 0, 0, 1);
        long moved = 0, late = 0, clamped = 0;
        var expected = new SpikeBatchBuilder(8);
        for (var s = 0; s < 8; s++)
        {
            var neurons = clean.Spikes.NeuronsOf(s);
            var times = clean.Spikes.TimesOf(s);
            for (var k = 0; k < neurons.Length; k++)
            {
                int t = times[k];
                if (FaultDraw.Uniform(hit, first + s, neurons[k]) < 0.7)
                {
                    var offset = (int)(FaultDraw.Uniform(value, first + s, neurons[k]) * 7) - 3;
                    Assert.InRange(offset, -3, 3);
                    var nt = Math.Max(0, t + offset);
                    if (t + offset < 0) clamped++;
                    if (nt != t) moved++;
                    if (nt > model.T - 1)
                    {
                        late++;
                        continue;
                    }

                    t = nt;
                }

                expected.Add(neurons[k], t);
            }

            expected.EndSample();
        }

        var want = expected.Build();
        Assert.True(clamped > 0 && late > 0, $"the test should clamp ({clamped}) and lose late spikes ({late})");
        Assert.Equal(want.Neurons, jittered.Spikes.Neurons);
        Assert.Equal(want.Times, jittered.Spikes.Times);
        Assert.Equal(want.SampleOffsets, jittered.Spikes.SampleOffsets);
        Assert.Equal(moved, jittered.Faults.SpikesJittered);
        Assert.Equal(late, jittered.Faults.SpikesLate);
        Assert.Equal(clean.SpikeCount, jittered.SpikeCount);

        var delay = new FaultPlan(seed, [new FaultSpec(FaultKind.Delay, 0, 1, Steps: 2)]);
        var delayed = kernel.Fire(membrane, 8, default, delay.ForKernel(kernel), first);
        var kept = clean.Spikes.Times.Where(t => t + 2 <= model.T - 1).Select(t => (byte)(t + 2)).ToArray();
        Assert.Equal(kept, delayed.Spikes.Times);
        Assert.Equal(clean.Spikes.SpikeCount - kept.Length, delayed.Faults.SpikesLate);
    }

    [Fact]
    public void Dead_neurons_never_fire_stuck_neurons_fire_at_zero_and_only_within_the_schedule()
    {
        var (model, inputs, count) = Dense(40);
        const ulong seed = 5;
        var faults = new FaultPlan(seed, [new FaultSpec(FaultKind.Dead, 0, 0.2, From: 10, To: 29), new FaultSpec(FaultKind.Stuck, 1, 0.15)]);
        var options = new SimulationOptions(6, RecordSpikes: true);
        var clean = new EventDrivenSimulator(model).Run(inputs, count, options);
        var faulty = new EventDrivenSimulator(model, faults).Run(inputs, count, options);
        var size0 = model.Network.Stages[0].ConvShape.Size;
        var size1 = model.Network.Stages[1].ConvShape.Size;
        var dead = Enumerable.Range(0, size0).Where(n => FaultDraw.Uniform(seed, 0, 0, 0, FaultDraw.NoSample, n) < 0.2).ToHashSet();
        var stuck = Enumerable.Range(0, size1).Where(n => FaultDraw.Uniform(seed, 1, 1, 0, FaultDraw.NoSample, n) < 0.15).ToHashSet();
        Assert.Equal(dead.Count, faults.SelectedNeurons(0, model.Network));
        Assert.Equal(stuck.Count, faults.SelectedNeurons(1, model.Network));
        AssertBinomial(dead.Count, size0, 0.2, "dead neurons");
        Assert.NotEmpty(stuck);
        var killedSpikes = 0;
        for (var s = 0; s < count; s++)
        {
            for (var n = 0; n < size0; n++)
            {
                var before = clean.SpikeTimes![0][(s * size0) + n];
                var after = faulty.SpikeTimes![0][(s * size0) + n];
                if (dead.Contains(n) && s is >= 10 and <= 29)
                {
                    Assert.Equal(TemporalKernel.NoSpike, after);
                    if (before >= 0) killedSpikes++;
                }
                else
                {
                    Assert.Equal(before, after);     // layer 0's own potentials do not depend on its faults
                }
            }

            for (var n = 0; n < size1; n++)
            {
                if (stuck.Contains(n)) Assert.Equal(0, faulty.SpikeTimes![1][(s * size1) + n]);
            }
        }

        Assert.True(killedSpikes > 0);
        Assert.Equal(dead.Count * 20L, faulty.Faults.NeuronsKilled);
        Assert.Equal(stuck.Count * (long)count, faulty.Faults.NeuronsStuck);
        Assert.Equal(clean.SpikesPerStage[0] - killedSpikes, faulty.SpikesPerStage[0]);
    }

    [Fact]
    public void Dead_overrides_stuck_which_overrides_drift_whatever_the_plan_order()
    {
        var (model, inputs, count) = Dense(5);
        var all = new FaultPlan(1, [new FaultSpec(FaultKind.Dead, 0, 1), new FaultSpec(FaultKind.Stuck, 0, 1), new FaultSpec(FaultKind.Drift, 0, 1, Factor: 2)]);
        var result = new EventDrivenSimulator(model, all).Run(inputs, count, new SimulationOptions(RecordSpikes: true));
        Assert.Equal(0, result.SpikesPerStage[0]);
        var stuck = new FaultPlan(1, [new FaultSpec(FaultKind.Stuck, 0, 1), new FaultSpec(FaultKind.Drift, 0, 1, Factor: 2)]);
        var at0 = new EventDrivenSimulator(model, stuck).Run(inputs, count, new SimulationOptions(RecordSpikes: true));
        Assert.All(at0.SpikeTimes![0], t => Assert.Equal(0, t));
        var size = model.Network.Stages[0].ConvShape.Size * (long)count;
        Assert.Equal(new FaultCounters(0, 0, 0, 0, 0, size, size, 0, 0), at0.Faults);
    }

    [Fact]
    public void Drift_fires_at_the_drifted_closed_form_time_and_factors_of_several_entries_multiply()
    {
        var (model, inputs, _) = Dense(6);
        var stage = model.Network.Stages[0];
        var kernel = new StageKernel(model, 0, NeuronBlock.Whole(stage));
        var membrane = kernel.NewMembrane(6);
        kernel.Integrate(InputEvents.FromAnalog(inputs, 6, 30), membrane);
        var k = kernel.FiringKernel!;
        var single = new FaultPlan(3, [new FaultSpec(FaultKind.Drift, 0, 1, Factor: 2.5)]);
        var split = new FaultPlan(3, [new FaultSpec(FaultKind.Drift, 0, 1, Factor: 2.5), new FaultSpec(FaultKind.Drift, 0, 1, Factor: 0.4)]);
        var times = new int[6 * kernel.LocalNeuronCount];
        var fired = kernel.Fire(membrane, 6, times, single.ForKernel(kernel), 0);
        var later = 0;
        for (var p = 0; p < times.Length; p++)
        {
            var u = membrane[p];
            var expected = u > 0 ? TemporalKernel.Q(k.Td - (k.Tau * (Math.Log(u) - Math.Log(2.5)))) : TemporalKernel.NoSpike;
            if (expected > k.T - 1) expected = TemporalKernel.NoSpike;
            Assert.Equal(expected, times[p]);
            var clean = k.Encode(u);
            if (clean >= 0 && (times[p] < 0 || times[p] > clean)) later++;
            Assert.True(clean < 0 ? times[p] < 0 : times[p] < 0 || times[p] >= clean, "a higher threshold never fires earlier");
        }

        Assert.True(later > 0);
        Assert.Equal(times.LongLength, fired.Faults.NeuronsDrifted);
        var back = new int[times.Length];
        kernel.Fire(membrane, 6, back, split.ForKernel(kernel), 0);
        for (var p = 0; p < back.Length; p++)
        {
            var u = membrane[p];
            var expected = u > 0 ? TemporalKernel.Q(k.Td - (k.Tau * (Math.Log(u) - (Math.Log(2.5) + Math.Log(0.4))))) : TemporalKernel.NoSpike;
            Assert.Equal(expected > k.T - 1 ? TemporalKernel.NoSpike : expected, back[p]);
        }
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.05)]
    public void Weight_bit_flips_hit_a_binomial_share_flip_exactly_one_bit_and_are_reproducible(double p)
    {
        var network = ArchitectureParser.Build("c12k5-p2-c64k5-p2-d10", TensorShape.Image(1, 28, 28));
        var model = RandomModel.Create(network, 1);
        var plan = new FaultPlan(21, [new FaultSpec(FaultKind.BitFlip, 1, p), new FaultSpec(FaultKind.ZeroWeight, 2, p)]);
        var a = plan.ApplyWeightFaults(model);
        var b = plan.ApplyWeightFaults(model);
        var before = model.Layers[1].Weights;
        var after = a.Model.Layers[1].Weights;
        Assert.Equal(after.Select(BitConverter.SingleToInt32Bits), b.Model.Layers[1].Weights.Select(BitConverter.SingleToInt32Bits));
        Assert.Same(model.Layers[0], a.Model.Layers[0]);
        var changed = 0;
        for (var i = 0; i < before.Length; i++)
        {
            var x = BitConverter.SingleToInt32Bits(before[i]) ^ BitConverter.SingleToInt32Bits(after[i]);
            if (x == 0) continue;
            changed++;
            Assert.Equal(1, System.Numerics.BitOperations.PopCount((uint)x));
        }

        Assert.Equal(a.Counters.WeightsFlipped, changed);
        AssertBinomial(a.Counters.WeightsFlipped, before.Length, p, "flipped weights");
        var zeroed = a.Model.Layers[2].Weights.Count(w => w == 0f);
        Assert.Equal(a.Counters.WeightsZeroed, zeroed);
        AssertBinomial(zeroed, model.Layers[2].Weights.Length, p, "zeroed weights");
        Assert.Equal(a.Counters, b.Counters);
        Assert.Equal(model.Layers[1].Weights, before);   // the input model is untouched
    }

    [Fact]
    public void A_flip_that_would_make_infinity_or_nan_saturates_and_the_model_stays_finite()
    {
        Assert.Equal(float.MaxValue, FaultPlan.FlipBit(1.5f, 30));
        Assert.Equal(-float.MaxValue, FaultPlan.FlipBit(-1.0f, 30));
        Assert.Equal(-2f, FaultPlan.FlipBit(2f, 31));
        Assert.Equal(BitConverter.SingleToInt32Bits(0.1f) ^ 1, BitConverter.SingleToInt32Bits(FaultPlan.FlipBit(0.1f, 0)));
        var network = ArchitectureParser.Build("d4-d2", TensorShape.Vector(3));
        var model = new SnnModel(network, 8, [new LayerParameters(Enumerable.Repeat(1.25f, 12).ToArray(), new float[4], new TemporalKernel(3, 0, 8)), new LayerParameters(new float[8], new float[2], null)], InputNormalisation.UnitRange);
        var faulted = new FaultPlan(2, [new FaultSpec(FaultKind.BitFlip, 0, 1)]).ApplyWeightFaults(model);
        Assert.Equal(12, faulted.Counters.WeightsFlipped);
        Assert.All(faulted.Model.Layers[0].Weights, w => Assert.True(float.IsFinite(w)));
    }

    [Fact]
    public void Keyed_draws_are_uniform_and_depend_on_every_key_component()
    {
        var prefix = FaultDraw.Prefix(1, 0, 0, 0);
        const int n = 200_000;
        var bins = new int[20];
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            var u = FaultDraw.Uniform(prefix, i / 1000, i % 1000);
            Assert.InRange(u, 0.0, 1.0 - double.Epsilon);
            sum += u;
            bins[(int)(u * bins.Length)]++;
        }

        Assert.InRange(sum / n, 0.5 - (5 * Math.Sqrt(1.0 / 12 / n)), 0.5 + (5 * Math.Sqrt(1.0 / 12 / n)));
        var expected = n / (double)bins.Length;
        var chi2 = bins.Sum(b => (b - expected) * (b - expected) / expected);
        Assert.True(chi2 < 60, $"chi-square {chi2:F1} with 19 degrees of freedom");
        var baseDraw = FaultDraw.Uniform(1, 2, 3, 0, 4, 5);
        Assert.Equal(baseDraw, FaultDraw.Uniform(FaultDraw.Prefix(1, 2, 3, 0), 4, 5));
        Assert.All(new[]
        {
            FaultDraw.Uniform(2, 2, 3, 0, 4, 5), FaultDraw.Uniform(1, 3, 3, 0, 4, 5), FaultDraw.Uniform(1, 2, 4, 0, 4, 5),
            FaultDraw.Uniform(1, 2, 3, 1, 4, 5), FaultDraw.Uniform(1, 2, 3, 0, 5, 5), FaultDraw.Uniform(1, 2, 3, 0, 4, 6),
            FaultDraw.Uniform(1, 2, 3, 0, 5, 4),
        }, d => Assert.NotEqual(baseDraw, d));
    }

    [Fact]
    public void Counters_add_and_travel_as_arrays()
    {
        var a = new FaultCounters(1, 2, 3, 4, 5, 6, 7, 8, 9);
        Assert.Equal(a, FaultCounters.FromArray(a.ToArray()));
        Assert.Equal(default, FaultCounters.FromArray([]));
        Assert.Equal(new FaultCounters(2, 4, 6, 8, 10, 12, 14, 16, 18), a + a);
        Assert.Equal(FaultCounters.Names.Count, a.ToArray().Length);
        Assert.Throws<ArgumentException>(() => FaultCounters.FromArray([1, 2]));
    }
}
