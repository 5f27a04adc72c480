using System.Globalization;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// Fixed-point text for the printed summaries and tables, with halves rounded away from zero. The standard
/// "F1" format rounds the exact binary value (3185.95 is stored as 3185.9499..., printed 3185.9) while a
/// custom "0.0" pattern rounds the decimal text (3186.0): the summary and the fault table printed the same
/// number both ways. Everything printed goes through here so that one number reads the same everywhere.
/// </summary>
internal static class Numbers
{
    public static string Fixed(double value, int decimals)
    {
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0) rounded = 0;     // no "-0.0"
        return rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A change: "+1.5", "-0.3", "0.0".</summary>
    public static string Signed(double value, int decimals)
    {
        var text = Fixed(value, decimals);
        return Math.Round(value, decimals, MidpointRounding.AwayFromZero) > 0 ? "+" + text : text;
    }

    /// <summary>"[1.5, 0.0, 3.2]"-style lists of per-layer values.</summary>
    public static string List(IEnumerable<double> values, int decimals) => string.Join(", ", values.Select(v => Fixed(v, decimals)));
}
