using System.CommandLine;
using System.CommandLine.Parsing;

namespace AkkaTtfs.Cli;

/// <summary>
/// One line for what the command-line parser refused, naming the option, command or value, and where
/// to read more. The parser's messages are used as the fallback; the common cases get a clearer text
/// (its "Cannot parse argument 'abc' for option '--nodes' as expected type 'System.Nullable`1[System.Int32]'"
/// names a .NET type, not what to type).
/// </summary>
internal static class ParseErrors
{
    public static string Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        var see = $" (see '{CommandPath(parse.CommandResult)} --help')";

        // An unmatched token first: it usually explains the rest ('--limt 200' leaves '200' unmatched and
        // the options it meant unset).
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-') && token.Length > 1 && !double.TryParse(token, out _))
                return $"unrecognized option '{token}'{Suggestion(token, command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)))}{see}";
            if (command.Subcommands.Count > 0 && command.Arguments.Count == 0)
                return $"unknown command '{token}'{Suggestion(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}{see}";
            return $"unexpected argument '{token}'{see}";
        }

        if (parse.Errors.Count == 0) return $"the command line could not be parsed{see}";
        var error = parse.Errors[0];
        var message = error.Message;
        var option = error.SymbolResult as OptionResult ?? error.SymbolResult?.Parent as OptionResult;
        var argument = error.SymbolResult as ArgumentResult;
        if (error.SymbolResult is CommandResult commandResult && commandResult.Command.Subcommands.Count > 0 && message.StartsWith("Required command", StringComparison.Ordinal))
            return $"no command given; one of {string.Join(", ", commandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}{see}";
        if (option is not null)
        {
            var name = option.Option.Name;
            var value = option.Tokens.Count > 0 ? option.Tokens[^1].Value : null;
            if (message.StartsWith("Cannot parse argument", StringComparison.Ordinal) && value is not null)
                return $"option '{name}' expects {Expected(option.Option.ValueType)}, got '{value}'{see}";
            if (message.Contains("Must be one of", StringComparison.Ordinal) && value is not null)
                return $"option '{name}' got '{value}'; it must be one of {Choices(message)}{see}";
            if (message.EndsWith("is required.", StringComparison.Ordinal))
                return $"option '{name}' is required{see}";
            if (message.StartsWith("Required argument missing", StringComparison.Ordinal))
                return $"option '{name}' needs a value{see}";
        }
        else if (argument is not null)
        {
            var value = argument.Tokens.Count > 0 ? argument.Tokens[^1].Value : null;
            if (message.StartsWith("Required argument missing", StringComparison.Ordinal))
                return $"missing argument <{argument.Argument.Name}>{see}";
            if (message.StartsWith("Cannot parse argument", StringComparison.Ordinal) && value is not null)
                return $"argument <{argument.Argument.Name}> expects {Expected(argument.Argument.ValueType)}, got '{value}'{see}";
        }

        return $"{Sentence(message)}{see}";
    }

    /// <summary>"akkattfs model info": what to put before --help.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c) names.Add(c.Command is RootCommand ? "akkattfs" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static string Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long) || t == typeof(short)) return "an integer";
        if (t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort)) return "an integer >= 0";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "a number";
        if (t == typeof(bool)) return "true or false";
        return $"a value of type {t.Name}";
    }

    /// <summary>The choices the parser lists one per line, quoted, after "Must be one of:".</summary>
    private static string Choices(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(", ", lines.Skip(1).Select(l => l.Trim('\'')));
    }

    /// <summary>The parser's message on one line, without the capital and the full stop of a sentence.</summary>
    private static string Sentence(string message)
    {
        var line = Commands.CliErrors.OneLine(message).TrimEnd('.');
        return line.Length > 1 && char.IsUpper(line[0]) && char.IsLower(line[1]) ? char.ToLowerInvariant(line[0]) + line[1..] : line;
    }

    /// <summary>"; did you mean '--limit'?" for a near miss (edit distance at most 2, or a prefix), else nothing.</summary>
    private static string Suggestion(string token, IEnumerable<string> candidates)
    {
        var best = candidates
            .Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: c.StartsWith(token, StringComparison.Ordinal) && token.TrimStart('-').Length >= 2 ? 1 : Distance(token, c)))
            .Where(x => x.Distance <= Math.Min(2, Math.Max(1, token.Length / 3)))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is null ? "" : $"; did you mean '{best.Name}'?";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
