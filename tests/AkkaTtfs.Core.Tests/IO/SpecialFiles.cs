using System.Diagnostics;
using System.Net.Sockets;

namespace AkkaTtfs.Core.Tests.IO;

/// <summary>
/// Makes FIFOs and sockets in a test folder with the system's own tools, and asks the system's stat(1) what a
/// path is: an oracle that shares no code with FileProbe. Calls that could block on a FIFO run with a timeout
/// that unblocks the FIFO and fails the test instead of hanging the run.
/// </summary>
internal static class SpecialFiles
{
    private static readonly TimeSpan BlockTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates a FIFO at <paramref name="path"/> with mkfifo(1).</summary>
    public static string MakeFifo(string path)
    {
        var (exit, _, error) = Run("mkfifo", path);
        Assert.True(exit == 0, $"mkfifo {path} failed: {error}");
        return path;
    }

    /// <summary>A Unix-domain socket bound at <paramref name="path"/>; dispose it to close it.</summary>
    public static Socket BindSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>
    /// What stat(1) says <paramref name="path"/> is ("regular file", "fifo", "character special file",
    /// "socket", "directory", "symbolic link", ...); links followed when <paramref name="followLinks"/>.
    /// </summary>
    public static string KindByStat(string path, bool followLinks = true)
    {
        var (exit, output, error) = followLinks ? Run("stat", "-L", "-c", "%F", path) : Run("stat", "-c", "%F", path);
        Assert.True(exit == 0, $"stat {path} failed: {error}");
        return output.Trim();
    }

    /// <summary>The first block device directly in /dev, as find(1) sees it; null if there is none.</summary>
    public static string? FindBlockDevice()
    {
        var (_, output, _) = Run("find", "/dev", "-maxdepth", "1", "-type", "b", "-print", "-quit");
        return output.Trim() is { Length: > 0 } found ? found : null;
    }

    /// <summary>The inode number stat(1) reports, links followed.</summary>
    public static ulong InodeByStat(string path)
    {
        var (exit, output, error) = Run("stat", "-L", "-c", "%i", path);
        Assert.True(exit == 0, $"stat {path} failed: {error}");
        return ulong.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs <paramref name="action"/>, which must not block on <paramref name="fifo"/>. If it does, the FIFO
    /// is opened from the other side (so the call returns) and the test fails.
    /// </summary>
    public static T WithoutBlocking<T>(string fifo, Func<T> action)
    {
        var task = Task.Run(action);
        if (!task.Wait(BlockTimeout))
        {
            ReleaseReader(fifo);
            Assert.Fail($"the call blocked on the FIFO {fifo} for {BlockTimeout.TotalSeconds} s");
        }

        return task.Result;
    }

    /// <summary>Runs <paramref name="action"/>, which must throw <typeparamref name="TException"/> without blocking on <paramref name="fifo"/>.</summary>
    public static TException ThrowsWithoutBlocking<TException>(string fifo, Action action)
        where TException : Exception =>
        WithoutBlocking(fifo, () => Assert.Throws<TException>(action));

    /// <summary>
    /// Reads everything written to <paramref name="fifo"/> while <paramref name="write"/> runs: a reader on the
    /// other side, as a shell pipe would have. Fails (instead of hanging) if either side blocks.
    /// </summary>
    public static byte[] ReadWhile(string fifo, Action write)
    {
        var reader = Task.Run(() => File.ReadAllBytes(fifo));
        var writer = Task.Run(write);
        bool finished;
        try
        {
            finished = writer.Wait(BlockTimeout);
        }
        catch (AggregateException e)
        {
            ReleaseReader(fifo);   // the write failed: end the reader too, then report the failure
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            throw;
        }

        if (!finished)
        {
            ReleaseReader(fifo);
            Assert.Fail($"writing to the FIFO {fifo} blocked for {BlockTimeout.TotalSeconds} s");
        }

        if (!reader.Wait(BlockTimeout))
        {
            ReleaseReader(fifo);
            Assert.Fail($"the reader of the FIFO {fifo} never saw the end of the data");
        }

        return reader.Result;
    }

    /// <summary>Opens the FIFO for writing and closes it at once: a reader blocked in open() then sees end of file.</summary>
    private static void ReleaseReader(string fifo)
    {
        try
        {
            using var release = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        }
        catch (IOException)
        {
            // Already gone: nothing to release.
        }
    }

    private static (int Exit, string Output, string Error) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error);
    }
}
