using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;

namespace AkkaTtfs.Core.Tests.Engines;

/// <summary>
/// A spike trace is [sample * neurons + neuron] in one array: with enough samples the index passes int.MaxValue
/// (vgg16's first stage has 65,536 neurons; 50,000 samples make 3.3e9). Every engine must refuse such a run up
/// front, saying how much memory it would need, instead of wrapping the index into a small, wrong array.
/// </summary>
public class SpikeTraceSizeTests
{
    // 65,536 neurons x 65,537 samples = 2^32 + 65,536: in int arithmetic that wraps to exactly 65,536, a valid size.
    private const int Neurons = 65_536;
    private const int Samples = 65_537;
    private static readonly NetworkSpec Wide = ArchitectureParser.Build($"d{Neurons}-d2", TensorShape.Vector(1));

    private static void AssertRefused(ArgumentException ex)
    {
        Assert.Contains($"{Samples} samples x {Neurons} neurons", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GB", ex.Message, StringComparison.Ordinal);
        Assert.Contains("record fewer samples", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_result_builder_refuses_a_trace_past_the_largest_array()
    {
        AssertRefused(Assert.Throws<ArgumentException>(() => new SimulationResultBuilder(Wide, 8, Samples, recordSpikes: true, analogInput: true)));
        _ = new SimulationResultBuilder(Wide, 8, Samples, recordSpikes: false, analogInput: true);   // nothing recorded: fine
    }

    [Fact]
    public void The_reference_simulator_refuses_before_it_simulates()
    {
        var model = RandomModel.Create(Wide, 1);
        var inputs = new float[Samples];
        AssertRefused(Assert.Throws<ArgumentException>(() => new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(RecordSpikes: true))));
    }

    [Fact]
    public void The_oracles_refuse_before_they_simulate()
    {
        var model = RandomModel.Create(Wide, 1);
        var inputs = new float[Samples];
        AssertRefused(Assert.Throws<ArgumentException>(() => QuantisedDnn.Forward(model, inputs, Samples)));
        AssertRefused(Assert.Throws<ArgumentException>(() => ClockDrivenSimulator.Simulate(model, inputs, Samples)));
    }

    [Fact]
    public void Writing_a_batch_past_the_end_of_a_trace_is_refused_instead_of_wrapping()
    {
        // Sample 65,536 of a 65,536-neuron trace starts at 2^32, which wraps to 0: sample 0's slot.
        var trace = new int[Neurons];
        Array.Fill(trace, -1);
        var ex = Assert.Throws<ArgumentException>(() => StageKernel.WriteTrace([0], Neurons, [5], 1, trace, Neurons));
        Assert.Contains("sample 65536", ex.Message, StringComparison.Ordinal);
        Assert.Equal(-1, trace[0]);
        StageKernel.WriteTrace([0], Neurons, [5], 1, trace, 0);
        Assert.Equal(5, trace[0]);
    }
}
