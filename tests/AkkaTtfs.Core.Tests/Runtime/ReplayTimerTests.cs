using AkkaTtfs.Core.Runtime;

namespace AkkaTtfs.Core.Tests.Runtime;

/// <summary>The batch timeout against its closed form: fixed, or 8 x the longest of the last 32 gaps within [2 s, 10 s], doubled per unanswered replay.</summary>
public class ReplayTimerTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_fixed_timeout_stays_fixed_whatever_happens()
    {
        var timer = new ReplayTimer(Ms(1500), Ms(0));
        Assert.False(timer.ShouldReplay(Ms(1499)));
        Assert.True(timer.ShouldReplay(Ms(1500)));
        Assert.Equal(Ms(1500), timer.Timeout);
        Assert.False(timer.ShouldReplay(Ms(2999)));   // measured from the replay
        Assert.True(timer.ShouldReplay(Ms(3000)));
        for (var i = 1; i <= 40; i++) timer.Completed(Ms(3000 + i));
        Assert.Equal(Ms(1500), timer.Timeout);
    }

    [Fact]
    public void The_adaptive_timeout_is_ten_seconds_until_enough_completions_then_eight_times_the_longest_recent_gap()
    {
        var timer = new ReplayTimer(null, Ms(0));
        var now = 0.0;
        for (var i = 0; i < ReplayTimer.WarmUp - 1; i++)
        {
            now += 300;
            timer.Completed(Ms(now));
        }

        Assert.Equal(ReplayTimer.MaxAdaptive, timer.Timeout);
        now += 400;
        timer.Completed(Ms(now));
        Assert.Equal(Ms(8 * 400), timer.Timeout);

        // The 400 ms gap leaves the window after 32 more completions of 50 ms: then the 2 s floor holds.
        for (var i = 0; i < ReplayTimer.Window; i++)
        {
            now += 50;
            timer.Completed(Ms(now));
        }

        Assert.Equal(ReplayTimer.MinAdaptive, timer.Timeout);
        now += 2000;
        timer.Completed(Ms(now));
        Assert.Equal(ReplayTimer.MaxAdaptive, timer.Timeout);   // 8 x 2 s = 16 s, capped
    }

    [Fact]
    public void Replays_without_a_completion_double_the_adaptive_timeout_up_to_the_cap_and_a_completion_resets_it()
    {
        var timer = new ReplayTimer(null, Ms(0));
        var now = 0.0;
        for (var i = 0; i < ReplayTimer.WarmUp; i++)
        {
            now += 100;
            timer.Completed(Ms(now));
        }

        Assert.Equal(Ms(2000), timer.Timeout);
        Assert.False(timer.ShouldReplay(Ms(now + 1999)));
        Assert.True(timer.ShouldReplay(Ms(now + 2000)));
        now += 2000;
        Assert.Equal(Ms(4000), timer.Timeout);
        Assert.True(timer.ShouldReplay(Ms(now + 4000)));
        now += 4000;
        Assert.Equal(Ms(8000), timer.Timeout);
        Assert.True(timer.ShouldReplay(Ms(now + 8000)));
        now += 8000;
        Assert.Equal(ReplayTimer.MaxAdaptive, timer.Timeout);
        now += 500;
        timer.Completed(Ms(now));
        Assert.Equal(Ms(8 * 500), timer.Timeout);   // backoff reset; the gap is counted from the last replay: 500 ms is the longest
    }

    [Fact]
    public void A_restart_moves_the_clock_without_counting_a_gap()
    {
        var timer = new ReplayTimer(null, Ms(0));
        for (var i = 1; i <= ReplayTimer.WarmUp; i++) timer.Completed(Ms(i * 100));
        timer.Restart(Ms(60_000));   // partitions re-homed for a minute
        Assert.Equal(Ms(2000), timer.Timeout);
        Assert.False(timer.ShouldReplay(Ms(61_999)));
        Assert.True(timer.ShouldReplay(Ms(62_000)));
    }

    [Fact]
    public void A_timeout_of_zero_or_less_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayTimer(TimeSpan.Zero, TimeSpan.Zero));
}
