using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using AkkaTtfs.Core.IO;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// Reads a user's --config file and refuses it, naming the file and the line, unless it is HOCON that Akka reads as
/// written: Akka's parser is lenient (an unterminated <c>{</c> or list, <c>{{{{ ]]]</c>, an unclosed string and a key
/// without a value all parse, to something else than the user meant), and a value of the wrong type (<c>port = "abc"</c>,
/// <c>port = 99999</c>) surfaces only when a node starts, as an exception deep inside Akka. So the text is checked
/// first (brackets, strings, substitutions, control characters), then parsed by Akka (its error position mapped to a
/// line), then the keys this program and Akka's start read (<see cref="Keys"/>) are checked for their types and ranges.
/// </summary>
public static class ConfigFileValidator
{
    /// <summary>A cluster config of more than 1 MiB is not a config (a log, a dump, /dev/zero's like).</summary>
    public const long MaxLength = 1 << 20;

    /// <summary>How deep <see cref="FirstValueless"/> looks into nested objects.</summary>
    private const int MaxDepth = 32;

    /// <summary>
    /// The keys whose values are checked: those this program reads, and those Akka reads when a node starts (a bad
    /// one would crash it there). Another key is left to Akka.
    /// </summary>
    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        ConfigKey.Integer("akka.remote.dot-netty.tcp.port", 0, 65535, "0 = any free port"),
        ConfigKey.Text("akka.remote.dot-netty.tcp.hostname"),
        ConfigKey.Text("akka.remote.dot-netty.tcp.public-hostname"),
        ConfigKey.Flag("akka.remote.dot-netty.tcp.enable-ssl"),
        ConfigKey.TextList("akka.remote.dot-netty.tcp.applied-adapters"),
        ConfigKey.Size("akka.remote.dot-netty.tcp.maximum-frame-size"),
        ConfigKey.TextList("akka.cluster.seed-nodes"),
        ConfigKey.TextList("akka.cluster.roles"),
        ConfigKey.Integer("akka.cluster.min-nr-of-members", 1, 100_000),
        ConfigKey.Positive("akka.cluster.failure-detector.threshold"),
        ConfigKey.Duration("akka.cluster.failure-detector.heartbeat-interval"),
        ConfigKey.Duration("akka.cluster.failure-detector.acceptable-heartbeat-pause"),
        ConfigKey.Duration("akka.remote.watch-failure-detector.heartbeat-interval"),
        ConfigKey.Duration("akka.remote.watch-failure-detector.acceptable-heartbeat-pause"),
        ConfigKey.Flag(Actors.PartitionActor.InProcessSpikesKey),
        ConfigKey.Flag(Actors.PartitionActor.WarmUpKey),
        ConfigKey.Choice("akka.loglevel", "OFF", "ERROR", "WARNING", "INFO", "DEBUG"),
        ConfigKey.Choice("akka.stdout-loglevel", "OFF", "ERROR", "WARNING", "INFO", "DEBUG"),
    ];

    /// <summary>
    /// The file's configuration, or a <see cref="ConfigurationException"/> whose message names the file, the line and
    /// the problem (an <see cref="InputFileException"/> when it is no regular file, is too large or is not UTF-8).
    /// </summary>
    public static Config Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var text = InputFile.ReadAllText(full, "cluster config file", MaxLength);
        return Parse(text, full);
    }

    /// <summary>Checks and parses HOCON <paramref name="text"/>; <paramref name="source"/> names it in the messages.</summary>
    public static Config Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        if (HoconScanner.FirstProblem(text) is { } problem) throw Refuse(source, problem.Line, problem.Message);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var message = ExpectedLine(e.Message);
            var position = Regex.Match(e.Message, @"at position (\d+)", RegexOptions.CultureInvariant);
            var substitution = Regex.Match(e.Message, @"substitution: (\S+)", RegexOptions.CultureInvariant);
            int? line = position.Success && int.TryParse(position.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var at)
                ? LineOf(text, at)
                : substitution.Success ? LineOf(text, Math.Max(text.IndexOf("${" + substitution.Groups[1].Value, StringComparison.Ordinal), text.IndexOf("${?" + substitution.Groups[1].Value, StringComparison.Ordinal))) : null;
            throw Refuse(source, line, $"not valid HOCON: {message}");
        }

        if (FirstValueless(config.Root, "", 0) is { } valueless)
            throw Refuse(source, LineOfKey(text, valueless), $"{valueless} has no value");
        foreach (var key in Keys)
        {
            if (key.Problem(config) is { } wrong) throw Refuse(source, LineOfKey(text, key.Path), wrong);
        }

        return config;
    }

    private static ConfigurationException Refuse(string source, int? line, string problem) =>
        new($"cluster config file '{source}'{(line is { } l ? string.Create(CultureInfo.InvariantCulture, $", line {l}") : "")}: {problem}");

    /// <summary>Akka's message up to its first line break (it goes on with the line and a caret).</summary>
    private static string ExpectedLine(string message)
    {
        var first = message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return Regex.Replace(first, @"\s*at position \d+:?", "", RegexOptions.CultureInvariant).TrimEnd(':', ' ');
    }

    private static int LineOf(string text, int position)
    {
        var end = Math.Clamp(position, 0, text.Length);
        var line = 1;
        for (var i = 0; i < end; i++)
        {
            if (text[i] == '\n') line++;
        }

        return line;
    }

    /// <summary>
    /// The line that sets <paramref name="path"/>: the last line where its last segment stands as a key (a later
    /// setting wins in HOCON); null when none does (the key came from a substitution or an include).
    /// </summary>
    private static int? LineOfKey(string text, string path)
    {
        var segment = Regex.Escape(path[(path.LastIndexOf('.') + 1)..]);
        var key = new Regex($@"(^|[\s{{.,""])""?{segment}""?\s*[:={{]", RegexOptions.CultureInvariant);
        var lines = text.Split('\n');
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            if (key.IsMatch(lines[i])) return i + 1;
        }

        return null;
    }

    /// <summary>
    /// The first key (depth first) that Akka parsed without a value (<c>a = </c> at the end, <c>= 3</c>), or null. Objects
    /// deeper than <see cref="MaxDepth"/> are not searched: a substitution can make Akka's tree refer to itself.
    /// </summary>
    private static string? FirstValueless(HoconValue? value, string prefix, int depth)
    {
        if (value is null || depth > MaxDepth) return null;
        if (!value.IsObject()) return value.Values.Count == 0 ? prefix : null;
        foreach (var item in value.GetObject().Items)
        {
            if (FirstValueless(item.Value, prefix.Length == 0 ? item.Key : $"{prefix}.{item.Key}", depth + 1) is { } found) return found;
        }

        return null;
    }

}

