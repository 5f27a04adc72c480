using Akka.Configuration;
using AkkaTtfs.Cluster.Hosting;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>
/// A user's --config file is refused, naming the file and the line, unless Akka reads it as written (issue 14): the
/// texts below all parse with Akka's lenient parser, to something other than what they say, or crash a node later.
/// </summary>
public sealed class ConfigFileValidatorTests
{
    [Theory]
    [InlineData("akka {\n  remote {\n", 2, "the '{' opened here is never closed")]
    [InlineData("a = [1, 2\n", 1, "the '[' opened here is never closed")]
    [InlineData("{{{{ ]]]\n", 1, "']' cannot close the '{' opened on line 1")]
    [InlineData("a = 1\n}\n", 2, "'}' closes nothing")]
    [InlineData("a = 1\nb = 2\nc = = = ]\n", 3, "']' closes nothing")]
    [InlineData("a = \"abc\n", 1, "a quoted string is not closed on its line")]
    [InlineData("a = 1\nb = \"\"\"abc\n", 2, "a \"\"\" string starts here and is never closed")]
    [InlineData("a = ${b\n", 1, "a substitution ${...} is not closed on its line")]
    [InlineData("a = 1\nb = \u0001\u0002\n", 2, "a control character (U+0001)")]
    [InlineData("a = 1\nb = 2\nc = ^\n", 3, "not valid HOCON: Unknown token")]
    [InlineData("x = 1\na = ${no-such-key}\n", 2, "not valid HOCON: Unresolved substitution")]
    [InlineData("a = 1\n3 = \n", 2, "3 has no value")]
    [InlineData("akka.remote.dot-netty.tcp.port = \"abc\"\n", 1, "akka.remote.dot-netty.tcp.port is \"abc\"; it must be an integer from 0 to 65535")]
    [InlineData("# a comment\nakka {\n  remote.dot-netty.tcp {\n    port = 99999\n  }\n}\n", 4, "akka.remote.dot-netty.tcp.port is \"99999\"")]
    [InlineData("akka.remote.dot-netty.tcp.port = -1\n", 1, "akka.remote.dot-netty.tcp.port is \"-1\"")]
    [InlineData("akka.remote.dot-netty.tcp.port = [4053]\n", 1, "akka.remote.dot-netty.tcp.port is a list")]
    [InlineData("akka.remote.dot-netty.tcp.hostname { a = 1 }\n", 1, "akka.remote.dot-netty.tcp.hostname is an object")]
    [InlineData("akka.remote.dot-netty.tcp.enable-ssl = maybe\n", 1, "akka.remote.dot-netty.tcp.enable-ssl is \"maybe\"; it must be on or off")]
    [InlineData("akka.cluster.seed-nodes = \"akka.tcp://akkattfs@h:1\"\n", 1, "akka.cluster.seed-nodes is \"akka.tcp://akkattfs@h:1\"; it must be a list of texts")]
    [InlineData("akka.cluster.roles = [a, {b = 1}]\n", 1, "akka.cluster.roles is a list")]
    [InlineData("akka.cluster.failure-detector.threshold = 0\n", 1, "akka.cluster.failure-detector.threshold is \"0\"; it must be a number > 0")]
    [InlineData("akka.cluster.failure-detector.acceptable-heartbeat-pause = 10 parsecs\n", 1, "it must be a duration")]
    [InlineData("akka.remote.dot-netty.tcp.maximum-frame-size = lots\n", 1, "it must be a size")]
    [InlineData("akka.loglevel = LOUD\n", 1, "akka.loglevel is \"LOUD\"; it must be one of OFF, ERROR, WARNING, INFO, DEBUG")]
    public void A_config_that_akka_would_misread_is_refused_naming_the_file_and_the_line(string text, int line, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigFileValidator.Parse(text, "/x/my.conf"));
        Assert.StartsWith($"cluster config file '/x/my.conf', line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("akka.remote.dot-netty.tcp.port = 0")]
    [InlineData("akka.remote.dot-netty.tcp.port = 65535\nakka.remote.dot-netty.tcp.hostname = \"10.0.0.1\"")]
    [InlineData("akka { remote { dot-netty.tcp { port = 4053, enable-ssl = off } } }")]
    [InlineData("akka.cluster.seed-nodes = [\"akka.tcp://akkattfs@127.0.0.1:4053\"]  # the seed\n// another comment with { and [\n")]
    [InlineData("a = \"a string with } and ] and # inside\"\nb = \"\"\"a triple-quoted\nstring { over lines\"\"\"\nc = [1, 2, {d = 3}]")]
    [InlineData("a = 1\nb = ${a}\nc = ${?NO_SUCH_VARIABLE_HERE}")]
    [InlineData("akka.cluster.failure-detector { threshold = 12.5, acceptable-heartbeat-pause = 10s, heartbeat-interval = 1 s }")]
    [InlineData("akka.remote.dot-netty.tcp.maximum-frame-size = 4MiB\nakka.loglevel = warning\nakka.cluster.roles = []")]
    [InlineData("")]
    public void A_config_that_says_what_it_means_passes(string text)
    {
        var config = ConfigFileValidator.Parse(text, "ok.conf");
        Assert.NotNull(config);
    }

    [Fact]
    public void The_values_of_a_passing_config_are_what_akka_reads()
    {
        var config = ConfigFileValidator.Parse("akka {\n  remote.dot-netty.tcp.port = 4999\n  cluster.roles = [a, \"b\"]\n}\n", "ok.conf");
        Assert.Equal(4999, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(["a", "b"], config.GetStringList("akka.cluster.roles"));
    }

    [Theory]
    [MemberData(nameof(EmbeddedFiles))]
    public void Every_embedded_file_passes_and_fails_once_a_closing_brace_is_removed(string file)
    {
        var text = ClusterConfig.ReadEmbeddedText(file);
        ConfigFileValidator.Parse(text, file);

        // The same file with its last '}' gone: the check is not vacuous on real configs.
        var last = text.LastIndexOf('}');
        if (last < 0) return;
        var broken = text.Remove(last, 1);
        var e = Assert.Throws<ConfigurationException>(() => ConfigFileValidator.Parse(broken, file));
        Assert.Contains("never closed", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> EmbeddedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in ClusterConfig.EmbeddedFiles) data.Add(f);
        return data;
    }

    [Fact]
    public void Build_refuses_a_bad_file_through_the_validator_and_names_a_missing_one()
    {
        var file = Path.Combine(Path.GetTempPath(), $"akkattfs-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "akka.remote.dot-netty.tcp.port = 99999\n");
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => ClusterConfig.Build(new ClusterNodeOptions { ConfigFile = file }));
            Assert.StartsWith($"cluster config file '{file}', line 1: ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Throws<FileNotFoundException>(() => ClusterConfig.Build(new ClusterNodeOptions { ConfigFile = file }));
    }
}
