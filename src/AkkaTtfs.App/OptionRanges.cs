using System.Globalization;

namespace AkkaTtfs.App;

/// <summary>A documented range of a numeric option: its bounds and why they are where they are.</summary>
public sealed record IntRange(int Min, int Max, string? Why = null)
{
    /// <summary>"1..16" for the help text.</summary>
    public string Text => Max == int.MaxValue ? $">= {Min}" : string.Create(CultureInfo.InvariantCulture, $"{Min}..{Max}");

    /// <summary>Null when <paramref name="value"/> is in range, else one line naming <paramref name="option"/>, the range and the value.</summary>
    public string? Problem(string option, long value) =>
        value >= Min && value <= Max
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{option} must be >= {Min}{(Max == int.MaxValue ? "" : $" and <= {Max}")}{(Why is null ? "" : $" ({Why})")}, got {value}");

    /// <summary>Throws a <see cref="UsageException"/> when <paramref name="value"/> is out of range; null passes.</summary>
    public void Check(string option, long? value)
    {
        if (value is { } v && Problem(option, v) is { } problem) throw new UsageException(problem);
    }
}

/// <summary>A documented range of a quantity option with units (a duration, a rate): 0 means "none" and is always allowed.</summary>
public sealed record QuantityRange(double Min, double Max, Func<double, string> Format, string Why)
{
    /// <summary>Null when <paramref name="value"/> is 0 or in range, else one line naming <paramref name="option"/>, the range and the value.</summary>
    public string? Problem(string option, string given, double value) =>
        value == 0 || (value >= Min && value <= Max)
            ? null
            : $"{option} must be 0 or between {Format(Min)} and {Format(Max)} ({Why}), got {given}";
}

/// <summary>
/// A documented range of a real-valued option: finite, between <see cref="Min"/> and <see cref="Max"/> (each bound
/// included unless said otherwise). NaN and the infinities are outside every range.
/// </summary>
public sealed record RealRange(double Min, double Max, string? Why = null, bool MinExcluded = false)
{
    /// <summary>"> 0", "0..1" for the help text, as <see cref="IntRange.Text"/>.</summary>
    public string Text => HasMax
        ? string.Create(CultureInfo.InvariantCulture, $"{(MinExcluded ? "> " : "")}{Min}..{Max}")
        : string.Create(CultureInfo.InvariantCulture, $"{(MinExcluded ? ">" : ">=")} {Min}");

    /// <summary>"a finite number > 0", "a number from 0 to 1" for a message.</summary>
    public string Words => HasMax
        ? string.Create(CultureInfo.InvariantCulture, $"a number from {Min} to {Max}{(MinExcluded ? $" (not {Min})" : "")}")
        : string.Create(CultureInfo.InvariantCulture, $"a finite number {(MinExcluded ? ">" : ">=")} {Min}");

    private bool HasMax => Max < double.MaxValue;

    /// <summary>Null when <paramref name="value"/> is in range, else one line naming <paramref name="option"/>, the range and the value.</summary>
    public string? Problem(string option, double value) =>
        double.IsFinite(value) && (MinExcluded ? value > Min : value >= Min) && value <= Max
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{option} must be {Words}{(Why is null ? "" : $" ({Why})")}, got {value:R}");

    /// <summary>Throws a <see cref="UsageException"/> when <paramref name="value"/> is out of range; null passes.</summary>
    public void Check(string option, double? value)
    {
        if (value is { } v && Problem(option, v) is { } problem) throw new UsageException(problem);
    }
}

/// <summary>
/// The range of every numeric option, in one place: the CLI's option factories show them in --help and refuse
/// a value outside them while parsing (before any work); the services check them again for other hosts.
/// </summary>
public static class OptionRanges
{
    /// <summary>
    /// Embedded nodes in one process. Each is a whole actor system with its own dispatchers and remoting
    /// threads: past a few per core, starting and stopping them takes minutes and a shutdown can outlast a
    /// SIGTERM's grace period. 16 nodes start in seconds on a 2-core machine; spread more nodes over machines
    /// (akkattfs node, --seed).
    /// </summary>
    public static readonly IntRange EmbeddedNodes = new(1, 16, "embedded nodes share this process and its cores; start more with 'akkattfs node' and --seed");

    /// <summary>Worker nodes a coordinator joining seeds waits for.</summary>
    public static readonly IntRange JoinedNodes = new(1, 1024);

    /// <summary>Samples per batch: every batch holds its membrane potentials and spike times in memory at once.</summary>
    public static readonly IntRange Batch = new(1, 4096, "samples simulated together, held in memory at once");

