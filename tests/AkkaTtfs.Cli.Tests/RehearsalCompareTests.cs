using System.Diagnostics;
using System.Globalization;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// The traffic comparison of samples/multi-host/rehearsal.sh (<c>--compare A B</c>, which needs neither root nor
/// namespaces) on the report of a real <c>run</c>: so the script's parsing breaks this test, not a rehearsal, when
/// the report's layout changes. The expected verdicts come from copies this test makes: the same traffic under
/// other node addresses (equal), and one number of one link changed (different). The namespace part of the
/// script needs root and creates namespaces, so it is not run here.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class RehearsalCompareTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Compare_finds_equal_traffic_under_other_addresses_and_any_changed_number_of_one_link()
    {
        var model = _temp.File("m.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "mnist-cnn", "--out", model, "--seed", "3");
        Assert.True(made.ExitCode == 0, made.ToString());
        var run = _temp.File("run");
        var ran = CliProcess.Run(TimeSpan.FromMinutes(4), "run", "--model", model, "--nodes", "2", "--partitions", "2", "--limit", "48",
            "--batch", "16", "--out", run);
        Assert.True(ran.ExitCode == 0, ran.ToString());

        var csv = File.ReadAllLines(Path.Combine(run, "links.csv"));
        var header = csv[0].Split(',');
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.True(rows.Length >= 2, "a 2-node run with 2 partitions per layer has several links");

        // links.csv names nodes by their index in report.json's nodes (the contract), never by address.
        var addresses = ReportNodes(run);
        Assert.Equal(2, addresses.Length);
        Assert.All(rows, r => Assert.All(new[] { r[Column(header, "source_node")], r[Column(header, "target_node")] },
            n => Assert.InRange(int.Parse(n, CultureInfo.InvariantCulture), -1, addresses.Length - 1)));

        // The same traffic on other hosts: every node address in report.json replaced, in the same order (placement's order).
        var moved = CopyReport(run, "moved", text => text, json =>
        {
            for (var i = 0; i < addresses.Length; i++) json = json.Replace(addresses[i], $"akka.tcp://akkattfs@10.213.7.{i + 1}:4053", StringComparison.Ordinal);
            return json;
        });
        Assert.DoesNotContain(addresses[0], File.ReadAllText(Path.Combine(moved, "report.json")), StringComparison.Ordinal);
        var equal = Compare(run, moved);
        Assert.True(equal.ExitCode == 0, equal.ToString());
        Assert.Contains($"VERDICT: EQUAL: all {rows.Length} partition links", equal.StdOut, StringComparison.Ordinal);

        // One number of one link off by one, in each counted column: the verdict is DIFFERENT and names that link.
        foreach (var column in new[] { "messages", "events", "payload_bytes" })
        {
            var row = rows.Length - 1;
            var changed = CopyReport(run, "changed-" + column, text => ChangeCell(text, row + 1, Column(header, column)));
            var differs = Compare(run, changed);
            Assert.True(differs.ExitCode == 1, $"{column}: {differs}");
            Assert.Contains("VERDICT: DIFFERENT", differs.StdOut, StringComparison.Ordinal);
            var link = $"link {rows[row][Column(header, "source")]}->{rows[row][Column(header, "target")]} ";
            Assert.Contains(differs.StdOut.Split('\n'), l => l.StartsWith("> " + link, StringComparison.Ordinal));
        }

        // A folder without links.csv is an error naming the file, not a verdict.
        var empty = _temp.File("empty");
        Directory.CreateDirectory(empty);
        var missing = Compare(run, empty);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.DoesNotContain("VERDICT", missing.StdOut, StringComparison.Ordinal);
        Assert.Contains("links.csv", missing.StdErr, StringComparison.Ordinal);
    }

    private static int Column(string[] header, string name)
    {
        var i = Array.IndexOf(header, name);
        Assert.True(i >= 0, $"links.csv has no column {name}: {string.Join(',', header)}");
        return i;
    }

    private static string ChangeCell(string csv, int line, int column)
    {
        var lines = csv.Split('\n');
        var cells = lines[line].Split(',');
        cells[column] = (long.Parse(cells[column], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        lines[line] = string.Join(',', cells);
        return string.Join('\n', lines);
    }

    /// <summary>A copy of the report folder's links.csv and report.json, rewritten by <paramref name="edit"/> and <paramref name="editJson"/>.</summary>
    private string CopyReport(string from, string name, Func<string, string> edit, Func<string, string>? editJson = null)
    {
        var to = _temp.File(name);
        Directory.CreateDirectory(to);
        File.WriteAllText(Path.Combine(to, "links.csv"), edit(File.ReadAllText(Path.Combine(from, "links.csv"))));
        var json = File.ReadAllText(Path.Combine(from, "report.json"));
        File.WriteAllText(Path.Combine(to, "report.json"), editJson is null ? json : editJson(json));
        return to;
    }

    private static string[] ReportNodes(string folder)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        return [.. json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!)];
    }

    private static CliProcess.Outcome Compare(string a, string b)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script());
        info.ArgumentList.Add("--compare");
        info.ArgumentList.Add(a);
        info.ArgumentList.Add(b);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "rehearsal.sh --compare did not finish within a minute");
            process.WaitForExit();
            return new CliProcess.Outcome(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>samples/multi-host/rehearsal.sh of the checkout the tests were built from.</summary>
    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "samples", "multi-host", "rehearsal.sh");
            if (File.Exists(script)) return script;
        }

        throw new FileNotFoundException("samples/multi-host/rehearsal.sh not found above " + AppContext.BaseDirectory);
    }
}
