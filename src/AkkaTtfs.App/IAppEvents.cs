using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.App;

/// <summary>
/// What a long job tells the person who started it while it runs: status lines and progress. The CLI
/// prints them on stderr; a test or another host may collect or ignore them.
/// </summary>
public interface IAppEvents
{
    /// <summary>One status line ("training ...", "embedded cluster: 2 node(s) ...").</summary>
    void Status(string line);

    /// <summary>Progress of <paramref name="total"/> units of work ("samples", "points").</summary>
    IProgress<int>? Counter(string what, int total);

    /// <summary>Epoch progress of training.</summary>
    IProgress<TrainingProgress>? Training();

    /// <summary>Live numbers of a cluster run of <paramref name="total"/> samples.</summary>
    IProgress<RunProgress>? Simulation(int total);
}

/// <summary>Events nobody listens to (benchmark warm-ups, tests).</summary>
public sealed class SilentEvents : IAppEvents
{
    public static SilentEvents Instance { get; } = new();

    public void Status(string line)
    {
    }

    public IProgress<int>? Counter(string what, int total) => null;

    public IProgress<TrainingProgress>? Training() => null;

    public IProgress<RunProgress>? Simulation(int total) => null;
}
