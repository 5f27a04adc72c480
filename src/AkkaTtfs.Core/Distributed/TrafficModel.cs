using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Distributed;

/// <summary>What the traffic model expects one link to carry over a whole run.</summary>
/// <param name="SourceId">Sending partition (<see cref="PartitionPlan.InputSource"/>: the input injector).</param>
/// <param name="TargetId">Receiving partition.</param>
/// <param name="Messages">One per batch (the runtime sends one message per batch, window and link, also when empty).</param>
/// <param name="Spikes">Spikes (analog values on the input link of an analog-input model) the link carries.</param>
/// <param name="PayloadBytes">Encoded payload bytes, by the codec's layout (<see cref="SpikeCodec"/>).</param>
public sealed record LinkPrediction(int SourceId, int TargetId, long Messages, long Spikes, long PayloadBytes);

/// <summary>The predicted traffic of a fault-free run of a plan: every link, and the totals a placement turns into cross-node bytes.</summary>
public sealed class TrafficPrediction
{
    internal TrafficPrediction(IReadOnlyList<LinkPrediction> links, int samples, int batchSize)
    {
        Links = links;
        Samples = samples;
        BatchSize = batchSize;
    }

    /// <summary>Every route of the plan, ordered by source then target id.</summary>
    public IReadOnlyList<LinkPrediction> Links { get; }

    public int Samples { get; }

    public int BatchSize { get; }

    public long TotalBytes => Links.Sum(l => l.PayloadBytes);

    public long TotalSpikes => Links.Sum(l => l.Spikes);

    public long TotalMessages => Links.Sum(l => l.Messages);

    /// <summary>
    /// Payload bytes on links whose two ends are on different nodes. <paramref name="nodeOfPartition"/> maps
    /// partition id to node index; <paramref name="injectorNode"/> is the node that injects the input (the
    /// coordinator's), or -1 when it is not a worker node, so that every input link crosses a node boundary.
    /// </summary>
    public long CrossNodeBytes(IReadOnlyList<int> nodeOfPartition, int injectorNode)
    {
        ArgumentNullException.ThrowIfNull(nodeOfPartition);
        long bytes = 0;
        foreach (var link in Links)
        {
            var from = link.SourceId == PartitionPlan.InputSource ? injectorNode : nodeOfPartition[link.SourceId];
            if (from < 0 || from != nodeOfPartition[link.TargetId]) bytes += link.PayloadBytes;
        }

        return bytes;
    }
}

/// <summary>
/// Predicts, from the routing tables and the spikes of one Core reference run, the spikes, messages and
/// payload bytes every link of a plan carries. Written apart from the runtime on purpose: a pooled neuron
/// spikes when any neuron of its pooling region does (`docs/ttfs-method.md`), a link carries the pooled
/// spikes of its route, and the bytes follow the codec's layout (one varint count per sample, one varint
/// index gap per spike, then one byte per spike time or four per analog value). So a measured run that
/// disagrees points at the runtime (or at this model), never at shared code. Fault-free runs only: injected
/// faults drop, move and copy spikes.
/// </summary>
public static class TrafficModel
{
    /// <summary>Predicts the traffic of running <paramref name="count"/> samples in batches of <paramref name="batchSize"/>.</summary>
    /// <param name="model">The network.</param>
    /// <param name="plan">Its partitioning (routes).</param>
    /// <param name="inputs">The normalised samples, [sample][input size] (the input links' traffic depends on them).</param>
    /// <param name="count">Samples.</param>
    /// <param name="reference">A reference run of the same samples that recorded spike times.</param>
    /// <param name="batchSize">Samples per batch.</param>
    public static TrafficPrediction Predict(SnnModel model, PartitionPlan plan, ReadOnlySpan<float> inputs, int count, SimulationResult reference, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(reference);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be >= 1");
        if (reference.SampleCount != count) throw new ArgumentException($"the reference ran {reference.SampleCount} samples, not {count}", nameof(reference));
        var spikeTimes = reference.SpikeTimes ?? throw new ArgumentException("the reference run did not record spike times", nameof(reference));
        var network = model.Network;
        var batches = (count + batchSize - 1) / batchSize;
        var inputBytesPerEvent = model.InputMode == InputMode.Analog ? sizeof(float) : 1;

        // What each source fires per sample, computed once per stage (many routes leave one stage).
        var inputEvents = new int[count][];
        var inputSize = network.Input.Size;
        for (var s = 0; s < count; s++) inputEvents[s] = InputEventsOf(model, inputs.Slice(s * inputSize, inputSize));
        var pooled = new int[network.Stages.Count][][];

        var links = new List<LinkPrediction>(plan.Routes.Count);
        foreach (var route in plan.Routes.OrderBy(r => r.SourceId).ThenBy(r => r.TargetId))
        {
            int[][] firing;
            if (route.SourceId == PartitionPlan.InputSource)
            {
                firing = inputEvents;
            }
            else
            {
                var stage = plan.Partitions[route.SourceId].Stage;
                firing = pooled[stage] ??= Enumerable.Range(0, count).Select(s => PooledSpikes(network.Stages[stage], spikeTimes[stage], s)).ToArray();
            }

            var bytesPerEvent = route.SourceId == PartitionPlan.InputSource ? inputBytesPerEvent : 1;
            links.Add(PredictLink(route, batches, firing, bytesPerEvent));
        }

        return new TrafficPrediction(links, count, batchSize);
    }

