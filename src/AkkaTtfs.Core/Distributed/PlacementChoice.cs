using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.Core.Distributed;

/// <summary>A worker node as placement sees it: its address and the tags it was started with (<c>akkattfs node --tag</c>).</summary>
public sealed record PlacementNode(string Address, IReadOnlyList<string> Tags)
{
    /// <summary>A node without tags.</summary>
    public PlacementNode(string address)
        : this(address, [])
    {
    }
}

/// <summary>A placement that cannot be used: a bad placement file, or one that does not fit the plan or the nodes.</summary>
public sealed class PlacementException(string message) : Exception(message);

/// <summary>
/// How a run places its partitions: a strategy (<see cref="PlacementStrategy"/>), or a placement file that pins
/// partitions to nodes and leaves the rest to its strategy. The one entry point from a choice, a plan and the
/// worker nodes to the node of every partition.
/// </summary>
public sealed record PlacementChoice
{
    /// <summary>Samples of the Core reference run that gives the traffic strategy its link weights when the caller brings no prediction.</summary>
    public const int TrafficSamples = 256;

    /// <summary>The strategy; with a file, how the partitions it does not pin are placed.</summary>
    public PlacementStrategy Strategy { get; init; } = PlacementStrategy.Balanced;

    /// <summary>Pins (null: none).</summary>
    public PlacementFile? File { get; init; }

    /// <summary>Today's default: MAC balance.</summary>
    public static PlacementChoice Balanced { get; } = new();

    /// <summary>A strategy alone.</summary>
    public static PlacementChoice Of(PlacementStrategy strategy) => new() { Strategy = strategy };

    /// <summary>What the report calls it: the strategy's name, or "file:NAME (+ strategy)".</summary>
    public string Name => File is null ? Strategy.Name() : $"file:{File.Source} (rest {Strategy.Name()})";

    /// <summary>True when the traffic strategy needs predicted link weights.</summary>
    public bool NeedsTraffic => Strategy == PlacementStrategy.Traffic;

    /// <summary>
    /// Parses a <c>--placement</c> value: a strategy name (balanced, traffic, round-robin), or the path of a placement
    /// JSON file (ends with .json), read through <paramref name="readFile"/>. Throws <see cref="PlacementException"/>
    /// with one line naming what is wrong.
    /// </summary>
    public static PlacementChoice Parse(string text, Func<string, string> readFile)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(readFile);
        if (!text.Trim().EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return Of(PlacementStrategies.Parse(text));
            }
            catch (PartitionPlanException ex)
            {
                throw new PlacementException($"{ex.Message}, or a placement file (*.json)");
            }
        }

        string json;
        try
        {
            json = readFile(text.Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PlacementException($"placement file {text.Trim()}: cannot read it: {ex.Message}");
        }

        var file = PlacementFile.Parse(json, Path.GetFileName(text.Trim()));
        return new PlacementChoice { Strategy = file.Rest, File = file };
    }

    /// <summary>
    /// Node index of every partition, by partition id. <paramref name="nodes"/> are the worker nodes in the run's
    /// order; <paramref name="injectorNode"/> is the coordinator's index among them (or -1); <paramref name="traffic"/>
    /// is the plan's predicted traffic, required by the traffic strategy.
    /// </summary>
    public int[] Assign(PartitionPlan plan, IReadOnlyList<PlacementNode> nodes, int injectorNode, TrafficPrediction? traffic)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count < 1) throw new PlacementException("placement needs at least one worker node");
        if (NeedsTraffic && traffic is null) throw new PlacementException("the traffic placement needs the plan's predicted traffic");
        var node = PlacementStrategies.Assign(Strategy, plan, nodes.Count, traffic, Math.Max(injectorNode, -1));
        File?.Pin(plan, nodes, node);
        return node;
    }

    /// <summary>
    /// The link weights for the traffic strategy when the caller has none: Core's traffic model over a reference run
    /// of the first <see cref="TrafficSamples"/> samples (the heaviest links are the same on a sample of the data).
    /// </summary>
    public static TrafficPrediction PredictSample(SnnModel model, PartitionPlan plan, float[] inputs, int count, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var n = Math.Min(count, TrafficSamples);
        var size = model.Network.Input.Size;
        var sample = inputs.AsSpan(0, n * size).ToArray();
        var reference = new EventDrivenSimulator().Run(model, sample, n, new SimulationOptions(Math.Min(batchSize, n), RecordSpikes: true));
        return TrafficModel.Predict(model, plan, sample, n, reference, Math.Min(batchSize, n));
    }
}
