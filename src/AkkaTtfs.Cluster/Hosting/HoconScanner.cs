namespace AkkaTtfs.Cluster.Hosting;

/// <summary>A problem in a HOCON text: the 1-based line and what is wrong there.</summary>
public sealed record HoconProblem(int Line, string Message);

/// <summary>
/// The lexical checks Akka's HOCON parser skips (it reads <c>a { b = 1</c> as if closed, and <c>{{{{ ]]]</c> as an empty
/// config): every <c>{</c> and <c>[</c> closed by its own kind, every quoted string and <c>${...}</c> substitution closed,
/// no control character outside a string. Comments (<c>#</c>, <c>//</c>) and the insides of strings are skipped.
/// </summary>
public static class HoconScanner
{
    /// <summary>The first problem of <paramref name="text"/>, or null.</summary>
    public static HoconProblem? FirstProblem(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    i++;
                    continue;
                case '#':
                    i = EndOfLine(text, i);
                    continue;
                case '/' when At(text, i + 1, '/'):
                    i = EndOfLine(text, i);
                    continue;
                case '"' when At(text, i + 1, '"') && At(text, i + 2, '"'):
                {
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return new(line, "a \"\"\" string starts here and is never closed");
                    line += Count(text, i, end, '\n');
                    i = end + 3;
                    while (At(text, i, '"')) i++;     // """a"""" ends with the last three quotes
                    continue;
                }

                case '"':
                {
                    var end = ClosingQuote(text, i + 1);
                    if (end < 0) return new(line, "a quoted string is not closed on its line");
                    i = end + 1;
                    continue;
                }

                case '$' when At(text, i + 1, '{'):
                {
                    var end = text.IndexOf('}', i + 2);
                    var lineEnd = EndOfLine(text, i);
                    if (end < 0 || end > lineEnd) return new(line, "a substitution ${...} is not closed on its line");
                    i = end + 1;
                    continue;
                }

                case '{' or '[':
                    open.Push((c, line));
                    i++;
                    continue;
                case '}' or ']':
                {
                    if (open.Count == 0) return new(line, $"'{c}' closes nothing (no '{Opening(c)}' is open)");
                    var (bracket, openedOn) = open.Pop();
                    if (bracket != Opening(c))
                        return new(line, $"'{c}' cannot close the '{bracket}' opened on line {openedOn} (it needs '{Closing(bracket)}')");
                    i++;
                    continue;
                }

                default:
                    if (char.IsControl(c) && c is not ('\t' or '\r' or '\f' or '\v'))
                        return new(line, $"a control character (U+{(int)c:X4}) outside a string: this is not a text file of HOCON");
                    i++;
                    continue;
            }
        }

        if (open.Count > 0)
        {
            var (bracket, openedOn) = open.Pop();
            return new(openedOn, $"the '{bracket}' opened here is never closed (a '{Closing(bracket)}' is missing)");
        }

        return null;
    }

    private static bool At(string text, int index, char c) => index < text.Length && text[index] == c;

    private static int EndOfLine(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        return end < 0 ? text.Length : end;
    }

    private static int Count(string text, int from, int to, char c)
    {
        var n = 0;
        for (var k = from; k < to; k++)
        {
            if (text[k] == c) n++;
        }

        return n;
    }

    /// <summary>The index of the quote that closes a string whose text starts at <paramref name="from"/>, or -1 when the line ends first.</summary>
    private static int ClosingQuote(string text, int from)
    {
        for (var k = from; k < text.Length; k++)
        {
            switch (text[k])
            {
                case '\\':
                    k++;
                    break;
                case '"':
                    return k;
                case '\n':
                    return -1;
            }
        }

        return -1;
    }

    private static char Opening(char closing) => closing == '}' ? '{' : '[';

    private static char Closing(char opening) => opening == '{' ? '}' : ']';
}
