using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>The batch timeout against its closed form: fixed, or 8 x the longest of the last 32 gaps within [2 s, 10 s]; doubled per unanswered replay up to 10 min.</summary>
public class ReplayTimerTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_fixed_timeout_does_not_adapt_but_backs_off_while_no_batch_completes()
    {
        var timer = new ReplayTimer(Ms(1500), Ms(0));
        Assert.False(timer.ShouldReplay(Ms(1499)));
        Assert.True(timer.ShouldReplay(Ms(1500)));
        Assert.Equal(Ms(3000), timer.Timeout);
        Assert.False(timer.ShouldReplay(Ms(4499)));   // measured from the replay
        Assert.True(timer.ShouldReplay(Ms(4500)));
        Assert.Equal(Ms(6000), timer.Timeout);
        for (var i = 1; i <= 40; i++) timer.Completed(Ms(4500 + i));   // fast completions: no adapting
        Assert.Equal(Ms(1500), timer.Timeout);
    }

    [Fact]
    public void A_batch_slower_than_the_timeout_gets_ever_more_time_and_is_not_replayed_forever()
    {
        // A first batch (no completions yet) that needs 75 s: replays at 10, 30, 70 s (timeouts 10, 20, 40 s),
        // then the timeout is 80 s, and the batch started at 70 s completes at 145 s, before it.
        var timer = new ReplayTimer(null, Ms(0));
        var replays = new List<double>();
        double lastStart = 0;
        for (var now = 0.0; now < 400_000; now += 100)
        {
            if (now - lastStart >= 75_000)
            {
                timer.Completed(Ms(now));
                break;
            }

            if (timer.ShouldReplay(Ms(now)))
            {
                replays.Add(now);
                lastStart = now;
            }
        }

        Assert.Equal([10_000, 30_000, 70_000], replays);
        Assert.True(timer.Timeout <= ReplayTimer.MaxBackoff);
    }

    [Fact]
    public void The_backoff_stops_at_its_ceiling()
    {
        var timer = new ReplayTimer(null, Ms(0));
        var now = TimeSpan.Zero;
        for (var i = 0; i < 30; i++)
        {
            now += timer.Timeout;
            Assert.True(timer.ShouldReplay(now));
        }

        Assert.Equal(ReplayTimer.MaxBackoff, timer.Timeout);
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
    public void Replays_without_a_completion_double_the_adaptive_timeout_and_a_completion_resets_it()
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
        Assert.Equal(Ms(16_000), timer.Timeout);   // past the adaptive range: a slow batch must get its time
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
