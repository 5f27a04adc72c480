using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Ttfs;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>
/// The stage kernel's fast paths (conv gather with register-held sums, vector listing, threshold firing, vector
/// pooling) against loops written here: every membrane is b + sum of fma(w, value) over the neuron's inputs in
/// ascending presynaptic index, computed naively per neuron, and must match bit for bit; spike times come from
/// <see cref="TemporalKernel.Encode"/> and pooling from a plain scan. Layers have awkward sizes (channels not a
/// multiple of the vector width, strides, padding, kernels wider than 8), partition blocks, and spike lists
/// from empty to every neuron.
/// </summary>
public class StageKernelExactnessTests
{
    public static TheoryData<string, int, int, int> ConvLayers => new()
    {
        // architecture, input channels, height, width
        { "c13k3-p2-d4", 3, 11, 9 },        // 13 channels: one vector and a partial one; odd conv grid leaves rows pooling drops
        { "c9k5s2p2-d3", 2, 13, 10 },       // stride 2, padding 2
        { "c69k3p-p2-d2", 5, 7, 7 },        // 69 channels: a block of 8 vectors, then the overlapping last vector
        { "c5k3s2p2-d2", 4, 6, 6 },         // fewer channels than a vector; padding 2 of a 3-wide kernel: corners see one tap
        { "c12k1-p2-d2", 3, 5, 5 },         // 1x1 kernel, the mnist-cnn conv1 channel count
        { "c16k7p1-p3-d2", 1, 12, 12 },     // 7-wide kernel, pool 3
        { "c11k9-d2", 2, 12, 12 },          // 9-wide kernel: wider than a vector, listed tap by tap
        { "c8k3p1-p3-d2", 2, 9, 9 },        // one whole vector of channels at stride 1: the listed path, padding 1
        { "c24k5-p2-d2", 3, 8, 8 },         // three vectors, mnist-cnn conv2's 5x5 kernel: the listed path, blocks cut its lists
    };

