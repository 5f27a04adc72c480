using System.Globalization;
using System.Text.Json;
using AkkaTtfs.App;
using AkkaTtfs.App.Files;

namespace AkkaTtfs.Cli.Tests;

/// <summary>The run folder's traffic files: written with the one CSV writer, and for a 3-node run they parse and add up to report.json.</summary>
public sealed class TrafficFilesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_csv_writer_quotes_what_rfc_4180_says_and_nothing_else()
    {
        var text = CsvWriter.ToText(["a", "b,c", "d"], csv =>
        {
            csv.Field("plain").Field("with \"quotes\"").Field("line\nbreak").EndRow();
            csv.Field(-1).Field(0.1).Ms(2.0 / 3).EndRow();
        });
        Assert.Equal("a,\"b,c\",d\nplain,\"with \"\"quotes\"\"\",\"line\nbreak\"\n-1,0.1,0.667\n", text);
        Assert.Throws<InvalidOperationException>(() => CsvWriter.ToText(["a", "b"], csv => csv.Field(1).EndRow()));
    }

    [Fact]
    public void Percentiles_interpolate_between_closest_ranks_and_the_50th_is_the_median()
    {
        double[] values = [7, 1, 3, 5];
        Assert.Equal(Statistics.Median(values), Statistics.Percentile(values, 50));
        Assert.Equal(1, Statistics.Percentile(values, 0));
        Assert.Equal(7, Statistics.Percentile(values, 100));
        Assert.Equal(5 + (0.7 * 2), Statistics.Percentile(values, 90), 12);    // rank 0.9 x 3 = 2.7 between 5 and 7
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Percentile(values, 101));
    }

    private static (string[] Header, string[][] Rows) Read(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        Assert.True(File.Exists(path), $"{file} is missing");
        var lines = File.ReadAllLines(path);
        Assert.NotEmpty(lines);
        // No field of these files needs quoting (numbers and true/false), so a split is a full parse here.
        return (lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(','))]);
    }

    private static long Sum(string[] header, string[][] rows, string column, Func<string[], bool>? where = null)
    {
        var i = Array.IndexOf(header, column);
        Assert.True(i >= 0, $"no column {column} in {string.Join(',', header)}");
        return rows.Where(r => where?.Invoke(r) ?? true).Sum(r => long.Parse(r[i], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_three_node_runs_csvs_exist_parse_and_add_up_to_the_report()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", modelPath, "--seed", "11").ExitCode);
        var folder = _temp.File("run");
        const int samples = 96, batch = 16;
        var run = CliProcess.Run(TimeSpan.FromMinutes(5), "run", "--model", modelPath, "--nodes", "3", "--partitions", "3", "--limit", $"{samples}", "--batch", $"{batch}", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var root = json.RootElement;
        var traffic = root.GetProperty("traffic");
        var batches = samples / batch;

        var (lh, links) = Read(folder, "links.csv");
        Assert.Equal("source,target,source_stage,target_stage,source_node,target_node,messages,events,payload_bytes,wire_bytes,cross_process,replay_messages,replay_events,replay_payload_bytes", string.Join(',', lh));
        var (th, timeline) = Read(folder, "timeline.csv");
        Assert.Equal("batch,attempt,source,target,source_node,target_node,cross_process,spikes,payload_bytes,wire_bytes,sent_ms,received_ms,latency_ms", string.Join(',', th));
        Assert.Equal(links.Length * batches, timeline.Length);
        Assert.Equal(Sum(lh, links, "events"), Sum(th, timeline, "spikes"));
        Assert.Equal(Sum(lh, links, "payload_bytes"), Sum(th, timeline, "payload_bytes"));
        Assert.Equal(Sum(lh, links, "wire_bytes"), Sum(th, timeline, "wire_bytes"));
        Assert.True(Sum(th, timeline, "wire_bytes") > Sum(th, timeline, "payload_bytes", r => r[6] == "true"), "the wire carries more than the payload");
        Assert.All(timeline.Where(r => r[6] == "false"), r => Assert.Equal("0", r[9]));
        Assert.All(timeline.Where(r => r[6] == "true"), r => Assert.True(long.Parse(r[9], CultureInfo.InvariantCulture) > 0));
        Assert.Contains(timeline, r => r[6] == "true");
        Assert.Equal(Sum(th, timeline, "payload_bytes") / (double)samples, traffic.GetProperty("payload_bytes_per_sample").GetDouble(), 9);
        Assert.Equal(Sum(th, timeline, "wire_bytes") / (double)samples, traffic.GetProperty("wire_bytes_per_sample").GetDouble(), 9);
        Assert.Equal(Sum(th, timeline, "payload_bytes", r => r[6] == "true"), traffic.GetProperty("cross_node_payload_bytes").GetInt64());
        Assert.Equal(Sum(lh, links, "messages"), traffic.GetProperty("messages").GetInt64());

        var (nh, nodes) = Read(folder, "matrix-nodes.csv");
        Assert.Equal("source_node,target_node,spikes,payload_bytes,wire_bytes", string.Join(',', nh));
        Assert.Equal(Sum(th, timeline, "spikes"), Sum(nh, nodes, "spikes"));
        var (mh, matrix) = Read(folder, "matrix-partitions.csv");
        Assert.Equal("source,target,spikes,payload_bytes,wire_bytes", string.Join(',', mh));
        Assert.Equal(links.Length, matrix.Length);
        Assert.Equal(Sum(th, timeline, "payload_bytes"), Sum(mh, matrix, "payload_bytes"));

        var partitions = root.GetProperty("partition_count").GetInt32();
        var (ph, partitionBatches) = Read(folder, "partition-batches.csv");
        Assert.Equal("partition,stage,batch,attempt,node,first_input_ms,last_input_ms,wait_ms,decode_ms,integrate_ms,fire_encode_ms,mailbox_delay_ms,done_ms", string.Join(',', ph));
        Assert.Equal(partitions * batches, partitionBatches.Length);
        var (sh, totals) = Read(folder, "partitions.csv");
        Assert.Equal("partition,stage,node,batches,busy_ms,wait_ms,decode_ms,integrate_ms,fire_encode_ms,mailbox_delay_ms", string.Join(',', sh));
        Assert.Equal(partitions, totals.Length);
        var (ih, inflight) = Read(folder, "inflight.csv");
        Assert.Equal("ms,batches_in_flight,completed_samples,credit_blocked", string.Join(',', ih));
        Assert.Equal(samples.ToString(CultureInfo.InvariantCulture), inflight[^1][2]);

        // Spikes per layer and step add up to the report's spikes per layer; the per-step alternative is there (the run verified).
        var (kh, steps) = Read(folder, "spike-times.csv");
        Assert.Equal("layer,step,spikes,step_messages,step_payload_bytes", string.Join(',', kh));
        var perLayer = root.GetProperty("spikes_per_sample_per_layer").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        foreach (var l in steps.Select(r => r[0]).Distinct())
            Assert.Equal(perLayer[int.Parse(l, CultureInfo.InvariantCulture)] * samples, Sum(kh, steps, "spikes", r => r[0] == l), 6);

        Assert.All(steps, r => Assert.NotEqual("", r[3]));
        Assert.Equal(3, traffic.GetProperty("clock_offsets").GetArrayLength());
        Assert.True(traffic.GetProperty("latency_ms").GetProperty("p99").GetDouble() >= traffic.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        Assert.Equal(0, traffic.GetProperty("replays").GetProperty("messages").GetInt64());

        // Node columns are indices into report.json's nodes (TRAFFIC-FILES.md), as placed in partition_nodes; no partition moved here.
        var nodeCount = root.GetProperty("nodes").GetArrayLength();
        Assert.Equal(3, nodeCount);
        var nodeOf = root.GetProperty("partition_nodes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        AssertNodeColumns(lh, links, "source", "source_node", nodeOf, nodeCount);
        AssertNodeColumns(lh, links, "target", "target_node", nodeOf, nodeCount);
        AssertNodeColumns(th, timeline, "source", "source_node", nodeOf, nodeCount);
        AssertNodeColumns(th, timeline, "target", "target_node", nodeOf, nodeCount);
        AssertNodeColumns(ph, partitionBatches, "partition", "node", nodeOf, nodeCount);
        AssertNodeColumns(sh, totals, "partition", "node", nodeOf, nodeCount);
        Assert.All(nodes, r => Assert.All(r[..2], n => Assert.InRange(int.Parse(n, CultureInfo.InvariantCulture), -1, nodeCount - 1)));
        // The injector's node: the same in links.csv (the collector's count) and timeline.csv (the trace), one value for every input link.
        var injector = links.Where(r => r[0] == "-1").Select(r => r[4]).Distinct().ToArray();
        Assert.Single(injector);
        Assert.All(timeline.Where(r => r[2] == "-1"), r => Assert.Equal(injector[0], r[4]));
        // A link crosses processes exactly when its two nodes differ (every embedded node is its own actor system).
        Assert.All(links, r => Assert.Equal(r[4] != r[5] ? "true" : "false", r[10]));
    }

    /// <summary>Every row's node is the node report.json placed its partition on; the injector (partition -1) is on a node or -1.</summary>
    private static void AssertNodeColumns(string[] header, string[][] rows, string partitionColumn, string nodeColumn, int[] nodeOf, int nodeCount)
    {
        var p = Array.IndexOf(header, partitionColumn);
        var n = Array.IndexOf(header, nodeColumn);
        Assert.True(p >= 0 && n >= 0, $"no column {partitionColumn} or {nodeColumn} in {string.Join(',', header)}");
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.True(int.TryParse(row[n], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var node), $"{nodeColumn} '{row[n]}' is not a node index");
            var partition = int.Parse(row[p], CultureInfo.InvariantCulture);
            if (partition < 0) Assert.InRange(node, -1, nodeCount - 1);
            else Assert.Equal(nodeOf[partition], node);
        }
    }

    [Fact]
    public void Simulate_on_the_cluster_writes_the_same_run_folder_and_refuses_out_without_the_cluster()
    {
        var modelPath = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "mlp", "--out", modelPath, "--seed", "5").ExitCode);
        var folder = _temp.File("sim");
        var sim = CliProcess.Run(TimeSpan.FromMinutes(4), "simulate", "--model", modelPath, "--nodes", "3", "--partitions", "2", "--limit", "40", "--batch", "8", "--out", folder);
        Assert.True(sim.ExitCode == 0, sim.ToString());
        foreach (var file in new[] { "report.json", "predictions.csv", TrafficFiles.Links, TrafficFiles.Timeline, TrafficFiles.PartitionBatches, TrafficFiles.Partitions,
                     TrafficFiles.InFlight, TrafficFiles.SpikeTimes, TrafficFiles.MatrixPartitions, TrafficFiles.MatrixNodes })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing");
        var (lh, links) = Read(folder, TrafficFiles.Links);
        var (th, timeline) = Read(folder, TrafficFiles.Timeline);
        Assert.Equal(links.Length * 5, timeline.Length);
        Assert.Equal(Sum(lh, links, "events"), Sum(th, timeline, "spikes"));

        var other = _temp.File("not-cluster");
        var refused = CliProcess.Run("simulate", "--model", modelPath, "--limit", "4", "--out", other);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--out", refused.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(other));
    }
}
