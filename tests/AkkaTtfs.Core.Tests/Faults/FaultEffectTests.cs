using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Ttfs;
using AkkaTtfs.Core.Tests.Support;

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
        var clean = new EventDrivenSimulator().Run(model, inputs, count);
        var faulty = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(Faults: new FaultPlan(7, [new FaultSpec(FaultKind.Drop, last, p)])));
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
        var low = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(Faults: new FaultPlan(7, [new FaultSpec(FaultKind.Drop, 1, 0.05)])));
        var high = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(Faults: new FaultPlan(7, [new FaultSpec(FaultKind.Drop, 1, 0.2)])));
        Assert.True(high.Faults.SpikesDropped > low.Faults.SpikesDropped);
        var other = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(Faults: new FaultPlan(8, [new FaultSpec(FaultKind.Drop, 1, 0.05)])));
        Assert.NotEqual(low.OutputPotentials, other.OutputPotentials);    // another seed, other spikes
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(4, 1.0)]
    [InlineData(6, 0.3)]
    public void Delay_moves_spikes_later_and_counts_those_past_the_window_as_late(int d, double p)
    {
        var (model, inputs, count) = Dense(60);
        var clean = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(RecordSpikes: true));
        var faulty = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(Faults: new FaultPlan(11, [new FaultSpec(FaultKind.Delay, 1, p, Steps: d)])));
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
    public void Duplicate_at_rate_zero_is_bit_identical_to_no_plan()
    {
        var (model, inputs, count) = Dense(30);
        var options = new SimulationOptions(7, RecordSpikes: true);
        var clean = new EventDrivenSimulator().Run(model, inputs, count, options);
        var plan = new FaultPlan(3, [new FaultSpec(FaultKind.Duplicate, 0, 0), new FaultSpec(FaultKind.Duplicate, 1, 0), new FaultSpec(FaultKind.Duplicate, 1, 0)]);
        var faulty = new EventDrivenSimulator().Run(model, inputs, count, options with { Faults = plan });
        ResultAssert.SameFaultyRun(clean, faulty, "duplicate at rate 0");
        Assert.True(faulty.Faults.IsZero);

        // On the wire too: same messages, same payload bytes as without a plan.
        var partitions = PartitionPlanner.Plan(model.Network, "c2,c3,c2");
        var wireClean = new MessagePassingSimulator();
        var wireFaulty = new MessagePassingSimulator(new MessagePassingDrill(ShuffleSeed: 2));
        var wireOptions = new SimulationOptions(BatchSize: 4, RecordSpikes: true, Partitions: partitions);
        ResultAssert.SameFaultyRun(clean, wireClean.Run(model, inputs, count, wireOptions), "message passing");
        ResultAssert.SameFaultyRun(clean, wireFaulty.Run(model, inputs, count, wireOptions with { Faults = plan }), "message passing with the plan");
        Assert.Equal(wireClean.Traffic, wireFaulty.Traffic);
    }

    [Fact]
    public void Duplicate_at_rate_one_on_the_last_hidden_layer_adds_every_contribution_twice()
    {
        var (model, inputs, count) = Dense(40);
        var last = model.Network.SpikingLayerCount - 1;
        var clean = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(RecordSpikes: true));
        var faulty = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(5, Faults: new FaultPlan(9, [new FaultSpec(FaultKind.Duplicate, last, 1)])));

        // Oracle by hand from the clean run's spike times of the last hidden layer (no pooling: its spikes are what it
        // sends): every output neuron starts at its bias and adds w * x for every presynaptic spike in ascending order,
        // each add one fused multiply-add, twice per spike. Done once per spike it must give the clean outputs, which
        // checks the oracle itself against the engine.
        var inSize = model.Network.Stages[last].ConvShape.Size;
        var output = model.Layers[last + 1];
        var table = model.Layers[last].Kernel!.DecodeTable.ToArray();
        var classes = model.Network.ClassCount;
        var times = clean.SpikeTimes![last];
        var differs = 0;
        for (var s = 0; s < count; s++)
        {
            for (var j = 0; j < classes; j++)
            {
                float once = output.Bias[j], twice = output.Bias[j];
                double exact = output.Bias[j], magnitude = Math.Abs(output.Bias[j]);
                for (var i = 0; i < inSize; i++)
                {
                    var r = times[(s * inSize) + i];
                    if (r < 0) continue;
                    var w = output.Weights[(j * inSize) + i];
                    var x = table[r];
                    once = MathF.FusedMultiplyAdd(w, x, once);
                    twice = MathF.FusedMultiplyAdd(w, x, MathF.FusedMultiplyAdd(w, x, twice));
                    exact += 2.0 * w * x;
                    magnitude += 2.0 * Math.Abs(w * x);
                }

                var index = (s * classes) + j;
                Assert.Equal(BitConverter.SingleToInt32Bits(once), BitConverter.SingleToInt32Bits(clean.OutputPotentials[index]));
                Assert.True(BitConverter.SingleToInt32Bits(twice) == BitConverter.SingleToInt32Bits(faulty.OutputPotentials[index]),
                    $"sample {s} class {j}: {faulty.OutputPotentials[index]:R}, by hand {twice:R}");
                Assert.True(Math.Abs(faulty.OutputPotentials[index] - exact) <= 1e-4 * magnitude, $"sample {s} class {j}: {faulty.OutputPotentials[index]:R} vs {exact:R} in double");
                if (once != twice) differs++;
            }
        }

        Assert.True(differs > count, $"the duplicates should move the outputs ({differs})");
        var emitted = clean.SpikesPerStage[last];
        Assert.Equal(new FaultCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, SpikesDuplicated: emitted), faulty.Faults);
        Assert.Equal(clean.SpikesDelivered + emitted, faulty.SpikesDelivered);        // a duplicated spike is two deliveries
        Assert.Equal(clean.SynOps + (emitted * classes), faulty.SynOps);             // and reaches its fan-out twice
        Assert.Equal(clean.SpikesPerStage, faulty.SpikesPerStage);                   // the neurons fire once, as before
    }

    [Fact]
    public void A_duplicated_spike_adds_w_x_twice_not_2_w_x_exactly_on_every_engine()
    {
        // One input -> one hidden neuron -> one output. The hidden neuron (u = 10) fires at r = 0 with td = 0, so it
        // sends x = exp(0) = 1. The output starts at its bias 1 and its weight is w = 0.625 ulp(1) = 5 * 2^-26:
        // once: 1 + 0.625 ulp rounds to 1 + ulp; twice in a row: (1 + ulp) + 0.625 ulp rounds to 1 + 2 ulp;
        // one add of 2 w = 1.25 ulp would round to 1 + ulp. So only two separate adds give 1 + 2^-22.
        var network = ArchitectureParser.Build("d1-d1", TensorShape.Vector(1));
        var w = MathF.ScaleB(5f, -26);
        var model = new SnnModel(network, 8, [new LayerParameters([10f], [0f], new TemporalKernel(4f, 0f, 8)), new LayerParameters([w], [1f], null)], InputNormalisation.UnitRange);
        var plan = new FaultPlan(1, [new FaultSpec(FaultKind.Duplicate, 0, 1)]);
        var onePlusUlp = BitConverter.Int32BitsToSingle(0x3F800001);
        var onePlusTwoUlps = BitConverter.Int32BitsToSingle(0x3F800002);
        Assert.Equal(onePlusUlp, MathF.FusedMultiplyAdd(2 * w, 1f, 1f));

        Assert.Equal(onePlusUlp, new EventDrivenSimulator().Run(model, new[] { 1f }, 1).OutputPotentials[0]);
        var reference = new EventDrivenSimulator().Run(model, new[] { 1f }, 1, new SimulationOptions(Faults: plan));
        Assert.Equal(onePlusTwoUlps, reference.OutputPotentials[0]);
        Assert.Equal(1, reference.Faults.SpikesDuplicated);
        Assert.Equal(2, reference.SpikesDelivered);
        var partitions = PartitionPlanner.Plan(network);
        Assert.Equal(onePlusTwoUlps, new PartitionedSimulator().Run(model, new[] { 1f }, 1, new SimulationOptions(Partitions: partitions, Faults: plan)).OutputPotentials[0]);
        var wire = new MessagePassingSimulator();
        var distributed = wire.Run(model, new[] { 1f }, 1, new SimulationOptions(Partitions: partitions, Faults: plan));
        Assert.Equal(onePlusTwoUlps, distributed.OutputPotentials[0]);
        Assert.Equal(2, wire.Traffic.Single(t => t.SourceId == 0).Spikes);            // the link carried two deliveries
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void Duplicate_copies_a_binomial_share_of_the_layers_spikes_exactly_the_drawn_ones(double p)
    {
        var (model, inputs, count) = Dense(200);
        var last = model.Network.SpikingLayerCount - 1;
        const ulong seed = 13;
        var clean = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(RecordSpikes: true));
        var faulty = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(Faults: new FaultPlan(seed, [new FaultSpec(FaultKind.Duplicate, last, p)])));
        var emitted = clean.SpikesPerStage[last];
        Assert.True(emitted > 2000, $"the layer should fire plenty ({emitted})");
        AssertBinomial(faulty.Faults.SpikesDuplicated, emitted, p, "duplicated");
        var size = model.Network.Stages[last].ConvShape.Size;
        var prefix = FaultDraw.Prefix(seed, 0, last, 0);
        long drawn = 0;
        for (var s = 0; s < count; s++)
        {
            for (var n = 0; n < size; n++)
            {
                if (clean.SpikeTimes![last][(s * size) + n] >= 0 && FaultDraw.Uniform(prefix, s, n) < p) drawn++;
            }
        }

        Assert.Equal(drawn, faulty.Faults.SpikesDuplicated);
        Assert.Equal(clean.SpikesDelivered + drawn, faulty.SpikesDelivered);
        Assert.Equal(faulty.Faults with { SpikesDuplicated = 0 }, default);
    }

    [Fact]
    public void Copies_share_their_spikes_draws_so_later_entries_treat_them_alike_and_a_second_duplicate_doubles_them()
    {
        var (model, inputs, _) = Dense(10);
        var stage = model.Network.Stages[0];
        var kernel = new StageKernel(model, 0, NeuronBlock.Whole(stage));
        var membrane = kernel.NewMembrane(10);
        kernel.Integrate(InputEvents.FromAnalog(inputs, 10, 30), membrane);
        var clean = kernel.Fire(membrane, 10);
        const int first = 300;
        const ulong seed = 17;
        FaultSpec[] entries =
        [
            new(FaultKind.Duplicate, 0, 0.6),
            new(FaultKind.Duplicate, 0, 0.5),
            new(FaultKind.Drop, 0, 0.3),
            new(FaultKind.Delay, 0, 0.4, Steps: 5),
        ];
        var fired = kernel.Fire(membrane, 10, default, new FaultPlan(seed, entries).ForKernel(kernel), first);

        // By hand: one draw per entry and spike, whatever its copies.
        bool Hit(int entry, int sample, int neuron) => FaultDraw.Uniform(seed, entry, 0, 0, first + sample, neuron) < entries[entry].Rate;
        var expected = new SpikeBatchBuilder(10);
        long duplicated = 0, dropped = 0, delayed = 0, late = 0, quadrupled = 0;
        for (var s = 0; s < 10; s++)
        {
            var neurons = clean.Spikes.NeuronsOf(s);
            var times = clean.Spikes.TimesOf(s);
            for (var k = 0; k < neurons.Length; k++)
            {
                var n = neurons[k];
                int t = times[k], copies = 1;
                if (Hit(0, s, n)) { duplicated += copies; copies *= 2; }
                if (Hit(1, s, n)) { duplicated += copies; copies *= 2; }
                if (copies == 4) quadrupled++;
                if (Hit(2, s, n)) { dropped += copies; continue; }
                if (Hit(3, s, n))
                {
                    delayed += copies;
                    t += 5;
                    if (t > model.T - 1) { late += copies; continue; }
                }

                expected.Add(n, t, copies);
            }

            expected.EndSample();
        }

        var want = expected.Build();
        Assert.True(quadrupled > 0 && dropped > 0 && late > 0, $"the test should see every case ({quadrupled} x4, {dropped} dropped, {late} late)");
        Assert.Equal(want.SampleOffsets, fired.Spikes.SampleOffsets);
        Assert.Equal(want.Neurons, fired.Spikes.Neurons);
        Assert.Equal(want.Times, fired.Spikes.Times);
        Assert.Equal(want.Multiplicities, fired.Spikes.Multiplicities);
        Assert.Equal(new FaultCounters(dropped, delayed, late, 0, 0, 0, 0, 0, 0, duplicated), fired.Faults);
        // What the layer emitted, less what was lost, plus the copies, is what it delivered.
        Assert.Equal(clean.Spikes.SpikeCount - dropped - late + duplicated, fired.Spikes.DeliveryCount);

        // A spike an earlier entry dropped is not there to be duplicated.
        var none = kernel.Fire(membrane, 10, default, new FaultPlan(seed, [new FaultSpec(FaultKind.Drop, 0, 1), new FaultSpec(FaultKind.Duplicate, 0, 1)]).ForKernel(kernel), first);
        Assert.Equal(0, none.Spikes.SpikeCount);
        Assert.Equal(new FaultCounters(clean.Spikes.SpikeCount, 0, 0, 0, 0, 0, 0, 0, 0), none.Faults);
    }

    [Fact]
    public void Dead_neurons_never_fire_stuck_neurons_fire_at_zero_and_only_within_the_schedule()
    {
        var (model, inputs, count) = Dense(40);
        const ulong seed = 5;
        var faults = new FaultPlan(seed, [new FaultSpec(FaultKind.Dead, 0, 0.2, From: 10, To: 29), new FaultSpec(FaultKind.Stuck, 1, 0.15)]);
        var options = new SimulationOptions(6, RecordSpikes: true);
        var clean = new EventDrivenSimulator().Run(model, inputs, count, options);
        var faulty = new EventDrivenSimulator().Run(model, inputs, count, options with { Faults = faults });
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
        var result = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(RecordSpikes: true, Faults: all));
        Assert.Equal(0, result.SpikesPerStage[0]);
        var stuck = new FaultPlan(1, [new FaultSpec(FaultKind.Stuck, 0, 1), new FaultSpec(FaultKind.Drift, 0, 1, Factor: 2)]);
        var at0 = new EventDrivenSimulator().Run(model, inputs, count, new SimulationOptions(RecordSpikes: true, Faults: stuck));
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
        var a = new FaultCounters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        Assert.Equal(a, FaultCounters.FromArray(a.ToArray()));
        Assert.Equal(default, FaultCounters.FromArray([]));
        Assert.Equal(new FaultCounters(2, 4, 6, 8, 10, 12, 14, 16, 18, 20), a + a);
        Assert.Equal(FaultCounters.Names.Count, a.ToArray().Length);
        Assert.Throws<ArgumentException>(() => FaultCounters.FromArray([1, 2]));
        Assert.Throws<ArgumentException>(() => FaultCounters.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9]));   // the array before duplicates

        // The counter added with duplicate comes last, so the earlier positions and names did not move.
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, a.ToArray());
        Assert.Equal("spikes_duplicated", FaultCounters.Names[^1]);
        Assert.Equal("weights_zeroed", FaultCounters.Names[8]);
        Assert.Equal(10, a.SpikesDuplicated);
        Assert.Equal(0, new FaultCounters(1, 2, 3, 4, 5, 6, 7, 8, 9).SpikesDuplicated);
        Assert.Contains("spikes_duplicated=10", a.ToString(), StringComparison.Ordinal);
    }
}