    [Theory]
    [MemberData(nameof(ConvLayers))]
    public void Every_conv_path_equals_a_naive_per_neuron_sum(string architecture, int channels, int height, int width)
    {
        var model = RandomModel.Create(ArchitectureParser.Build(architecture, TensorShape.Image(channels, height, width)), seed: 11);
        var stage = model.Network.Stages[0];
        var g = StageGeometry.Of(stage);
        var blocks = new List<NeuronBlock> { NeuronBlock.Whole(stage) };
        if (g.Channels > 2) blocks.Add(new NeuronBlock(1, g.Channels - 1, 0, g.PooledHeight, 0, g.PooledWidth));
        if (g.PooledHeight > 1 && g.PooledWidth > 1)
            blocks.Add(new NeuronBlock(0, g.Channels, g.PooledHeight / 2, g.PooledHeight, 1, g.PooledWidth));
        var inputSize = stage.InputShape.Size;
        foreach (var density in new[] { 0.0, 0.05, 0.3, 1.0 })
        {
            foreach (var copies in new[] { false, true })
            {
                var events = RandomSpikeEvents(inputSize, samples: 4, density, copies, seed: 7);
                foreach (var block in blocks)
                {
                    var expected = NaiveMembranes(model, 0, block, events, ascending: true);
                    foreach (var path in Enum.GetValues<StageKernel.ConvPath>())
                    {
                        var kernel = new StageKernel(model, 0, block) { IntegrationPath = path };
                        var membrane = kernel.NewMembrane(events.SampleCount);
                        kernel.Integrate(events, membrane);
                        AssertSameBits(expected, membrane, $"{architecture} {block} density {density} copies {copies} path {path}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Zero_and_negative_values_take_a_path_that_adds_them_like_the_naive_sum()
    {
        // Analog-style events: negative values, and exact zeros (which a map of values cannot tell from "no input").
        var model = RandomModel.Create(ArchitectureParser.Build("c10k3p-d2", TensorShape.Image(2, 6, 5)), seed: 5);
        var stage = model.Network.Stages[0];
        var rng = new Random(3);
        var offsets = new int[3];
        var neurons = new List<int>();
        var values = new List<float>();
        for (var s = 0; s < 2; s++)
        {
            for (var i = 0; i < stage.InputShape.Size; i++)
            {
                if (rng.NextDouble() < 0.5) continue;
                neurons.Add(i);
                values.Add(rng.NextDouble() < 0.2 ? (rng.NextDouble() < 0.5 ? 0f : -0f) : (float)(rng.NextDouble() - 0.5));
            }

            offsets[s + 1] = neurons.Count;
        }

        var events = InputEvents.Create(offsets, [.. neurons], [.. values]);
        var block = NeuronBlock.Whole(stage);
        var expected = NaiveMembranes(model, 0, block, events, ascending: true);
        foreach (var path in Enum.GetValues<StageKernel.ConvPath>())
        {
            var kernel = new StageKernel(model, 0, block) { IntegrationPath = path };
            var membrane = kernel.NewMembrane(2);
            kernel.Integrate(events, membrane);
            AssertSameBits(expected, membrane, $"path {path}");
        }
    }

    [Fact]
    public void The_naive_comparison_detects_a_different_summation_order()
    {
        // The oracle is only worth something if it tells orders apart: summed in descending presynaptic order, some
        // membrane of a dense spike list differs in its last bits.
        var model = RandomModel.Create(ArchitectureParser.Build("c13k3-p2-d4", TensorShape.Image(3, 11, 9)), seed: 11);
        var stage = model.Network.Stages[0];
        var events = RandomSpikeEvents(stage.InputShape.Size, samples: 4, density: 1.0, copies: false, seed: 7);
        var block = NeuronBlock.Whole(stage);
        var kernel = new StageKernel(model, 0, block);
        var membrane = kernel.NewMembrane(events.SampleCount);
        kernel.Integrate(events, membrane);
        var reversed = NaiveMembranes(model, 0, block, events, ascending: false);
        Assert.Contains(Enumerable.Range(0, membrane.Length), p => BitConverter.SingleToInt32Bits(membrane[p]) != BitConverter.SingleToInt32Bits(reversed[p]));
    }

    [Fact]
    public void The_naive_comparison_detects_a_different_order_on_the_listed_path()
    {
        // The listed path's check is only worth something if, on a layer where that path runs, the naive sum in another
        // order is told apart from the kernel's.
        var model = RandomModel.Create(ArchitectureParser.Build("c24k5-p2-d2", TensorShape.Image(3, 8, 8)), seed: 11);
        var stage = model.Network.Stages[0];
        var events = RandomSpikeEvents(stage.InputShape.Size, samples: 4, density: 1.0, copies: false, seed: 7);
        var block = NeuronBlock.Whole(stage);
        var kernel = new StageKernel(model, 0, block) { IntegrationPath = StageKernel.ConvPath.Listed };
        var membrane = kernel.NewMembrane(events.SampleCount);
        kernel.Integrate(events, membrane);
        AssertSameBits(NaiveMembranes(model, 0, block, events, ascending: true), membrane, "listed path");
        var reversed = NaiveMembranes(model, 0, block, events, ascending: false);
        Assert.Contains(Enumerable.Range(0, membrane.Length), p => BitConverter.SingleToInt32Bits(membrane[p]) != BitConverter.SingleToInt32Bits(reversed[p]));
    }

    [Theory]
    [MemberData(nameof(ConvLayers))]
    public void Firing_equals_encode_per_neuron_and_a_plain_pooling_scan(string architecture, int channels, int height, int width)
    {
        var model = RandomModel.Create(ArchitectureParser.Build(architecture, TensorShape.Image(channels, height, width)), seed: 13);
        var stage = model.Network.Stages[0];
        var firing = model.Layers[0].Kernel!;
        var g = StageGeometry.Of(stage);
        var blocks = new[] { NeuronBlock.Whole(stage), new NeuronBlock(g.Channels / 2, g.Channels, g.PooledHeight - 1, g.PooledHeight, 0, g.PooledWidth) };
        foreach (var block in blocks)
        {
            var kernel = new StageKernel(model, 0, block);
            var samples = 5;
            var membrane = AwkwardMembranes(firing, samples * kernel.LocalNeuronCount, seed: 17);
            membrane.AsSpan(0, kernel.LocalNeuronCount).Fill(-1f);                                // a sample where nothing fires
            membrane.AsSpan(kernel.LocalNeuronCount, kernel.LocalNeuronCount).Fill(firing.MaxValue);   // one where everything fires at 0
            var localTimes = new int[membrane.Length];
            var fired = kernel.Fire(membrane, samples, localTimes);

            var map = kernel.LocalToGlobal;
            var expectedSteps = new long[firing.T];
            long expectedCount = 0;
            for (var s = 0; s < samples; s++)
            {
                var global = Enumerable.Repeat(TemporalKernel.NoSpike, stage.ConvShape.Size).ToArray();
                for (var p = 0; p < map.Length; p++)
                {
                    var r = firing.Encode(membrane[(s * map.Length) + p]);
                    Assert.Equal(r, localTimes[(s * map.Length) + p]);
                    global[map[p]] = r;
                    if (r == TemporalKernel.NoSpike) continue;
                    expectedCount++;
                    expectedSteps[r]++;
                }

                var (neurons, times) = NaivePool(g, block, global);
                Assert.Equal(neurons, fired.Spikes.NeuronsOf(s).ToArray());
                Assert.Equal(times, fired.Spikes.TimesOf(s).ToArray().Select(t => (int)t).ToArray());
            }

            Assert.Equal(expectedCount, fired.SpikeCount);
            Assert.Equal(expectedSteps, fired.StepSpikes);
        }
    }

    [Theory]
    [InlineData(10f, 0f, 32)]
    [InlineData(3.7f, 1.3f, 16)]
    [InlineData(0.5f, -2f, 256)]
    [InlineData(40f, 5f, 64)]
    [InlineData(1f, 0f, 1)]
    public void Threshold_encoding_equals_the_kernels_encode(float tau, float td, int t)
    {
        var kernel = new TemporalKernel(tau, td, t);
        var thresholds = SpikeTimeThresholds.Of(kernel);
        var values = new List<float> { 0f, -0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, 1e-38f };
        // Around every boundary, a few floats either side; and the decode values, which sit mid-step.
        foreach (var b in thresholds.Lowest)
        {
            for (var d = -3; d <= 3; d++) values.Add(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(b) + d));
        }

        values.AddRange(kernel.DecodeTable.ToArray());
        var rng = new Random(1);
        for (var i = 0; i < 20000; i++) values.Add(BitConverter.Int32BitsToSingle(rng.Next()));      // any non-negative float or NaN
        for (var i = 0; i < 20000; i++) values.Add((float)(kernel.MinValue * Math.Exp(rng.NextDouble() * (t + 2) / tau) * 0.9));
        var u = values.ToArray();
        var times = new int[u.Length];
        var laneSteps = new int[thresholds.LaneStepsLength];
        var spikes = thresholds.Encode(u, times, laneSteps);
        var steps = new long[t];
        thresholds.AddSteps(laneSteps, steps);
        Assert.Equal(spikes, thresholds.Encode(u, new int[u.Length], default));
        var expectedSteps = new long[t];
        for (var i = 0; i < u.Length; i++)
        {
            var expected = kernel.Encode(u[i]);
            Assert.True(expected == times[i], $"u = {u[i]:R} (bits {BitConverter.SingleToInt32Bits(u[i]):x8}): Encode {expected}, thresholds {times[i]}");
            Assert.Equal(expected, thresholds.Encode(u[i]));
            if (expected != TemporalKernel.NoSpike) expectedSteps[expected]++;
        }

        Assert.Equal(expectedSteps, steps);
        Assert.Equal(expectedSteps.Sum(), spikes);
    }

    [Fact]
    public void Each_threshold_is_the_first_float_of_its_step()
    {
        // The boundary is real: one float below it the spike comes a step later (or not at all).
        var kernel = new TemporalKernel(10f, 0f, 32);
        var thresholds = SpikeTimeThresholds.Of(kernel);
        for (var r = 0; r < kernel.T; r++)
        {
            var b = thresholds.Lowest[r];
            var below = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(b) - 1);
            Assert.True(kernel.Encode(b) <= r && kernel.Encode(b) != TemporalKernel.NoSpike);
            var later = kernel.Encode(below);
            Assert.True(later == TemporalKernel.NoSpike || later > r, $"r = {r}: {below:R} spikes at {later}");
        }
    }

    /// <summary>Random spikes (decoded with a kernel), ascending per sample; with copies, some spikes are delivered 2 or 3 times.</summary>
    private static InputEvents RandomSpikeEvents(int inputSize, int samples, double density, bool copies, int seed)
    {
        var rng = new Random(seed);
        var builder = new SpikeBatchBuilder(samples);
        for (var s = 0; s < samples; s++)
        {
            for (var i = 0; i < inputSize; i++)
            {
                if (rng.NextDouble() >= density) continue;
                var time = rng.Next(32);
                if (copies && rng.NextDouble() < 0.2) builder.Add(i, time, 1 + rng.Next(1, 3));
                else builder.Add(i, time);
            }

            builder.EndSample();
        }

        return InputEvents.FromSpikes(builder.Build(), new TemporalKernel(10f, 0.5f, 32));
    }

    /// <summary>
    /// Membranes of a block, [sample][local neuron] as the kernel lays them out: each neuron's bias, then
    /// fma(w, value, u) for every event that reaches it, in the events' order (ascending) or reversed.
    /// </summary>
    private static float[] NaiveMembranes(SnnModel model, int stageIndex, NeuronBlock block, InputEvents events, bool ascending)
    {
        var stage = model.Network.Stages[stageIndex];
        var conv = stage.Conv;
        var input = stage.InputShape;
        var output = stage.ConvShape;
        var weights = model.Layers[stageIndex].Weights;
        var bias = model.Layers[stageIndex].Bias;
        var map = StageKernel.LocalToGlobalOf(stage, block);
        var k = conv.Kernel;
        var result = new float[events.SampleCount * map.Length];
        for (var s = 0; s < events.SampleCount; s++)
        {
            var order = Enumerable.Range(events.SampleOffsets[s], events.SampleOffsets[s + 1] - events.SampleOffsets[s]);
            if (!ascending) order = order.Reverse();
            var list = order.ToArray();
            for (var p = 0; p < map.Length; p++)
            {
                var o = map[p] / (output.Height * output.Width);
                var oy = map[p] / output.Width % output.Height;
                var ox = map[p] % output.Width;
                var u = bias[o];
                foreach (var e in list)
                {
                    var i = events.Neurons[e];
                    var c = i / (input.Height * input.Width);
                    var ky = (i / input.Width % input.Height) + conv.Padding - (oy * conv.Stride);
                    var kx = (i % input.Width) + conv.Padding - (ox * conv.Stride);
                    if (ky < 0 || ky >= k || kx < 0 || kx >= k) continue;
                    u = MathF.FusedMultiplyAdd(weights[(((((o * input.Channels) + c) * k) + ky) * k) + kx], events.Values[e], u);
                }

                result[(s * map.Length) + p] = u;
            }
        }

        return result;
    }

    /// <summary>First-spike pooling over the whole conv grid, restricted to the block's pooled regions, in ascending pooled index.</summary>
    private static (int[] Neurons, int[] Times) NaivePool(StageGeometry g, NeuronBlock block, int[] global)
    {
        var neurons = new List<int>();
        var times = new List<int>();
        for (var c = block.ChannelStart; c < block.ChannelEnd; c++)
        {
            for (var py = block.RowStart; py < block.RowEnd; py++)
            {
                for (var px = block.ColStart; px < block.ColEnd; px++)
                {
                    var earliest = int.MaxValue;
                    for (var dy = 0; dy < g.Pool; dy++)
                    {
                        for (var dx = 0; dx < g.Pool; dx++)
                        {
                            var r = global[(((c * g.Height) + (py * g.Pool) + dy) * g.Width) + (px * g.Pool) + dx];
                            if (r != TemporalKernel.NoSpike) earliest = Math.Min(earliest, r);
                        }
                    }

                    if (earliest == int.MaxValue) continue;
                    neurons.Add((((c * g.PooledHeight) + py) * g.PooledWidth) + px);
                    times.Add(earliest);
                }
            }
        }

        return ([.. neurons], [.. times]);
    }

    /// <summary>Membrane values spread over the firing range, with step boundaries, zeros of both signs, NaN and infinities mixed in.</summary>
    private static float[] AwkwardMembranes(TemporalKernel kernel, int count, int seed)
    {
        var rng = new Random(seed);
        var thresholds = SpikeTimeThresholds.Of(kernel);
        var u = new float[count];
        for (var i = 0; i < count; i++)
        {
            u[i] = rng.Next(12) switch
            {
                0 => 0f,
                1 => -0f,
                2 => -(float)rng.NextDouble(),
                3 => thresholds.Lowest[rng.Next(kernel.T)],
                4 => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(thresholds.Lowest[rng.Next(kernel.T)]) - 1),
                5 when rng.Next(20) == 0 => rng.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity },
                _ => (float)(kernel.MinValue * Math.Exp(rng.NextDouble() * (kernel.T + 4) / kernel.Tau) * 0.8),
            };
        }

        return u;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var p = 0; p < expected.Length; p++)
        {
            if (BitConverter.SingleToInt32Bits(expected[p]) != BitConverter.SingleToInt32Bits(actual[p]))
                Assert.Fail($"{what}: neuron {p} is {actual[p]:R}, the naive sum {expected[p]:R}");
        }
    }
}
