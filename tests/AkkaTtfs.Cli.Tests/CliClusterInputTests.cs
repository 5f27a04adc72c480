using System.Net;
using System.Net.Sockets;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// Issue 14, the cluster's inputs: a --config file Akka would misread, or whose values would crash a node, is refused at
/// start with one line naming the file and the line (simulate, run, node); a port in use is one line, no stack trace.
/// </summary>
public sealed class CliClusterInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Files and folders of the temp folder other than the inputs the tests made.</summary>
    private string[] Leftovers() =>
        Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Where(n => !n!.EndsWith(".safetensors", StringComparison.Ordinal) && !n.EndsWith(".conf", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray()!;

    [Theory]
    [InlineData("akka {\n  remote {\n", "line 2: the '{' opened here is never closed")]
    [InlineData("akka.cluster.roles = [a, b\n", "line 1: the '[' opened here is never closed")]
    [InlineData("{{{{ ]]]\n", "line 1: ']' cannot close the '{'")]
    [InlineData("akka.remote.dot-netty.tcp.port = \"abc\"\n", "line 1: akka.remote.dot-netty.tcp.port is \"abc\"")]
    [InlineData("# port\nakka.remote.dot-netty.tcp {\n  port = 99999\n}\n", "line 3: akka.remote.dot-netty.tcp.port is \"99999\"")]
    [InlineData("a = 1\n\u0000\u0001\u0002binary\n", "line 2: a control character")]
    public void Simulate_refuses_a_config_file_akka_would_misread_naming_the_file_and_line(string text, string expected)
    {
        var config = _temp.File("bad.conf");
        File.WriteAllText(config, text);
        var report = _temp.File("report.json");
        var run = CliProcess.Run("simulate", "--model", CliAssert.RandomModelFile(_temp, "d20-d10"), "--limit", "5", "--nodes", "1", "--config", config, "--report", report);
        CliAssert.Refused(run, $"cluster config file '{config}', {expected}");
        Assert.DoesNotContain("simulating", run.StdErr, StringComparison.Ordinal);
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void A_config_file_of_binary_junk_is_refused_naming_the_place()
    {
        var config = _temp.File("junk.conf");
        File.WriteAllBytes(config, [(byte)'a', (byte)'\n', 0xFF, 0xFE, 0x00, 0x80]);
        var run = CliProcess.Run("simulate", "--model", CliAssert.RandomModelFile(_temp, "d20-d10"), "--limit", "5", "--nodes", "1", "--config", config);
        CliAssert.Refused(run, $"cluster config file {config}: is not UTF-8 text (invalid bytes at offset 2, line 2)");
    }

    [Theory]
    [InlineData("{{{{ ]]]\n", "line 1: ']' cannot close the '{'")]
    [InlineData("akka.remote.dot-netty.tcp.port = 99999\n", "line 1: akka.remote.dot-netty.tcp.port is \"99999\"")]
    public void Node_refuses_a_bad_config_file_before_it_starts(string text, string expected)
    {
        var config = _temp.File("node.conf");
        File.WriteAllText(config, text);
        // A node that accepted the file would run until stopped: the timeout turns that into a failure.
        var run = CliProcess.Run(TimeSpan.FromMinutes(1), "node", "--port", "0", "--config", config);
        CliAssert.Refused(run, $"cluster config file '{config}', {expected}");
    }

    [Fact]
    public void A_port_in_use_is_one_line_without_a_stack_trace()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var simulate = CliProcess.Run("simulate", "--model", CliAssert.RandomModelFile(_temp, "d20-d10"), "--limit", "5", "--nodes", "1", "--port", port);
        CliAssert.Refused(simulate, $"cannot listen on 127.0.0.1:{port}: the port is already in use");
        Assert.DoesNotContain("Exception", simulate.StdErr, StringComparison.Ordinal);

        // A node logs its start at INFO level; the bind failure itself is still one line, without Akka's trace.
        var node = CliProcess.Run(TimeSpan.FromMinutes(1), "node", "--port", port);
        Assert.True(node.ExitCode == 2, node.ToString());
        Assert.Contains($"error: cannot listen on 127.0.0.1:{port}: the port is already in use", node.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("SocketException", node.StdErr, StringComparison.Ordinal);
    }
}
