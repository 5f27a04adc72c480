using AkkaTtfs.Core.Engines;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// Pays a data path's first calls (the JIT compiling decode, merge, integrate, fire, encode and report building; a
/// kernel's lazy tables) while a run deploys instead of in its first batches: one sample through a throwaway copy of
/// the partition, on the encoded and on the in-process path. Nothing of the real processor changes (it is not called),
/// and the copy shares only the kernel, whose step keeps no state between batches.
/// </summary>
public static class DataPathWarmUp
{
    /// <summary>One sample, every route's neurons active, through a copy of <paramref name="processor"/> (no faults, nothing recorded).</summary>
    public static void Partition(PartitionProcessor processor)
    {
        ArgumentNullException.ThrowIfNull(processor);
        var copy = new PartitionProcessor(processor.Plan, processor.Partition.Id, processor.Kernel, processor.InputMode);
        var window = processor.Kernel.PresynapticKernel?.T ?? 1;
        for (var batch = 0; batch < 2; batch++)     // batch 0: encoded payloads; batch 1: in-process spikes
        {
            if (batch == 1) copy.SendInProcess(copy.Targets);
            var key = new BatchKey(batch, 0);
            PartitionOutput? output = null;
            foreach (var route in copy.Inputs)
            {
                var n = route.Neurons.Length;
                if (copy.TakesAnalogInput)
                {
                    output = copy.AcceptAnalog(key, 1, SpikeCodec.EncodeAnalog(InputEvents.Create([0, n], route.Neurons, [.. Enumerable.Repeat(0.5f, n)])), 0);
                    continue;
                }

                var spikes = new SpikeBatch([0, n], route.Neurons, [.. Enumerable.Range(0, n).Select(k => (byte)(k % window))]);
                output = batch == 0
                    ? copy.AcceptSpikes(key, route.SourceId, 1, SpikeCodec.Encode(spikes), 0)
                    : copy.AcceptSpikes(key, route.SourceId, 1, spikes, SpikeCodec.EncodedLength(spikes), 0);
            }

            if (output is not null) _ = PartitionReport.From(processor.Partition.Id, output, TraceClock.NowMs);
        }
    }

    /// <summary>One sample of constant input through <paramref name="injector"/> (the input messages are dropped).</summary>
    public static void Injector(BatchInjector injector, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(injector);
        _ = injector.Prepare([.. Enumerable.Repeat(0.5f, inputSize)], 1);
    }
}
