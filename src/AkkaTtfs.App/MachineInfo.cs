using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace AkkaTtfs.App;

/// <summary>The machine a measurement ran on, and its load; one reader of /proc for every report.</summary>
public sealed record MachineInfo(int Cores, string Os, string Dotnet, int SimdWidthFloats, string Gc, string LoadAverage)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        Environment.Version.ToString(),
        System.Numerics.Vector<float>.Count,
        (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : " concurrent"),
        ReadLoadAverage());

    public string Describe() =>
        $"{Cores} cores, {Os}, .NET {Dotnet}, SIMD width {SimdWidthFloats} floats, GC {Gc}; load average {LoadAverage}";

    /// <summary>The 1, 5 and 15 minute load averages ("n/a" off Linux).</summary>
    public static string ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>The most memory this process has held in RAM so far (peak working set, Linux VmHWM), in bytes.</summary>
    public static long PeakWorkingSetBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>Time since this process started (runtime start-up and JIT included), for start-up measurements.</summary>
    public static TimeSpan SinceProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        return DateTime.Now - self.StartTime;
    }

    /// <summary>CPU seconds (user + system) of this process.</summary>
    public static double OwnCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>CPU seconds of another process from /proc/PID/stat (Linux); 0 when it is gone or the file is not there.</summary>
    public static double CpuSecondsOf(int pid)
    {
        try
        {
            // "pid (comm) state ..." with utime and stime the 12th and 13th fields after the comm's ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;     // the child is gone, or not Linux
        }
    }
}
