using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Core.Tests.Distributed;

/// <summary>The emulated link's delay policy and its units, against values worked out by hand.</summary>
public class LinkScheduleTests
{
    // 1 MB/s: one byte takes 1 us, 1000 bytes take 1 ms.
    private static readonly LinkProfile MegabytePerSecond = new(LatencyMs: 2, BytesPerSecond: 1e6);

    [Fact]
    public void An_idle_link_starts_at_once_and_delivers_after_transmission_plus_latency()
    {
        var r = LinkSchedule.Next(MegabytePerSecond, nowMs: 10, linkFreeMs: 3, bytes: 1500);
        // start 10 (the link was free at 3), transmit 1500 B at 1000 B/ms = 1.5 ms, then 2 ms latency.
        Assert.Equal(new LinkRelease(10, 11.5, 13.5), r);
    }

    [Fact]
    public void Messages_sent_together_queue_behind_each_other_and_keep_their_order()
    {
        var free = double.NegativeInfinity;
        var deliveries = new List<double>();
        foreach (var bytes in new long[] { 1000, 250, 4000 })
        {
            var r = LinkSchedule.Next(MegabytePerSecond, nowMs: 100, free, bytes);
            free = r.FreeMs;
            deliveries.Add(r.DeliverMs);
        }

        // Free at 101, 101.25, 105.25; each arrives 2 ms after its last byte.
        Assert.Equal(new[] { 103, 103.25, 107.25 }, deliveries);
        Assert.Equal(105.25, free);
    }

    [Fact]
    public void A_message_sent_after_the_link_emptied_does_not_inherit_the_backlog()
    {
        var first = LinkSchedule.Next(MegabytePerSecond, 0, double.NegativeInfinity, 1000);   // free at 1
        var later = LinkSchedule.Next(MegabytePerSecond, 5, first.FreeMs, 1000);
        Assert.Equal(new LinkRelease(5, 6, 8), later);
    }

    [Fact]
    public void Unlimited_bandwidth_adds_only_the_latency_and_no_profile_adds_nothing()
    {
        Assert.Equal(new LinkRelease(7, 7, 7.5), LinkSchedule.Next(new LinkProfile(0.5, 0), 7, 6.9, 1_000_000));
        Assert.Equal(new LinkRelease(7, 7, 7), LinkSchedule.Next(LinkProfile.None, 7, double.NegativeInfinity, 123));
        Assert.False(LinkProfile.None.IsActive);
        Assert.True(new LinkProfile(0, 1).IsActive);
    }

    [Fact]
    public void The_sample_rate_bound_is_bandwidth_over_bytes_per_sample()
    {
        // 100 Mbit/s = 12.5 MB/s over 2500 B per sample: 5000 samples/s.
        Assert.Equal(5000, LinkSchedule.SampleRateBound(new LinkProfile(0, 12.5e6), 2500));
        Assert.Equal(double.PositiveInfinity, LinkSchedule.SampleRateBound(new LinkProfile(1, 0), 2500));
    }

    [Fact]
    public void Negative_sizes_and_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkSchedule.Next(MegabytePerSecond, 0, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkProfile(-1, 0).Validated());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkProfile(0, double.NaN).Validated());
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("500us", 0.5)]
    [InlineData("1ms", 1)]
    [InlineData("10 ms", 10)]
    [InlineData("2.5s", 2500)]
    [InlineData("250ns", 0.00025)]
    public void Durations_parse_to_milliseconds(string text, double ms) => Assert.Equal(ms, LinkUnits.ParseDurationMs(text), 12);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("100Mbit", 12.5e6)]
    [InlineData("1Gbit", 125e6)]
    [InlineData("1Gbit/s", 125e6)]
    [InlineData("100Mbps", 12.5e6)]
    [InlineData("10MB/s", 10e6)]
    [InlineData("64kbit", 8000)]
    [InlineData("1500B", 1500)]
    public void Rates_parse_to_bytes_per_second(string text, double bytesPerSecond) => Assert.Equal(bytesPerSecond, LinkUnits.ParseRateBytesPerSecond(text), 6);

    [Theory]
    [InlineData("5")]
    [InlineData("5 parsecs")]
    [InlineData("-1ms")]
    [InlineData("ms")]
    [InlineData("")]
    public void Bad_durations_are_refused_with_the_text(string text)
    {
        var e = Assert.Throws<FormatException>(() => LinkUnits.ParseDurationMs(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("100Mb")]
    [InlineData("fast")]
    public void Bad_rates_are_refused_with_the_text(string text)
    {
        var e = Assert.Throws<FormatException>(() => LinkUnits.ParseRateBytesPerSecond(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Profiles_describe_themselves_in_the_units_links_are_sold_in()
    {
        Assert.Equal("latency 500 us, bandwidth 100 Mbit/s", new LinkProfile(0.5, 12.5e6).Describe());
        Assert.Equal("latency 0, bandwidth 1 Gbit/s", new LinkProfile(0, 125e6).Describe());
        Assert.Equal("latency 10 ms, bandwidth unlimited", new LinkProfile(10, 0).Describe());
        Assert.Equal("none", LinkProfile.None.Describe());
    }
}
