using System.Diagnostics;

namespace AkkaTtfs.Core.Distributed;

/// <summary>The monotonic clock every trace stamp is read from: milliseconds of this process's Stopwatch.</summary>
public static class TraceClock
{
    /// <summary>Now, in milliseconds.</summary>
    public static double NowMs => Ms(Stopwatch.GetTimestamp());

    /// <summary>Stopwatch ticks in milliseconds.</summary>
    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
