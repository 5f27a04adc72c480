using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>
/// The deploy-time warm-up runs a sample through a copy of a partition: for every partition of random networks and
/// plans (analog and TTFS input) it must run, and leave the real processor as it was: the same batch through a warmed
/// and a never-warmed processor gives the same potentials and spikes bit for bit, with nothing pending or dropped.
/// </summary>
public class DataPathWarmUpTests
{
    [Theory]
    [InlineData(0, InputMode.Analog)]
    [InlineData(1, InputMode.Ttfs)]
    [InlineData(2, InputMode.Ttfs)]
    [InlineData(3, InputMode.Analog)]
    public void Warming_every_partition_changes_no_result(int topology, InputMode mode)
    {
        var rng = new Random(90 + topology);
        const int count = 11;
        var random = RandomNetworks.Create(topology % RandomNetworks.Topologies.Count, mode, 900 + topology, count);
        var model = random.Model;
        var plan = PartitionPlanner.Plan(model.Network, RandomNetworks.RandomSplits(rng, model.Network, 3, 2, 1));
        PartitionProcessor Fresh(int id) => new(plan, id, new StageKernel(model, plan.Partitions[id].Stage, plan.Partitions[id].Block), model.InputMode);
        var warmed = plan.Partitions.Select(p => Fresh(p.Id)).ToArray();
        foreach (var p in warmed) DataPathWarmUp.Partition(p);
        DataPathWarmUp.Injector(new BatchInjector(model, plan), model.Network.Input.Size);
        Assert.All(warmed, p => Assert.Equal((0, 0L), (p.PendingBatches, p.DroppedMessages)));

        var cold = plan.Partitions.Select(p => Fresh(p.Id)).ToArray();
        Assert.Equal(Run(cold, model, plan, random.Inputs, count), Run(warmed, model, plan, random.Inputs, count));
    }

    /// <summary>Batch 0 through the processors, encoded messages; every output's potentials and spike counts as bits.</summary>
    private static List<string> Run(PartitionProcessor[] processors, SnnModel model, PartitionPlan plan, float[] inputs, int count)
    {
        var key = new BatchKey(0, 0);
        var seen = new List<string>();
        var queue = new Queue<(int Id, PartitionOutput? Output)>();
        foreach (var s in new BatchInjector(model, plan).Prepare(inputs, count))
        {
            queue.Enqueue((s.TargetId, s.IsAnalog
                ? processors[s.TargetId].AcceptAnalog(key, count, s.Payload, 0)
                : processors[s.TargetId].AcceptSpikes(key, PartitionPlan.InputSource, count, s.Payload, 0)));
        }

        while (queue.TryDequeue(out var item))
        {
            if (item.Output is not { } output) continue;
            seen.Add($"p{item.Id}: spikes {output.Spikes}, potentials {string.Join(",", (output.Potentials ?? []).Select(BitConverter.SingleToInt32Bits))}");
            foreach (var send in output.Sends)
                queue.Enqueue((send.TargetId, processors[send.TargetId].AcceptSpikes(key, item.Id, count, send.Payload, 0)));
        }

        Assert.Contains(seen, s => !s.EndsWith("potentials ", StringComparison.Ordinal));
        return seen;
    }
}
