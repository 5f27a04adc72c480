using System.Globalization;
using AkkaTtfs.Core.Faults;

namespace AkkaTtfs.Core.Distributed;

/// <summary>What the runtime does when a runtime fault of the plan is due.</summary>
public abstract record RuntimeFaultAction
{
    private RuntimeFaultAction()
    {
    }

    /// <summary>Make partition <paramref name="Partition"/> throw.</summary>
    public sealed record Crash(int Partition) : RuntimeFaultAction;

    /// <summary>Kill node <paramref name="Node"/>; from now on it counts as gone for placement and later faults.</summary>
    public sealed record Kill(int Node) : RuntimeFaultAction;

    /// <summary>Have node <paramref name="Node"/> drop its link to <paramref name="ToNode"/> for <paramref name="Milliseconds"/>.</summary>
    public sealed record Cut(int Node, int ToNode, int Milliseconds) : RuntimeFaultAction;

    /// <summary>Not applied; <paramref name="Reason"/> goes into the run's record.</summary>
    public sealed record Skip(string Reason) : RuntimeFaultAction;
}

/// <summary>
/// The rules for firing a plan's runtime faults during a run (which faults can act and which are skipped
/// because their target is already gone), pure: the runtime states the facts and carries out the answer.
/// Which node a plan may kill at all is checked before the run (<see cref="RuntimeFault.ValidateAll"/>).
/// </summary>
public static class RuntimeFaultRules
{
    /// <summary>The action for <paramref name="fault"/> now.</summary>
    /// <param name="fault">The due fault.</param>
    /// <param name="partitionRunning">Crash: whether its partition currently runs (spawned, and not already told to crash).</param>
    /// <param name="partitionNode">Crash: the node that hosts its partition now.</param>
    /// <param name="nodeAlive">Whether a node is still part of the run.</param>
    public static RuntimeFaultAction Decide(RuntimeFault fault, bool partitionRunning, int partitionNode, Func<int, bool> nodeAlive)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentNullException.ThrowIfNull(nodeAlive);
        return fault.Kind switch
        {
            RuntimeFaultKind.CrashPartition when !partitionRunning => new RuntimeFaultAction.Skip("the partition was being re-homed"),
            RuntimeFaultKind.CrashPartition when !nodeAlive(partitionNode) => new RuntimeFaultAction.Skip("its node was gone"),
            RuntimeFaultKind.CrashPartition => new RuntimeFaultAction.Crash(fault.Partition),
            RuntimeFaultKind.KillNode when !nodeAlive(fault.Node) => new RuntimeFaultAction.Skip("the node was already gone"),
            RuntimeFaultKind.KillNode => new RuntimeFaultAction.Kill(fault.Node),
            _ when !nodeAlive(fault.Node) || !nodeAlive(fault.ToNode) => new RuntimeFaultAction.Skip("one end was already gone"),
            _ => new RuntimeFaultAction.Cut(fault.Node, fault.ToNode, (int)Math.Ceiling(fault.ForSeconds * 1000)),
        };
    }

    /// <summary>Why a fault due after the end of the run did not fire.</summary>
    public static string NotFired(TimeSpan runTime) =>
        string.Create(CultureInfo.InvariantCulture, $"not fired: the run finished at {runTime.TotalSeconds:F2} s");

    /// <summary>Indices of the plan's <paramref name="count"/> faults that are not in <paramref name="fired"/>, ascending.</summary>
    public static IEnumerable<int> Unfired(int count, IEnumerable<int> fired)
    {
        var done = fired.ToHashSet();
        return Enumerable.Range(0, count).Where(i => !done.Contains(i));
    }
}
