using AkkaTtfs.App;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Cli.Tests;

/// <summary>--link-latency and --link-bandwidth: parsed with units, range-checked, and a bad value refused in one line (exit 2) before any work.</summary>
public sealed class LinkOptionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Values_with_units_become_a_profile_and_zero_or_nothing_means_none()
    {
        Assert.Equal(new LinkProfile(0.5, 12.5e6), LinkOptions.Parse("500us", "100Mbit"));
        Assert.Equal(new LinkProfile(10, 10e6), LinkOptions.Parse("10ms", "10MB/s"));
        Assert.Equal(LinkProfile.None, LinkOptions.Parse(null, null));
        Assert.Equal(LinkProfile.None, LinkOptions.Parse("0", "0"));
    }

    [Theory]
    [InlineData("5", null, "--link-latency: '5' has no unit")]
    [InlineData("5 parsecs", null, "--link-latency: '5 parsecs' has an unknown duration unit 'parsecs'")]
    [InlineData("2min", null, "unknown duration unit")]
    [InlineData("61s", null, "--link-latency must be 0 or between 1 us and 60 s")]
    [InlineData("1ns", null, "--link-latency must be 0 or between 1 us and 60 s")]
    [InlineData(null, "100", "--link-bandwidth: '100' has no unit")]
    [InlineData(null, "1bit", "--link-bandwidth must be 0 or between 8 kbit/s and 10000 Gbit/s")]
    [InlineData(null, "fast", "--link-bandwidth: 'fast' is not a rate")]
    public void Bad_values_are_one_line_naming_the_option(string? latency, string? bandwidth, string expected)
    {
        var e = Assert.Throws<UsageException>(() => LinkOptions.Parse(latency, bandwidth));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("run", "--link-latency", "5 parsecs", "--link-latency: '5 parsecs'")]
    [InlineData("run", "--link-bandwidth", "1bit", "--link-bandwidth must be 0 or between")]
    [InlineData("node", "--link-bandwidth", "100", "--link-bandwidth: '100' has no unit")]
    [InlineData("node", "--link-latency", "soon", "--link-latency: 'soon' is not a duration")]
    public void The_commands_refuse_a_bad_value_before_any_work(string command, string option, string value, string expected)
    {
        var run = CliProcess.RunIn(_temp.Path, TimeSpan.FromMinutes(2), command, option, value);
        CliAssert.Refused(run, expected);
        Assert.DoesNotContain("training", run.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("node up", run.StdOut, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.File("runs")), "a refused run makes no report folder");
    }

    [Fact]
    public void Simulate_refuses_a_bad_value_for_its_cluster_engine()
    {
        var model = CliAssert.RandomModelFile(_temp, "c4k5-p2-d10");
        var run = CliProcess.RunIn(_temp.Path, TimeSpan.FromMinutes(2), "simulate", "--model", model, "--engine", "cluster", "--nodes", "2", "--link-latency", "3 fortnights");
        CliAssert.Refused(run, "--link-latency: '3 fortnights' has an unknown duration unit");
    }
}