    /// <summary>Samples to use; more than the split holds means all of them.</summary>
    public static readonly IntRange Limit = new(1, int.MaxValue);

    /// <summary>libtorch threads: more than the machine's cores only makes the threads wait for each other.</summary>
    public static IntRange Threads { get; } = new(1, Math.Max(1, Environment.ProcessorCount), "this machine's cores");

    /// <summary>Seconds to wait for a cluster to form (an hour at most: a timer of days is a typo).</summary>
    public static readonly IntRange JoinTimeout = new(1, 3600, "seconds");

    /// <summary>Batches in flight (credits).</summary>
    public static readonly IntRange InFlight = new(1, 256);

    /// <summary>Timed rounds of a benchmark or a campaign.</summary>
    public static readonly IntRange Repeat = new(1, 1000);

    /// <summary>Untimed warm-up rounds of a benchmark.</summary>
    public static readonly IntRange Warmup = new(0, 100);

    /// <summary>Samples per benchmark run.</summary>
    public static readonly IntRange BenchSamples = new(1, 1_000_000);

    /// <summary>Training epochs of <c>run</c>.</summary>
    public static readonly IntRange Epochs = new(1, 10_000);

    /// <summary>A port; 0 asks the system for any free one.</summary>
    public static readonly IntRange Port = new(0, 65535, "0 = any free port");

    /// <summary>--link-latency, in ms: 1 us is below what a timer can hold a message for; past a minute a batch would time out and replay.</summary>
    public static readonly QuantityRange LinkLatencyMs = new(0.001, 60_000, AkkaTtfs.Core.Distributed.LinkUnits.FormatDuration,
        "0 = none; a timer cannot hold a message for less than 1 us, and past a minute batches time out and replay");

    /// <summary>--link-bandwidth, in bytes/s: below 8 kbit/s one batch would take minutes; above 10 Tbit/s no link is slower than memory.</summary>
    public static readonly QuantityRange LinkBandwidthBytesPerSecond = new(1e3, 1.25e12, AkkaTtfs.Core.Distributed.LinkUnits.FormatRate,
        "0 = unlimited; slower than 8 kbit/s one batch takes minutes, faster than 10 Tbit/s emulates nothing");

    /// <summary>Points of a sweep's grid: each is a whole cluster run; a thousand is days of runs, more is a typo.</summary>
    public static readonly IntRange SweepPoints = new(1, 1000, "each point is a cluster run");

    /// <summary>model random --T: the window length in steps (spike times are bytes: TemporalKernel.MaxWindow).</summary>
    public static readonly IntRange Window = new(1, AkkaTtfs.Core.Ttfs.TemporalKernel.MaxWindow, "steps");

    /// <summary>model random --tau: the kernel's time constant in steps.</summary>
    public static readonly RealRange Tau = new(0, double.MaxValue, "steps", MinExcluded: true);

    /// <summary>
    /// model random --td: the kernel's delay in steps. Beyond the longest window every spike time saturates (at 0, or
    /// past the window), so the bound is a typo's guard, not a modelling limit.
    /// </summary>
    public static readonly RealRange Td = new(-AkkaTtfs.Core.Ttfs.TemporalKernel.MaxWindow, AkkaTtfs.Core.Ttfs.TemporalKernel.MaxWindow, "steps; beyond the longest window every spike time saturates");

    /// <summary>model random --positive-shift: u + shift with u in [-1, 1); beyond +-1 every weight has one sign already.</summary>
    public static readonly RealRange PositiveShift = new(-1, 1, "-1 = all negative, 0 = symmetric, 1 = all positive");

    /// <summary>faults --rates: a probability per spike, a fraction of neurons or a rate per weight (Core's FaultSpec rule).</summary>
    public static readonly RealRange FaultRate = new(0, 1);

    /// <summary>faults --steps: extra steps of a delay, half-width of a jitter (Core's FaultSpec.MaxSteps).</summary>
    public static readonly IntRange FaultSteps = new(0, AkkaTtfs.Core.Faults.FaultSpec.MaxSteps, "steps");

    /// <summary>faults --factor: the drift's threshold factor.</summary>
    public static readonly RealRange FaultFactor = new(0, double.MaxValue, MinExcluded: true);

    /// <summary>--nodes: embedded nodes, or with seeds the workers to wait for.</summary>
    public static IntRange Nodes(bool joinsSeeds) => joinsSeeds ? JoinedNodes : EmbeddedNodes;
}
