using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Cluster.Protocol;

/// <summary>The largest a message of a run can be on the wire: its type, the link it travels, and the bytes.</summary>
public sealed record MessageBound(string Message, string Link, long Bytes);

/// <summary>
/// Worst-case serialized sizes of the messages that grow with the batch (spike batches, analog inputs, batch reports), for
/// the check before a run that every one fits <see cref="FrameBudget.MaxMergedBytes"/> even in parts. Payloads use Core's
/// bounds (<see cref="SpikeCodec.MaxEncodedBytes"/>); the rest is this wire format's: MessagePack ints of at most 5 bytes,
/// longs and doubles of at most 9, a run id of at most <see cref="FrameBudget.MaxRunIdLength"/> characters.
/// </summary>
public static class MessageBounds
{
    /// <summary>Fields around the payload: run id, ids, counts, times (a wide margin).</summary>
    private const long Header = 1024 + (3L * FrameBudget.MaxRunIdLength);

    /// <param name="spikeCopies">The run's fault plan duplicates spikes (a copies section in spike payloads).</param>
    public static IEnumerable<MessageBound> Of(NetworkSpec network, PartitionPlan plan, InputMode inputMode, int T, int batchSize, bool recordSpikes, bool spikeCopies)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var route in plan.Routes)
        {
            var n = route.Neurons.Length;
            if (route.SourceId == PartitionPlan.InputSource)
            {
                var space = network.Input.Size;
                yield return inputMode == InputMode.Analog
                    ? new(nameof(AnalogInputMessage), $"input -> partition {route.TargetId}", Header + SpikeCodec.MaxEncodedAnalogBytes(batchSize, n, space))
                    : new(nameof(SpikeBatchMessage), $"input -> partition {route.TargetId}", Header + SpikeCodec.MaxEncodedBytes(batchSize, n, space, copies: false));
                continue;
            }

            var source = plan.Partitions[route.SourceId];
            var outputs = network.Stages[source.Stage].OutputShape.Size;
            yield return new(nameof(SpikeBatchMessage), $"partition {route.SourceId} -> partition {route.TargetId}",
                Header + SpikeCodec.MaxEncodedBytes(batchSize, n, outputs, spikeCopies));
        }

        foreach (var p in plan.Partitions)
        {
            var stage = network.Stages[p.Stage];
            long local = StageKernel.LocalToGlobalOf(stage, p.Block).Length;
            var body = stage.IsOutput ? 5 + (4L * batchSize * local)                     // potentials: one bin of float32
                : recordSpikes ? 5 + (batchSize * local * SpikeTimeBytes(T)) : 0;         // spike times: MessagePack ints
            body += (9L * T) + (41L * plan.RoutesFrom(p.Id).Count) + (60L * plan.RoutesTo(p.Id).Count) + (9L * FaultCounters.Names.Count);
            yield return new(nameof(PartitionBatchReport), $"partition {p.Id} -> coordinator", Header + body);
        }
    }

    /// <summary>The largest message of the run, or null for a plan without any.</summary>
    public static MessageBound? Largest(NetworkSpec network, PartitionPlan plan, InputMode inputMode, int T, int batchSize, bool recordSpikes, bool spikeCopies) =>
        Of(network, plan, inputMode, T, batchSize, recordSpikes, spikeCopies).MaxBy(b => b.Bytes);

    /// <summary>Bytes of a MessagePack int in [-1, T - 1]: a fixint up to 127, then uint8, uint16, uint32.</summary>
    private static long SpikeTimeBytes(int T) => T <= 128 ? 1 : T <= 256 ? 2 : T <= 65_536 ? 3 : 5;
}