    private static LinkPrediction PredictLink(Route route, int batches, int[][] firing, int bytesPerEvent)
    {
        var onRoute = new HashSet<int>(route.Neurons);
        long spikes = 0, bytes = 0;
        foreach (var sample in firing)
        {
            var previous = -1;
            var sent = 0;
            foreach (var neuron in sample)            // ascending
            {
                if (!onRoute.Contains(neuron)) continue;
                bytes += VarintSize((uint)(neuron - previous - 1)) + bytesPerEvent;
                previous = neuron;
                sent++;
            }

            bytes += VarintSize((uint)sent);
            spikes += sent;
        }

        return new LinkPrediction(route.SourceId, route.TargetId, batches, spikes, bytes);
    }

    /// <summary>Output-space indices (after max pooling) of the stage's neurons that spiked for one sample, ascending.</summary>
    internal static int[] PooledSpikes(Network.Stage stage, int[] times, int sample)
    {
        var conv = stage.ConvShape;
        var output = stage.OutputShape;
        var p = stage.PoolSize;
        var first = sample * conv.Size;
        if (p == 1)
        {
            var direct = new List<int>();
            for (var n = 0; n < conv.Size; n++)
            {
                if (times[first + n] >= 0) direct.Add(n);
            }

            return [.. direct];
        }

        var pooled = new List<int>();
        for (var c = 0; c < output.Channels; c++)
        {
            for (var y = 0; y < output.Height; y++)
            {
                for (var x = 0; x < output.Width; x++)
                {
                    if (RegionSpiked(times, first, conv, c, y * p, x * p, p)) pooled.Add((((c * output.Height) + y) * output.Width) + x);
                }
            }
        }

        return [.. pooled];
    }

    private static bool RegionSpiked(int[] times, int first, Network.TensorShape conv, int c, int y0, int x0, int p)
    {
        for (var dy = 0; dy < p; dy++)
        {
            for (var dx = 0; dx < p; dx++)
            {
                if (times[first + (((c * conv.Height) + y0 + dy) * conv.Width) + x0 + dx] >= 0) return true;
            }
        }

        return false;
    }

    private static int[] InputEventsOf(SnnModel model, ReadOnlySpan<float> sample)
    {
        // Analog input sends every non-zero value; TTFS-coded input every pixel the input kernel makes spike.
        var kernel = model.InputMode == InputMode.Analog ? null : model.InputKernel!;
        var events = new List<int>();
        for (var i = 0; i < sample.Length; i++)
        {
            if (kernel is null ? sample[i] != 0f : kernel.Encode(sample[i]) != Ttfs.TemporalKernel.NoSpike) events.Add(i);
        }

        return [.. events];
    }

    /// <summary>Bytes of an unsigned LEB128 varint.</summary>
    public static int VarintSize(uint value) => value < 1u << 7 ? 1 : value < 1u << 14 ? 2 : value < 1u << 21 ? 3 : value < 1u << 28 ? 4 : 5;
}
