using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Engines;

public class PartitionedSimulatorTests
{
    public static TheoryData<int> Topologies => new(Enumerable.Range(0, RandomNetworks.Topologies.Count));

    [Theory]
    [MemberData(nameof(Topologies))]
    public void Any_random_plan_gives_bit_identical_results_to_the_reference(int topology)
    {
        var rng = new Random(topology);
        for (var trial = 0; trial < 6; trial++)
        {
            var count = rng.Next(1, 40);
            var random = RandomNetworks.Create(topology, trial % 3 == 2 ? InputMode.Ttfs : InputMode.Analog, (100 * topology) + trial, count);
            var model = random.Model;
            var inputs = random.Inputs;
            // Exact zeros, as in images: analog input skips them, which must not depend on the plan either.
            for (var i = 0; i < inputs.Length; i++) if (rng.NextDouble() < 0.3) inputs[i] = 0f;
            var options = new SimulationOptions(BatchSize: rng.Next(1, 20), RecordSpikes: true);
            var reference = new EventDrivenSimulator().Run(model, inputs, count, options);
            Assert.True(reference.TotalSpikes > 0, "the random network should fire");

            var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 5, 3, 3));
            var partitioned = new PartitionedSimulator().Run(model, inputs, count, options with { BatchSize = rng.Next(1, 20) } with { Partitions = plan });
            ResultAssert.BitIdentical(reference, partitioned, $"topology {topology} trial {trial} {model.Network} plan {plan.Describe()}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_batch_size_below_one_is_refused_as_the_reference_refuses_it(int batchSize)
    {
        // Before this check a batch size of 0 never advanced the batch loop: Run hung.
        var random = RandomNetworks.Create(0, InputMode.Analog, 1, 2);
        var options = new SimulationOptions(BatchSize: batchSize);
        var plan = PartitionPlanner.Plan(random.Model.Network, "1");
        var partitioned = Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionedSimulator().Run(random.Model, random.Inputs, 2, options with { Partitions = plan }));
        var reference = Assert.Throws<ArgumentOutOfRangeException>(() => new EventDrivenSimulator().Run(random.Model, random.Inputs, 2, options));
        Assert.Equal(reference.Message, partitioned.Message);
        Assert.Equal(reference.ParamName, partitioned.ParamName);
    }

    [Fact]
    public void Routing_tables_deliver_each_needed_neuron_exactly_once_and_nothing_else()
    {
        var rng = new Random(11);
        for (var trial = 0; trial < 28; trial++)
        {
            var model = RandomNetworks.Create(trial % RandomNetworks.Topologies.Count, InputMode.Analog, trial, 1).Model;
            var network = model.Network;
            var plan = PartitionPlanner.Plan(network, RandomNetworks.RandomSplits(rng, network, 5, 3, 3));
            foreach (var target in plan.Partitions)
            {
                var stage = network.Stages[target.Stage];
                var sourceSize = stage.InputShape.Size;
                var delivered = new int[sourceSize];
                foreach (var route in plan.RoutesTo(target.Id))
                {
                    Assert.True(route.Neurons.Length > 0);
                    Assert.True(route.Neurons.SequenceEqual(route.Neurons.Order()), "route neurons must be ascending");
                    foreach (var n in route.Neurons) delivered[n]++;
                }

                var needed = BruteForceNeeded(stage, target.Block);
                for (var n = 0; n < sourceSize; n++)
                {
                    Assert.True(delivered[n] == (needed[n] ? 1 : 0),
                        $"{network} plan {plan.Describe()}: partition {target} gets neuron {n} {delivered[n]} times, needed: {needed[n]}");
                }
            }
        }
    }

    [Fact]
    public void Every_neuron_of_every_stage_has_exactly_one_owner()
    {
        var network = ArchitectureParser.Build("c5k3-p2-c7k3-d9", TensorShape.Image(1, 15, 15)); // odd sizes: pooling drops a row
        var plan = PartitionPlanner.Plan(network, "c2t2x3,c3t2x1,4");
        for (var d = 0; d < network.Stages.Count; d++)
        {
            var g = StageGeometry.Of(network.Stages[d]);
            var owners = new int[network.Stages[d].ConvShape.Size];
            foreach (var p in plan.OfStage(d))
            {
                for (var c = p.Block.ChannelStart; c < p.Block.ChannelEnd; c++)
                for (var y = g.ConvRowStart(p.Block.RowStart); y < g.ConvRowEnd(p.Block.RowEnd); y++)
                for (var x = g.ConvColStart(p.Block.ColStart); x < g.ConvColEnd(p.Block.ColEnd); x++)
                    owners[g.ConvIndex(c, y, x)]++;
            }

            Assert.All(owners, o => Assert.Equal(1, o));
        }
    }

    [Theory]
    [InlineData("2,2", "has 2 entries")]
    [InlineData("q3", "'q3' is not one of")]
    [InlineData("c13", "13 channel slices but only 12 channels")]
    [InlineData("t13x1", "tiles do not fit")]
    [InlineData("1,1,11", "10 neurons")]
    [InlineData("0", "must be >= 1")]
    public void Bad_partition_specs_fail_with_a_message_naming_the_problem(string spec, string expected)
    {
        var network = ArchitectureParser.Build("mnist-cnn", TensorShape.Image(1, 28, 28));
        var ex = Assert.Throws<PartitionPlanException>(() => PartitionPlanner.Plan(network, spec));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slices_beyond_the_channel_count_become_row_tiles_and_target_counts_are_honoured()
    {
        var network = ArchitectureParser.Build("mnist-cnn", TensorShape.Image(1, 28, 28));
        Assert.Equal(new StageSplit(12, 2, 1), PartitionPlanner.SlicesFor(network.Stages[0], 24));
        var plan = PartitionPlanner.Plan(network, "n1000");
        Assert.Equal(7, plan.OfStage(0).Count);   // 6912 neurons / 1000, rounded
        Assert.Equal(4, plan.OfStage(1).Count);   // 4096 / 1000
        Assert.Single(plan.OfStage(2));
        Assert.Equal([(0, 3), (3, 6), (6, 10)], PartitionPlanner.EvenRanges(10, 3).ToArray());
    }

    /// <summary>Needed iff some neuron of the block has the presynaptic neuron under its kernel: enumerated, no shortcuts.</summary>
    private static bool[] BruteForceNeeded(Stage stage, NeuronBlock block)
    {
        var needed = new bool[stage.InputShape.Size];
        if (stage.IsDense) { Array.Fill(needed, true); return needed; }
        var conv = stage.Conv;
        var input = stage.InputShape;
        var g = StageGeometry.Of(stage);
        for (var oy = g.ConvRowStart(block.RowStart); oy < g.ConvRowEnd(block.RowEnd); oy++)
        for (var ox = g.ConvColStart(block.ColStart); ox < g.ConvColEnd(block.ColEnd); ox++)
        for (var ky = 0; ky < conv.Kernel; ky++)
        for (var kx = 0; kx < conv.Kernel; kx++)
        {
            var y = (oy * conv.Stride) + ky - conv.Padding;
            var x = (ox * conv.Stride) + kx - conv.Padding;
            if (y < 0 || y >= input.Height || x < 0 || x >= input.Width) continue;
            for (var c = 0; c < input.Channels; c++) needed[(((c * input.Height) + y) * input.Width) + x] = true;
        }

        return needed;
    }
}
