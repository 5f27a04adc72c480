using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// When to give up waiting for batches in flight and replay them (messages lost on a cut link never
/// arrive, so no batch completes). A fixed timeout, or an adaptive one: <see cref="GapFactor"/> times the
/// longest gap between the last <see cref="Window"/> batch completions, kept within
/// [<see cref="MinAdaptive"/>, <see cref="MaxAdaptive"/>], so a run whose batches complete every 50 ms
/// notices a loss in about 2 s instead of 10. Each replay that no completion follows doubles the timeout,
/// the fixed one too, up to <see cref="MaxBackoff"/>, so a batch that simply takes longer than the timeout
/// (a slow machine, a deep network's first batch) is eventually given the time it needs instead of being
/// replayed forever. Replays never change results, only cost work.
/// </summary>
public sealed class ReplayTimer
{
    /// <summary>Completions remembered.</summary>
    public const int Window = 32;

    /// <summary>Completions needed before the timeout adapts; until then it is <see cref="MaxAdaptive"/>.</summary>
    public const int WarmUp = 8;

    /// <summary>The adaptive timeout is this many times the longest recent gap between completions.</summary>
    public const int GapFactor = 8;

    public static readonly TimeSpan MinAdaptive = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MaxAdaptive = TimeSpan.FromSeconds(10);

    /// <summary>The longest the doubling goes: a batch that needs longer than this is lost to replays (the run's stall timeout may end it first).</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(10);

    private readonly TimeSpan? _fixed;
    private readonly Queue<TimeSpan> _gaps = new();
    private TimeSpan _last;
    private int _backoff;

    /// <param name="fixedTimeout">A fixed timeout, or null for the adaptive one.</param>
    /// <param name="now">The time the batches started (or were last replayed).</param>
    public ReplayTimer(TimeSpan? fixedTimeout, TimeSpan now)
    {
        if (fixedTimeout is { } f && f <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(fixedTimeout), f, "a batch timeout is > 0");
        _fixed = fixedTimeout;
        _last = now;
    }

    /// <summary>The timeout now: the fixed or the adaptive one, doubled for each replay since the last completion (at most <see cref="MaxBackoff"/>).</summary>
    public TimeSpan Timeout
    {
        get
        {
            var basis = _fixed ?? (_gaps.Count < WarmUp ? MaxAdaptive : Clamp(_gaps.Max() * GapFactor, MinAdaptive, MaxAdaptive));
            if (_backoff == 0 || basis >= MaxBackoff) return basis;
            return Clamp(basis * Math.Pow(2, Math.Min(_backoff, 20)), basis, MaxBackoff);
        }
    }

    /// <summary>A batch completed at <paramref name="now"/>.</summary>
    public void Completed(TimeSpan now)
    {
        _gaps.Enqueue(now - _last);
        if (_gaps.Count > Window) _gaps.Dequeue();
        _last = now;
        _backoff = 0;
    }

    /// <summary>The clock restarts (the run started, or partitions were re-homed and the batches in flight replayed); not a gap.</summary>
    public void Restart(TimeSpan now) => _last = now;

    /// <summary>True when batches in flight have waited past the timeout; the caller then replays them and this counts the replay.</summary>
    public bool ShouldReplay(TimeSpan now)
    {
        if (now - _last < Timeout) return false;
        _last = now;
        _backoff++;
        return true;
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