/// <summary>A key of a cluster config file and what its value must be (<see cref="ConfigFileValidator.Keys"/>).</summary>
public sealed class ConfigKey
{
    private readonly Func<Config, HoconValue, string?> _check;

    private ConfigKey(string path, Func<Config, HoconValue, string?> check)
    {
        Path = path;
        _check = check;
    }

    public string Path { get; }

    /// <summary>Null when the key is absent or its value fits, else one phrase naming the key, the value and what it must be.</summary>
    public string? Problem(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.HasPath(Path)) return null;
        var value = config.GetValue(Path);
        return value is null ? null : _check(config, value);
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static ConfigKey Integer(string path, long min, long max, string? why = null) => new(path, (_, v) =>
    {
        var range = string.Create(CultureInfo.InvariantCulture, $"an integer from {min} to {max}{(why is null ? "" : $" ({why})")}");
        if (Literal(v) is not { } text) return $"{path} is {Shape(v)}; it must be {range}";
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : $"{path} is {Quoted(text)}; it must be {range}";
    });

    /// <summary>A finite number > 0.</summary>
    public static ConfigKey Positive(string path) => new(path, (_, v) =>
    {
        if (Literal(v) is not { } text) return $"{path} is {Shape(v)}; it must be a number > 0";
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) && x > 0
            ? null
            : $"{path} is {Quoted(text)}; it must be a number > 0";
    });

    /// <summary>A single text (a host name).</summary>
    public static ConfigKey Text(string path) => new(path, (_, v) => Literal(v) is null ? $"{path} is {Shape(v)}; it must be a single text such as \"127.0.0.1\"" : null);

    /// <summary>on/off, true/false or yes/no.</summary>
    public static ConfigKey Flag(string path) => new(path, (_, v) =>
    {
        string[] words = ["on", "off", "true", "false", "yes", "no"];
        if (Literal(v) is not { } text) return $"{path} is {Shape(v)}; it must be on or off";
        return words.Contains(text, StringComparer.OrdinalIgnoreCase) ? null : $"{path} is {Quoted(text)}; it must be on or off (or true/false, yes/no)";
    });

    /// <summary>One of <paramref name="choices"/> (case-insensitive, as Akka reads them).</summary>
    public static ConfigKey Choice(string path, params string[] choices) => new(path, (_, v) =>
    {
        if (Literal(v) is { } text && choices.Contains(text, StringComparer.OrdinalIgnoreCase)) return null;
        return $"{path} is {(Literal(v) is { } t ? Quoted(t) : Shape(v))}; it must be one of {string.Join(", ", choices)}";
    });

    /// <summary>A list of texts, such as ["akka.tcp://akkattfs@host:4053"].</summary>
    public static ConfigKey TextList(string path) => new(path, (_, v) =>
        IsList(v) && v.GetArray().All(e => Literal(e) is not null) ? null : $"{path} is {Shape(v)}; it must be a list of texts such as [\"a\", \"b\"]");

    /// <summary>A duration such as 10s or 500ms.</summary>
    public static ConfigKey Duration(string path) => new(path, (config, v) =>
    {
        if (Literal(v) is not { } text) return $"{path} is {Shape(v)}; it must be a duration such as 10s or 500ms";
        try
        {
            return config.GetTimeSpan(path, null, allowInfinite: true) >= TimeSpan.Zero ? null : $"{path} is {Quoted(text)}; it must not be negative";
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return $"{path} is {Quoted(text)}; it must be a duration such as 10s or 500ms";
        }
    });

    /// <summary>A size in bytes > 0 such as 4MiB or 128000b.</summary>
    public static ConfigKey Size(string path) => new(path, (config, v) =>
    {
        if (Literal(v) is not { } text) return $"{path} is {Shape(v)}; it must be a size such as 4MiB";
        try
        {
            return config.GetByteSize(path) is > 0 ? null : $"{path} is {Quoted(text)}; it must be a size > 0 such as 4MiB";
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return $"{path} is {Quoted(text)}; it must be a size such as 4MiB";
        }
    });

    /// <summary>The text of a single (non-list, non-object) value; null otherwise.</summary>
    private static string? Literal(HoconValue v) => v.IsString() && !IsList(v) && !v.IsObject() ? v.GetString() : null;

    /// <summary>
    /// A list, the empty list [] too (for which Akka's IsArray says false), and a list followed by spaces before a comment
    /// (which Akka keeps as a blank text after it).
    /// </summary>
    private static bool IsList(HoconValue v) =>
        v.Values.Any(e => e.IsArray()) && v.Values.All(e => e.IsArray() || (e.IsString() && string.IsNullOrWhiteSpace(e.GetString())));

    private static string Shape(HoconValue v) => v.IsObject() ? "an object { ... }" : IsList(v) ? "a list [ ... ]" : Quoted(v.IsString() ? v.GetString() : v.ToString());

    private static string Quoted(string text) => "\"" + (text.Length > 60 ? text[..60] + "..." : text) + "\"";
}
