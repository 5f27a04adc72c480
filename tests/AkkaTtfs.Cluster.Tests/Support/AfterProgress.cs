using AkkaTtfs.Cluster.Runtime;

namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// Completes <paramref name="reached"/> once a run has completed <paramref name="samples"/> samples. The coordinator
/// reports progress synchronously (Progress&lt;T&gt; would post to the thread pool later), so a test can fault the
/// run right after real progress, mid-run, waiting on a condition instead of a fixed sleep.
/// </summary>
public sealed class AfterProgress(int samples, TaskCompletionSource reached) : IProgress<RunProgress>
{
    public void Report(RunProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.CompletedSamples >= samples) reached.TrySetResult();
    }
}
