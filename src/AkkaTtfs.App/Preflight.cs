using Akka.Configuration;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;

namespace AkkaTtfs.App;

/// <summary>
/// The checks every job makes before it trains, runs or writes anything: each turns a bad input into one
/// <see cref="UsageException"/> naming the option or file. The run, simulate, campaign and bench requests
/// call them in their Prepare step.
/// </summary>
public static class Preflight
{
    /// <summary>An option that must be at least 1.</summary>
    public static void AtLeastOne(int? value, string option)
    {
        if (value is < 1) throw new UsageException($"{option} must be >= 1");
    }

    /// <summary>The model must take the dataset's sample shape and have a class for every label.</summary>
    public static void CheckFits(SnnModel model, Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        var expected = model.Network.Input;
        var actual = dataset.SampleShape;
        if (expected.Size != actual.Size || (expected.Rank == 3 && expected != actual))
            throw new UsageException($"the model takes inputs of shape {expected}, but {dataset.Name} has samples of shape {actual}");
        if (dataset.ClassCount > model.Network.ClassCount)
            throw new UsageException($"the model has {model.Network.ClassCount} output classes, but {dataset.Name} has labels up to {dataset.ClassCount - 1}");
    }

    /// <summary>The partition plan of --partitions; a spec that does not fit the network names the option and the spec.</summary>
    public static PartitionPlan PlanPartitions(NetworkSpec network, string spec)
    {
        try
        {
            return PartitionPlanner.Plan(network, spec);
        }
        catch (PartitionPlanException ex)
        {
            throw new UsageException($"--partitions {spec}: {ex.Message}");
        }
    }

