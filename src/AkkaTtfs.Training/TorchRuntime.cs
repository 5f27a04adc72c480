using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>
/// Process-wide libtorch settings and the one dedicated thread that runs libtorch work: TorchSharp's
/// dispose scopes are per thread, so every training step and evaluation runs on a thread of its own
/// (no awaits inside a scope), and the intra-op thread count is a setting (default 1, see
/// docs/platform-notes: two libtorch threads next to Akka on 2 cores ran 3-10x slower under load).
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();

    /// <summary>Runs <paramref name="work"/> on a new dedicated thread and returns its result (exceptions are rethrown here).</summary>
    public static T OnTrainingThread<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        }, 16 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "akkattfs-libtorch",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Sets libtorch's intra-op thread count (process-wide).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (get_num_threads() != threads) set_num_threads(threads);
        }
    }

    /// <summary>Seeds libtorch's global generator (weight initialisation, dropout).</summary>
    public static void Seed(long seed) => manual_seed(seed);

    /// <summary>Version of the TorchSharp assembly, for reports.</summary>
    public static string TorchSharpVersion => typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
