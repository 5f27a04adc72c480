using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Distributed;

/// <summary>One input message for a stage-0 partition: analog values or TTFS-coded input spikes, encoded.</summary>
public sealed record InputSend(int TargetId, bool IsAnalog, int EventCount, byte[] Payload);

/// <summary>
/// Turns a batch of normalised samples into the input messages of the stage-0 partitions, each filtered
/// by its route from the input (a conv tile receives only its receptive field).
/// </summary>
public sealed class BatchInjector
{
    private readonly SnnModel _model;
    private readonly (Route Route, NeuronSet Neurons)[] _routes;

    public BatchInjector(SnnModel model, PartitionPlan plan)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(plan);
        _routes = plan.RoutesFrom(PartitionPlan.InputSource).Select(r => (r, new NeuronSet(r.Neurons))).ToArray();
    }

    /// <summary>Input messages of a batch, one per stage-0 partition.</summary>
    public IReadOnlyList<InputSend> Prepare(ReadOnlySpan<float> inputs, int sampleCount)
    {
        var size = _model.Network.Input.Size;
        var sends = new InputSend[_routes.Length];
        if (_model.InputMode == InputMode.Analog)
        {
            var events = InputEvents.FromAnalog(inputs, sampleCount, size);
            for (var i = 0; i < _routes.Length; i++)
            {
                var filtered = events.Where(_routes[i].Neurons);
                sends[i] = new InputSend(_routes[i].Route.TargetId, true, filtered.EventCount, SpikeCodec.EncodeAnalog(filtered));
            }
        }
        else
        {
            var spikes = InputEvents.EncodeInput(inputs, sampleCount, size, _model.InputKernel!);
            for (var i = 0; i < _routes.Length; i++)
            {
                var filtered = spikes.Where(_routes[i].Neurons);
                sends[i] = new InputSend(_routes[i].Route.TargetId, false, filtered.SpikeCount, SpikeCodec.Encode(filtered));
            }
        }

        return sends;
    }
}
