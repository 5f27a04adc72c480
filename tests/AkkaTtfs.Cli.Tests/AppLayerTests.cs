using System.Text.Json;
using AkkaTtfs.App;
using AkkaTtfs.App.Reports;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Cli.Tests;

/// <summary>The application layer's shared definitions, in-process: the one median, the one result comparison, the report JSON.</summary>
public sealed class AppLayerTests
{
    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Equal(3.0, Statistics.Median([5.0, 1.0, 3.0]));
        Assert.Equal(2.5, Statistics.Median([4.0, 1.0, 2.0, 3.0]));
        Assert.Equal(7.0, Statistics.Median([7.0]));
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
    }

    [Fact]
    public void Reports_are_snake_case_json_with_a_schema_version()
    {
        var report = new SimulateReport("event", 3, 0.5, 10, [4, 6], 100, 1, 3) { SynopsPerSample = 20, ModelFile = "m", Dataset = "d" };
        using var json = JsonDocument.Parse(ReportSerializer.Serialize(report));
        var root = json.RootElement;
        Assert.Equal(ReportSerializer.SchemaVersion, root.GetProperty("schema_version").GetInt32());
        Assert.Equal("schema_version", root.EnumerateObject().First().Name);
        Assert.Equal(20, root.GetProperty("synops_per_sample").GetDouble());
        Assert.Equal(2, root.GetProperty("spikes_per_sample_per_layer").GetArrayLength());
        Assert.False(root.TryGetProperty("energy", out _));     // absent, not null, when the engine has none
    }
}
