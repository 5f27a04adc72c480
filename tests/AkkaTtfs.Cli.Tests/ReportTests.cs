using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AkkaTtfs.App.Reporting;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// <c>akkattfs report</c>: pages and plots read back from run folders written here from known numbers (so the
/// expected values do not come from the code under test), and from a real small <c>run</c>.
/// </summary>
public sealed partial class ReportTests : IDisposable
{
    private const string Hostile = "<script>alert(\"x\")</script>&";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_fully_instrumented_run_gets_every_section_every_plot_and_its_numbers_back()
    {
        var folder = RunFixture.Write(_temp.File("full"), instrumented: true);
        var run = CliProcess.Run("report", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("87.00 %", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("12.5 ms", run.StdOut, StringComparison.Ordinal);

        var page = File.ReadAllText(Path.Combine(folder, "index.html"));
        foreach (var id in new[] { "summary", "layer-spikes", "config", "placement", "link-emulation", "resources", "model", "machine", "traffic", "heatmaps", "spike-times",
                     "timeline", "partitions", "latency", "inflight", "recovery", "files" })
            Assert.Contains($"<section id=\"{id}\">", page, StringComparison.Ordinal);

        // The numbers the fixture wrote, formatted as the page promises.
        Assert.Equal("87.00 %", Cell(page, "accuracy"));
        Assert.Equal("250.0 samples/s", Cell(page, "throughput"));
        Assert.Equal("2000.5 B", Cell(page, "bytes_per_sample"));
        Assert.Equal("123,456 B", Cell(page, "cross_node_bytes"));
        Assert.Equal("42.0 %", Cell(page, "cross_node_share"));
        Assert.Equal("1.5 ms", Cell(page, "latency_p50"));
        Assert.Equal("7.25 ms", Cell(page, "latency_p99"));
        Assert.Equal("12.5 ms", Cell(page, "batch_latency_p50"));
        Assert.Equal("30 ms", Cell(page, "batch_latency_p99"));
        Assert.Contains("<td class=\"num\">12.5</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">3.25</td>", page, StringComparison.Ordinal);
        Assert.Contains("40.5", page, StringComparison.Ordinal);      // partitions.csv busy_ms, as a table

        // The setup the fixture recorded: 123,456 measured against 120,000 predicted is 3,456 B (2.88 %) more; 120,000 is 40 % fewer than the balanced 200,000.
        Assert.Equal("traffic", Cell(page, "placement_strategy"));
        Assert.Equal("123,456 B", Cell(page, "cross_node_measured"));
        Assert.Equal("120,000 B", Cell(page, "cross_node_predicted"));
        Assert.Equal("+3,456 B (+2.88 %)", Cell(page, "cross_node_error"));
        Assert.Equal("200,000 B; this placement: 40 % fewer", Cell(page, "cross_node_balanced"));
        Assert.Equal("1 ms", Cell(page, "link_latency"));
        Assert.Equal("100 Mbit/s (12,500,000 B/s)", Cell(page, "link_bandwidth"));
        Assert.Equal("every cross-node link", Cell(page, "link_scope"));
        Assert.Equal("0.5 s", Cell(page, "deploy_seconds"));
        Assert.Equal("0.4 s", Cell(page, "run_time"));
        Assert.Equal("coordinator and 2 embedded node(s)", Cell(page, "memory_process"));
        Assert.Equal("191 MB", Cell(page, "memory_peak"));
        Assert.Equal("127 MB", Cell(page, "memory_heap"));
        Assert.Matches(@"<th>workers peak megabytes</th><td>55</td>", page);     // a memory member the page does not know, shown as recorded
        // Each worker node's own report, after deploy and at the end (a node that did not answer says so).
        Assert.Contains("node akka.tcp://akkattfs@10.0.0.2:4053 (pid 4242)</th><td>237 MB / 241 MB</td>", page);
        Assert.Contains("node akka.tcp://akkattfs@10.0.0.3:4053 (pid 4343)</th><td>not reported / not reported</td>", page);
        Assert.Equal("2", Cell(page, "machine_cores"));
        Assert.Equal("37.29 34.53 33.84", Cell(page, "machine_load"));
        Assert.Equal("10.0.12", Cell(page, "machine_dotnet"));
        Assert.Contains("loaded past its 2 cores", page, StringComparison.Ordinal);

        // Every plot the contract's files allow: embedded, decodable PNGs of the promised size, also on disk.
        var images = Images(page);
        string[] expectedPlots = ["partitions-spikes", "partitions-bytes", "nodes-spikes", "nodes-bytes", "spike-times-layer-0", "spike-times-layer-1",
            "timeline", "link-latency", "inflight", "message-sizes"];
        Assert.Equal(expectedPlots.Length, images.Count);
        foreach (var png in images) AssertPng(png);
        foreach (var name in expectedPlots)
        {
            var file = Path.Combine(folder, "plots", name + ".png");
            Assert.True(new FileInfo(file).Length > 5_000, $"{file} is a real picture, not an empty frame");
            AssertPng(File.ReadAllBytes(file));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "plots"), "*.tmp"));
        Assert.DoesNotMatch(@"(src|href)=""(http|//)", page);      // nothing fetched: the page works offline
    }

    [Fact]
    public void Every_value_the_page_prints_is_escaped()
    {
        var folder = RunFixture.Write(_temp.File("hostile"), instrumented: true, hostile: true);
        var run = CliProcess.Run("report", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        var page = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;", page, StringComparison.Ordinal);

        var other = RunFixture.Write(_temp.File("plain"), instrumented: false);
        var compare = _temp.File("compare.html");
        Assert.Equal(0, CliProcess.Run("report", folder, other, "--out", compare).ExitCode);
        Assert.DoesNotContain("<script", File.ReadAllText(compare), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_run_with_only_report_json_and_links_says_what_it_did_not_record_and_computes_the_rest_from_links()
    {
        var folder = RunFixture.Write(_temp.File("old"), instrumented: false);
        var run = CliProcess.Run("report", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        var page = File.ReadAllText(Path.Combine(folder, "index.html"));

        // links.csv of the fixture: 1000 + 3000 + 6000 payload bytes over 100 samples; of the partition links,
        // 0->1 (3000 B) crosses nodes and 1->1 (6000 B) does not: 3000 of 9000 bytes.
        Assert.Equal("100.0 B", Cell(page, "bytes_per_sample"));
        Assert.Equal("3,000 B", Cell(page, "cross_node_bytes"));
        Assert.Equal("33.3 %", Cell(page, "cross_node_share"));
        Assert.Equal(RunFolder.NotRecorded, Cell(page, "batch_latency_p50"));
        Assert.Equal(RunFolder.NotRecorded, Cell(page, "trained_by"));
        Assert.Equal(RunFolder.NotRecorded, Cell(page, "memory_peak"));
        Assert.Matches(@"<section id=""placement"">\s*<h2>[^<]*</h2>\s*<p class=""missing"">not recorded in this run</p>", page);
        Assert.Matches(@"<section id=""link-emulation"">\s*<h2>[^<]*</h2>\s*<p class=""missing"">none: ", page);
        Assert.Matches(@"<section id=""machine"">\s*<h2>[^<]*</h2>\s*<p class=""missing"">not recorded in this run</p>", page);
        Assert.Contains("not recorded in this run", run.StdOut, StringComparison.Ordinal);

        // Heatmaps come from links.csv; the time plots are missing and say so.
        Assert.Equal(4, Images(page).Count);
        Assert.True(File.Exists(Path.Combine(folder, "plots", "nodes-bytes.png")));
        Assert.False(File.Exists(Path.Combine(folder, "plots", "timeline.png")));
        Assert.Matches(@"<h3>Partition timeline</h3>\s*<p class=""missing"">not recorded in this run</p>", page);
    }

    [Fact]
    public void A_missing_folder_or_an_unreadable_report_is_one_line_and_writes_nothing()
    {
        var missing = _temp.File("nope");
        var run = CliProcess.Run("report", missing);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: {missing}: no such run folder", Assert.Single(run.ErrorLines));
        Assert.False(Directory.Exists(missing));

        var broken = Directory.CreateDirectory(_temp.File("broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "report.json"), "{ \"accuracy\": ");
        run = CliProcess.Run("report", broken);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith($"error: {Path.Combine(broken, "report.json")}: not a run report", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Equal("report.json", Path.GetFileName(Assert.Single(Directory.GetFileSystemEntries(broken))));

        var empty = Directory.CreateDirectory(_temp.File("empty")).FullName;
        run = CliProcess.Run("report", empty);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("no report.json", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(empty));

        // A comparison with one bad folder writes no compare.html.
        var good = RunFixture.Write(_temp.File("good"), instrumented: false);
        var compare = _temp.File("c.html");
        run = CliProcess.Run("report", good, missing, "--out", compare);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.False(File.Exists(compare));
    }

    [Fact]
    public void A_report_that_fails_on_the_way_leaves_neither_plots_nor_a_page()
    {
        // The timeline plot cannot be written (a folder has its name): the plots drawn before it were staged and go
        // again with the set; no page, no temporary file, nothing else in plots/.
        var folder = RunFixture.Write(_temp.File("blocked"), instrumented: true);
        Directory.CreateDirectory(Path.Combine(folder, "plots", "timeline.png"));
        var run = CliProcess.Run("report", folder);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("timeline.png", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "index.html")));
        Assert.Equal(["timeline.png"], Directory.GetFileSystemEntries(Path.Combine(folder, "plots")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));

        // A page that cannot be written is refused before any plot is drawn, and the plots folder is not made.
        var other = RunFixture.Write(_temp.File("no-page"), instrumented: true);
        Directory.CreateDirectory(Path.Combine(other, "index.html"));
        run = CliProcess.Run("report", other);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("index.html", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(other, "plots")));
    }

    [Fact]
    public void Several_runs_are_compared_side_by_side_in_the_terminal_and_in_compare_html()
    {
        var a = RunFixture.Write(_temp.File("run-a"), instrumented: true);
        var b = RunFixture.Write(_temp.File("run-b"), instrumented: false, accuracy: 0.5, samplesPerSecond: 99.5);
        var compare = _temp.File("cmp.html");
        var run = CliProcess.Run("report", a, b, "--out", compare);
        Assert.True(run.ExitCode == 0, run.ToString());
        var accuracyLine = run.StdOut.Split('\n').Single(l => l.StartsWith("accuracy", StringComparison.Ordinal));
        Assert.Matches(@"87\.00 %\s+50\.00 %", accuracyLine);
        Assert.Contains("99.5", run.StdOut, StringComparison.Ordinal);

        var page = File.ReadAllText(compare);
        Assert.Contains("<th>run-a</th><th>run-b</th>", page, StringComparison.Ordinal);
        Assert.Matches(@"<td>accuracy</td><td class=""num"">87.00 %</td><td class=""num"">50.00 %</td>", page);
        Assert.Matches(@"<td>batch latency p99 \(ms\)</td><td class=""num"">30</td><td class=""missing"">not recorded in this run</td>", page);
        Assert.Matches(@"<td>layer 1 spikes per sample</td><td class=""num"">3.25</td><td class=""num"">3.25</td>", page);

        var help = CliProcess.Run("report", "--help");
        Assert.Contains("compare.html in the current folder", help.StdOut, StringComparison.Ordinal);
        Assert.True(CliProcess.Run("report", a, "--out", compare).ExitCode == 2, "--out is for comparisons only");
    }

    [Fact]
    public void The_csv_reader_follows_rfc_4180_quoting()
    {
        var t = CsvTable.Parse("t.csv", "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n3,,\"\"\n");
        Assert.Equal(["a", "b", "c"], t.Header);
        Assert.Equal(3, t.Rows.Count);
        Assert.Equal("x, y", t.Text(t.Rows[0], "b"));
        Assert.Equal("say \"hi\"", t.Text(t.Rows[0], "c"));
        Assert.Equal("two\nlines", t.Text(t.Rows[1], "b"));
        Assert.Equal("", t.Text(t.Rows[1], "c"));
        Assert.Equal("", t.Text(t.Rows[2], "b"));
        Assert.Equal(3, t.Number(t.Rows[2], "a"));
        Assert.Throws<InvalidDataException>(() => CsvTable.Parse("u.csv", "a,b\n1,\"open\n"));
        Assert.Throws<InvalidDataException>(() => CsvTable.Parse("v.csv", "a,b\n1,2,3\n"));
    }

    [Fact]
    public void The_report_of_a_real_two_node_run_shows_what_run_writes_today()
    {
        var model = _temp.File("m.safetensors");
        Assert.Equal(0, CliProcess.Run("model", "random", "--arch", "c4k5-p2-d10", "--out", model, "--seed", "3").ExitCode);
        var folder = _temp.File("real");
        var ran = CliProcess.Run("run", "--model", model, "--limit", "64", "--nodes", "2", "--partitions", "2", "--out", folder);
        Assert.True(ran.ExitCode == 0, ran.ToString());
        var run = CliProcess.Run("report", folder);
        Assert.True(run.ExitCode == 0, run.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var accuracy = json.RootElement.GetProperty("accuracy").GetDouble();
        var page = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.Equal((accuracy * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %", Cell(page, "accuracy"));
        // Bytes per sample: report.json's once the run records it, else every link's payload (links.csv) over the samples.
        var perSample = json.RootElement.GetProperty("traffic").TryGetProperty("payload_bytes_per_sample", out var recorded)
            ? recorded.GetDouble()
            : File.ReadAllLines(Path.Combine(folder, "links.csv")).Skip(1).Sum(l => long.Parse(l.Split(',')[8], CultureInfo.InvariantCulture)) / 64.0;
        Assert.Equal(perSample.ToString("0.0", CultureInfo.InvariantCulture) + " B", Cell(page, "bytes_per_sample"));
        Assert.True(Images(page).Count >= 4);
        foreach (var png in Images(page)) AssertPng(png);
    }

    /// <summary>The text of the summary cell with data-key <paramref name="key"/>, unescaped.</summary>
    private static string Cell(string page, string key)
    {
        var m = Regex.Match(page, $"<td data-key=\"{key}\"[^>]*>([^<]*)</td>");
        Assert.True(m.Success, $"no cell {key}");
        return System.Net.WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    private static List<byte[]> Images(string page) =>
        ImageSource().Matches(page).Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();

    [GeneratedRegex("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex ImageSource();

    private static void AssertPng(byte[] bytes)
    {
        Assert.True(bytes.Length > 5_000, $"a picture of {bytes.Length} bytes");
        using var bitmap = SkiaSharp.SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal((800, 500), (bitmap.Width, bitmap.Height));
        // Not one flat colour: the plot has content.
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y += 7)
        {
            for (var x = 0; x < bitmap.Width; x += 7) colours.Add((uint)bitmap.GetPixel(x, y));
        }

        Assert.True(colours.Count > 3, $"{colours.Count} colours");
    }

    /// <summary>A run folder written from known numbers, in the files of the traffic contract.</summary>
    private static class RunFixture
    {
        public static string Write(string folder, bool instrumented, bool hostile = false, double accuracy = 0.87, double samplesPerSecond = 250)
        {
            Directory.CreateDirectory(folder);
            var inv = CultureInfo.InvariantCulture;
            var node0 = hostile ? Hostile : "akka.tcp://akkattfs@10.0.0.1:4000";
            const string node1 = "akka.tcp://akkattfs@10.0.0.2:4000";
            var trained = hostile
                ? $$""", "trained_by": { "coordinator": {{JsonSerializer.Serialize(Hostile)}}, "started": "2026-12-01T10:00:00+00:00", "finished": "2026-12-01T10:01:00+00:00", "seconds": 60, "data": "mnist-10k", "architecture": "mlp", "preset": "sr-tr-tb", "epochs": 1, "seed": 1 }"""
                : "";
            var extras = instrumented
                ? """, "cross_node_payload_bytes": 123456, "cross_node_share": 0.42, "payload_bytes_per_sample": 2000.5, "wire_bytes_per_sample": 2100, "latency_ms": { "p50": 1.5, "p90": 3, "p99": 7.25, "max": 9 }, "batch_latency_ms": { "p50": 12.5, "p99": 30 }, "clock_offsets": [ { "node": 1, "offset_ms": 0.25, "uncertainty_ms": 0.05 } ], "replays": { "messages": 0, "payload_bytes": 0 }, "instrument": { "rows": 10, "note": "fixture" }"""
                : "";
            // What a newer run records about its setup: placement, link emulation, memory (with a member the typed report does not know yet), machine.
            var setup = instrumented
                ? """, "placement": { "strategy": "traffic", "partition_nodes": [0, 1], "measured_cross_node_payload_bytes": 123456, "predicted_cross_node_payload_bytes": 120000, "predicted_balanced_cross_node_payload_bytes": 200000 }, "link_emulation": { "latency_ms": 1, "bandwidth_bytes_per_second": 12500000, "mechanism": "delay stage", "scope": "every cross-node link" }, "memory": { "process": "coordinator and 2 embedded node(s)", "peak_working_set_megabytes": 190.87, "managed_heap_megabytes": 127.1, "workers_peak_megabytes": 55 }, "node_memory": [ { "node": "akka.tcp://akkattfs@10.0.0.2:4053", "process_id": 4242, "deployed": { "peak_working_set_megabytes": 236.6, "working_set_megabytes": 230, "managed_heap_megabytes": 60 }, "end": { "peak_working_set_megabytes": 241.4, "working_set_megabytes": 231, "managed_heap_megabytes": 61 } }, { "node": "akka.tcp://akkattfs@10.0.0.3:4053", "process_id": 4343, "deployed": null, "end": null } ], "machine": { "cores": 2, "os": "Debian", "dotnet": "10.0.12", "simd_width_floats": 8, "gc": "workstation concurrent", "load_average": "37.29 34.53 33.84" }"""
                : "";
            var report = string.Create(inv, $$"""
                { "schema_version": 1, "architecture": "c4k5-p2-d10", "samples": 100, "accuracy": {{accuracy}}, "spikes_per_sample": 15.75,
                  "spikes_per_sample_per_layer": [12.5, 3.25], "synops_per_sample": 1234, "energy": { "snn_nJ_per_sample": 1, "dnn_nJ_per_sample": 2, "ratio": 0.5, "e_ac_pJ": 0.9, "e_mac_pJ": 4.6, "assumption": "x" },
                  "bit_identical_to_reference": true, "partitions": "2", "partition_count": 2, "nodes": [{{JsonSerializer.Serialize(node0)}}, "{{node1}}"], "partition_nodes": [0, 1],
                  "deploy_seconds": 0.5, "run_seconds": 0.4, "samples_per_second": {{samplesPerSecond}}, "reference_seconds": 0.1,
                  "traffic": { "links": 3, "messages": 6, "spike_messages": 4, "spikes_sent": 4500, "spike_payload_bytes": 9000, "payload_bytes_per_spike": 2, "input_payload_bytes": 1000,
                    "node_pairs": [ { "from": "coordinator", "to": {{JsonSerializer.Serialize(node0)}}, "messages": 2, "events": 500, "payload_bytes": 1000 } ]{{extras}} },
                  "recovery": { "partitions_restarted": [], "batches_replayed": 0, "timeout_replays": 0, "recoveries": [], "stale_reports_dropped": 0, "runtime_faults": [] }{{trained}}{{setup}} }
                """);
            File.WriteAllText(Path.Combine(folder, "report.json"), report);

            // Today's links.csv (node names, quoted as RFC 4180 asks when a name holds a quote or comma):
            // input->0 1000 B; 0->1 3000 B across nodes; 1->1 6000 B on one node (a self-link stands for a local one).
            var q0 = "\"" + node0.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            File.WriteAllText(Path.Combine(folder, "links.csv"),
                "source,target,source_stage,target_stage,source_node,target_node,messages,events,payload_bytes\n" +
                $"-1,0,-1,0,coordinator,{q0},2,500,1000\n0,1,0,1,{q0},{node1},2,1500,3000\n1,1,1,1,{node1},{node1},2,3000,6000\n");
            if (!instrumented) return folder;

            var timeline = new StringBuilder("batch,attempt,source,target,source_node,target_node,cross_process,spikes,payload_bytes,wire_bytes,sent_ms,received_ms,latency_ms\n");
            var batches = new StringBuilder("partition,stage,batch,attempt,node,first_input_ms,last_input_ms,wait_ms,decode_ms,integrate_ms,fire_encode_ms,mailbox_delay_ms,done_ms\n");
            var inflight = new StringBuilder("ms,batches_in_flight,completed_samples,credit_blocked\n");
            for (var b = 0; b < 20; b++)
            {
                var t0 = b * 10.0;
                timeline.Append(inv, $"{b},0,-1,0,-1,0,false,{25 + b},{50 + (2 * b)},{90 + (2 * b)},{t0},{t0 + 0.5},0.5\n");
                timeline.Append(inv, $"{b},0,0,1,0,1,true,{75 + (3 * b)},{150 + (6 * b)},{200 + (6 * b)},{t0 + 2},{t0 + 3.5 + (b % 4)},{1.5 + (b % 4)}\n");
                batches.Append(inv, $"0,0,{b},0,0,{t0 + 0.5},{t0 + 0.5},0,0.2,0.8,0.3,0.1,{t0 + 1.9}\n");
                batches.Append(inv, $"1,1,{b},0,1,{t0 + 3.5},{t0 + 4.5},1,0.3,1.2,0.4,0.1,{t0 + 6.5}\n");
                inflight.Append(inv, $"{t0},{Math.Min(b + 1, 3)},{b * 5},false\n{t0 + 6.5},{Math.Min(b + 1, 3) - 1},{(b + 1) * 5},false\n");
            }

            File.WriteAllText(Path.Combine(folder, "timeline.csv"), timeline.ToString());
            File.WriteAllText(Path.Combine(folder, "partition-batches.csv"), batches.ToString());
            File.WriteAllText(Path.Combine(folder, "inflight.csv"), inflight.ToString());
            var spikeTimes = new StringBuilder("layer,step,spikes,step_messages,step_payload_bytes\n");
            for (var s = 0; s < 16; s++) spikeTimes.Append(inv, $"0,{s},{100 * (8 - Math.Abs(s - 6))},2,40\n1,{s},{30 * (s % 5)},2,40\n");
            File.WriteAllText(Path.Combine(folder, "spike-times.csv"), spikeTimes.ToString());
            File.WriteAllText(Path.Combine(folder, "partitions.csv"),
                "partition,stage,node,batches,busy_ms,wait_ms,decode_ms,integrate_ms,fire_encode_ms,mailbox_delay_ms\n0,0,0,20,26,0,4,16,6,2\n1,1,1,20,40.5,20,6,24,8,2\n");
            File.WriteAllText(Path.Combine(folder, "matrix-partitions.csv"), "source,target,spikes,payload_bytes,wire_bytes\n-1,0,500,1000,1800\n0,1,1500,3000,4000\n");
            File.WriteAllText(Path.Combine(folder, "matrix-nodes.csv"), "source_node,target_node,spikes,payload_bytes,wire_bytes\n-1,0,500,1000,1800\n0,1,1500,3000,4000\n1,1,3000,6000,0\n");
            return folder;
        }
    }
}