    /// <summary>A fault plan named by an option: a missing file is reported as the fault plan it was meant to be.</summary>
    public static FaultPlan LoadFaultPlan(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"fault plan {full} is a folder, not a JSON file");
        if (!File.Exists(full)) throw new UsageException($"fault plan {full}: no such file");
        return FaultPlan.Load(full);
    }

    /// <summary>A plan that does not fit the network is a usage error naming the file (or option) and the entry.</summary>
    public static void ValidatePlan(FaultPlan? plan, string source, NetworkSpec network)
    {
        if (plan is null) return;
        try
        {
            plan.Validate(network);
        }
        catch (FaultPlanException ex)
        {
            throw new UsageException($"{source}: {ex.Message}");
        }
    }

    /// <summary>A cluster --config file, read once up front so that a typo in it fails before training or loading data.</summary>
    public static string? CheckClusterConfig(string? path)
    {
        if (path is null) return null;
        var full = Path.GetFullPath(path);
        try
        {
            ClusterConfig.LoadFile(full);
        }
        catch (ConfigurationException ex)
        {
            throw new UsageException(ex.Message);
        }

        return full;
    }

    /// <summary>
    /// Everything about a cluster run that can be checked before a node starts: runtime faults that name a
    /// partition or node the run will not have (an embedded cluster's node 0 hosts the coordinator; a
    /// coordinator joining seeds is not a worker), cut and kill faults without the adapters, the seeds and the config file.
    /// </summary>
    public static void CheckClusterRun(FaultPlan? faults, PartitionPlan plan, ClusterSetup setup)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(setup);
        CheckClusterConfig(setup.ConfigFile);     // the CLI read it already; another host may not have
        OptionRanges.Nodes(setup.Seeds.Count > 0).Check("--nodes", setup.Nodes);
        OptionRanges.JoinTimeout.Check("--join-timeout", (long)Math.Ceiling(setup.JoinTimeout.TotalSeconds));
        OptionRanges.InFlight.Check("--in-flight", setup.InFlight);
        if (faults is not null)
        {
            try
            {
                RuntimeFault.ValidateAll(faults.Runtime, plan.Partitions.Count, setup.Nodes, coordinatorNode: setup.Seeds.Count == 0 ? 0 : -1, new RunOptions().MaxRestarts);
            }
            catch (FaultPlanException ex)
            {
                throw new UsageException(ex.Message);
            }
        }

        CheckFaultInjection(faults, setup);
        CheckSeeds(faults, setup);
    }

    /// <summary>
    /// Every message of a cluster run must fit <see cref="FrameBudget.MaxMergedBytes"/>, in parts if need be (a message
    /// larger than a remoting frame travels in parts): refuses a batch size whose worst case (every neuron spiking) does
    /// not, naming the message, its link, its size and the largest batch that fits.
    /// </summary>
    public static void CheckFrames(NetworkSpec network, PartitionPlan plan, InputMode inputMode, int T, int batch, bool recordSpikes, FaultPlan? faults)
    {
        ArgumentNullException.ThrowIfNull(network);
        var copies = faults?.Faults.Any(f => f.Kind == FaultKind.Duplicate) == true;
        if (MessageBounds.Largest(network, plan, inputMode, T, batch, recordSpikes, copies) is not { } worst || worst.Bytes <= FrameBudget.MaxMergedBytes) return;
        var fits = 0;
        for (int lo = 1, hi = batch - 1; lo <= hi;)
        {
            var mid = lo + ((hi - lo) / 2);
            if (MessageBounds.Largest(network, plan, inputMode, T, mid, recordSpikes, copies)!.Bytes <= FrameBudget.MaxMergedBytes) (fits, lo) = (mid, mid + 1);
            else hi = mid - 1;
        }

        var advice = fits > 0 ? $"use --batch {fits} or less" : "no batch size fits";
        throw new UsageException(
            $"--batch {batch}: a {worst.Message} ({worst.Link}) can take up to {worst.Bytes} bytes, more than the {FrameBudget.MaxMergedBytes} bytes a message may have " +
            $"even split into parts of the {FrameBudget.MaximumFrameSize}-byte remoting frame; {advice}{(recordSpikes ? " (recorded spike times count: --check-dnn, --spikes)" : "")}, or cut that stage into more partitions (--partitions)");
    }

    /// <summary>
    /// A plan with runtime faults on a cluster joined without fault injection cannot work: cuts and kills need the
    /// adapters, and partitions take a crash command only on a node that runs with --fault-injection.
    /// </summary>
    private static void CheckFaultInjection(FaultPlan? faults, ClusterSetup setup)
    {
        if (faults is null || setup.Seeds.Count == 0 || ClusterLauncher.UsesFaultInjection(faults, setup)) return;
        var (fault, index) = faults.Runtime.Select((f, i) => (f, i)).OrderBy(x => ClusterLauncher.NeedsAdapters(x.f) ? 0 : 1).FirstOrDefault();
        if (fault is null) return;
        var needs = ClusterLauncher.NeedsAdapters(fault) ? "the fault-injection adapters on every node" : "every node to run with --fault-injection (a partition takes a crash command only then)";
        throw new UsageException(
            $"fault plan runtime entry {index} (runtime[{index}]): a {fault.KindName} needs {needs}, and --seed joins without them: " +
            $"start every node with 'akkattfs node --fault-injection' and add --fault-injection here (or give seeds as {ClusterConfig.FaultInjectionProtocol}://akkattfs@host:port)");
    }

    /// <summary>The --seed addresses as the coordinator's node will check them (scheme, system name, host, port), but now.</summary>
    private static void CheckSeeds(FaultPlan? faults, ClusterSetup setup)
    {
        if (setup.Seeds.Count == 0) return;
        var options = new ClusterNodeOptions
        {
            Profile = NodeProfile.Worker,
            SeedNodes = setup.Seeds,
            FaultInjection = ClusterLauncher.UsesFaultInjection(faults, setup),
            ConfigFile = setup.ConfigFile,
            Secret = setup.Secret,
        };
        ClusterConfig.ResolveSeeds(options, ClusterConfig.Build(options));
    }

    /// <summary>Labels of the first <paramref name="count"/> samples.</summary>
    public static byte[] Labels(Dataset dataset, int count)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Enumerable.Range(0, count).Select(i => (byte)dataset.Label(i)).ToArray();
    }
}
