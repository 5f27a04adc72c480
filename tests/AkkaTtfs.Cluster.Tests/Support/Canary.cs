namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>
/// Records every instance that comes to exist: its constructor and its setter count calls, and its finalizer
/// counts instances made without a constructor (Hyperion creates objects uninitialised). Tests that use it
/// must not run in parallel with each other (they share one test class).
/// </summary>
public sealed class Canary
{
    private static int _constructed;
    private static int _setterCalls;
    private static int _finalized;
    private string? _path;

    public Canary() => Interlocked.Increment(ref _constructed);

    ~Canary() => Interlocked.Increment(ref _finalized);

    public string? Path
    {
        get => _path;
        set
        {
            Interlocked.Increment(ref _setterCalls);
            _path = value;
        }
    }

    /// <summary>Constructor calls, setter calls and finalized instances so far, after collecting every unreachable canary.</summary>
    public static (int Constructed, int SetterCalls, int Finalized) Census()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return (Volatile.Read(ref _constructed), Volatile.Read(ref _setterCalls), Volatile.Read(ref _finalized));
    }

    /// <summary>A canary for the test's own use (to serialize one): counted as constructed, never as finalized.</summary>
    public static Canary Quiet()
    {
        var c = new Canary { Path = "/tmp" };
#pragma warning disable CA1816 // not a Dispose pattern: the test's own canary must not count as one the wire made
        GC.SuppressFinalize(c);
#pragma warning restore CA1816
        return c;
    }
}
