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
/// <param name="StepMessages">The per-step alternative: messages if every time step of the window were sent on its own
/// (one per batch and step, as a clock-driven exchange with a one-step delay would; analog input has one step).</param>
/// <param name="NonEmptyStepMessages">Of those, the ones that carry at least one spike.</param>
/// <param name="StepPayloadBytes">Payload bytes of the per-step alternative (each step's message encoded alone).</param>
public sealed record LinkPrediction(int SourceId, int TargetId, long Messages, long Spikes, long PayloadBytes,
    long StepMessages = 0, long NonEmptyStepMessages = 0, long StepPayloadBytes = 0)
{
    /// <summary><see cref="StepPayloadBytes"/> per time step of the window (they sum to it); each step has <see cref="Messages"/> messages.</summary>
    public IReadOnlyList<long> StepPayloadBytesByStep { get; init; } = [];
}

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

    public long TotalStepMessages => Links.Sum(l => l.StepMessages);

    public long TotalStepPayloadBytes => Links.Sum(l => l.StepPayloadBytes);

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
        var inputBytesPerEvent = model.InputMode == InputMode.Analog ? sizeof(float) : 1;

        // What each source fires per sample, computed once per stage (many routes leave one stage).
        var inputEvents = new Fired[count];
        var inputSize = network.Input.Size;
        for (var s = 0; s < count; s++) inputEvents[s] = InputEventsOf(model, inputs.Slice(s * inputSize, inputSize));
        var pooled = new Fired[network.Stages.Count][];

        var links = new List<LinkPrediction>(plan.Routes.Count);
        foreach (var route in plan.Routes.OrderBy(r => r.SourceId).ThenBy(r => r.TargetId))
        {
            Fired[] firing;
            if (route.SourceId == PartitionPlan.InputSource)
            {
                firing = inputEvents;
            }
            else
            {
                var stage = plan.Partitions[route.SourceId].Stage;
                firing = pooled[stage] ??= Enumerable.Range(0, count).Select(s => PooledSpikes(network.Stages[stage], spikeTimes[stage], s)).ToArray();
            }

            var input = route.SourceId == PartitionPlan.InputSource;
            var bytesPerEvent = input ? inputBytesPerEvent : 1;
            var steps = input && model.InputMode == InputMode.Analog ? 1 : model.T;
            links.Add(PredictLink(route, batchSize, firing, bytesPerEvent, steps));
        }

        return new TrafficPrediction(links, count, batchSize);
    }

    private static LinkPrediction PredictLink(Route route, int batchSize, Fired[] firing, int bytesPerEvent, int steps)
    {
        var onRoute = new HashSet<int>(route.Neurons);
        long spikes = 0, bytes = 0, stepBytes = 0, nonEmptySteps = 0;
        var batches = (firing.Length + batchSize - 1) / batchSize;
        var perStep = new List<int>[steps];
        for (var t = 0; t < steps; t++) perStep[t] = [];
        var stepUsed = new bool[steps];
        var bytesByStep = new long[steps];
        for (var s = 0; s < firing.Length; s++)
        {
            if (s % batchSize == 0) Array.Clear(stepUsed);
            var fired = firing[s];
            foreach (var list in perStep) list.Clear();
            for (var k = 0; k < fired.Neurons.Length; k++)
            {
                if (onRoute.Contains(fired.Neurons[k])) perStep[steps == 1 ? 0 : fired.Times[k]].Add(fired.Neurons[k]);
            }

            var all = perStep.SelectMany(l => l).Order().ToArray();
            bytes += IndexBytes(all) + ((long)all.Length * bytesPerEvent);
            spikes += all.Length;
            for (var t = 0; t < steps; t++)
            {
                // Each step's message has one count per sample of the batch, also for samples without spikes at that step.
                var b = IndexBytes(perStep[t]) + ((long)perStep[t].Count * bytesPerEvent);
                stepBytes += b;
                bytesByStep[t] += b;
                if (perStep[t].Count > 0) stepUsed[t] = true;
            }

            if (s % batchSize == batchSize - 1 || s == firing.Length - 1) nonEmptySteps += stepUsed.Count(u => u);
        }

        return new LinkPrediction(route.SourceId, route.TargetId, batches, spikes, bytes, (long)batches * steps, nonEmptySteps, stepBytes) { StepPayloadBytesByStep = bytesByStep };
    }

    // One sample's share of a payload: its varint count and one varint gap per neuron (ascending).
    private static long IndexBytes(IReadOnlyList<int> ascending)
    {
        long bytes = VarintSize((uint)ascending.Count);
        var previous = -1;
        foreach (var neuron in ascending)
        {
            bytes += VarintSize((uint)(neuron - previous - 1));
            previous = neuron;
        }

        return bytes;
    }

    /// <summary>Spikes of every hidden stage's own neurons (before pooling) per time step of its firing window, [stage][step].</summary>
    public static long[][] SpikeTimeProfile(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var traces = result.SpikeTimes ?? throw new ArgumentException("the run did not record spike times", nameof(result));
        return traces.Select(trace =>
        {
            var counts = new long[result.Window];
            foreach (var t in trace)
            {
                if (t >= 0) counts[t]++;
            }

            return counts;
        }).ToArray();
    }

    /// <summary>What a source fires for one sample: output-space neuron indices, ascending, and their times in the window.</summary>
    internal readonly record struct Fired(int[] Neurons, int[] Times);

    /// <summary>
    /// Output-space indices (after max pooling) of the stage's neurons that spiked for one sample, ascending, with the
    /// pooled spike's time: the earliest in its region.
    /// </summary>
    internal static Fired PooledSpikes(Network.Stage stage, int[] times, int sample)
    {
        var conv = stage.ConvShape;
        var output = stage.OutputShape;
        var p = stage.PoolSize;
        var first = sample * conv.Size;
        List<int> neurons = [], at = [];
        for (var c = 0; c < output.Channels; c++)
        {
            for (var y = 0; y < output.Height; y++)
            {
                for (var x = 0; x < output.Width; x++)
                {
                    var earliest = EarliestInRegion(times, first, conv, c, y * p, x * p, p);
                    if (earliest < 0) continue;
                    neurons.Add((((c * output.Height) + y) * output.Width) + x);
                    at.Add(earliest);
                }
            }
        }

        return new Fired([.. neurons], [.. at]);
    }

    // Earliest spike time of a pooling region (dense stages: a 1x1 region, the neuron itself), -1 when none spiked.
    private static int EarliestInRegion(int[] times, int first, Network.TensorShape conv, int c, int y0, int x0, int p)
    {
        var earliest = -1;
        for (var dy = 0; dy < p; dy++)
        {
            for (var dx = 0; dx < p; dx++)
            {
                var t = times[first + (((c * conv.Height) + y0 + dy) * conv.Width) + x0 + dx];
                if (t >= 0 && (earliest < 0 || t < earliest)) earliest = t;
            }
        }

        return earliest;
    }

    private static Fired InputEventsOf(SnnModel model, ReadOnlySpan<float> sample)
    {
        // Analog input sends every non-zero value (at t = 0); TTFS-coded input every pixel the input kernel makes spike.
        var kernel = model.InputMode == InputMode.Analog ? null : model.InputKernel!;
        List<int> neurons = [], at = [];
        for (var i = 0; i < sample.Length; i++)
        {
            var t = kernel is null ? (sample[i] != 0f ? 0 : Ttfs.TemporalKernel.NoSpike) : kernel.Encode(sample[i]);
            if (t == Ttfs.TemporalKernel.NoSpike) continue;
            neurons.Add(i);
            at.Add(t);
        }

        return new Fired([.. neurons], [.. at]);
    }

    /// <summary>Bytes of an unsigned LEB128 varint.</summary>
    public static int VarintSize(uint value) => value < 1u << 7 ? 1 : value < 1u << 14 ? 2 : value < 1u << 21 ? 3 : value < 1u << 28 ? 4 : 5;
}
