using System.Globalization;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// An emulated interconnect for cross-node links: a one-way latency and a bandwidth. Zero means none (no
/// latency, unlimited bandwidth); <see cref="None"/> leaves every link as it is.
/// </summary>
/// <param name="LatencyMs">One-way delay added to every message, in milliseconds.</param>
/// <param name="BytesPerSecond">The link's rate; 0 = unlimited.</param>
public sealed record LinkProfile(double LatencyMs, double BytesPerSecond)
{
    public static LinkProfile None { get; } = new(0, 0);

    /// <summary>True when the profile delays anything.</summary>
    public bool IsActive => LatencyMs > 0 || BytesPerSecond > 0;

    /// <summary>Checks the values: finite and not negative.</summary>
    public LinkProfile Validated()
    {
        if (!double.IsFinite(LatencyMs) || LatencyMs < 0) throw new ArgumentOutOfRangeException(nameof(LatencyMs), LatencyMs, "the link latency must be finite and >= 0 ms");
        if (!double.IsFinite(BytesPerSecond) || BytesPerSecond < 0)
            throw new ArgumentOutOfRangeException(nameof(BytesPerSecond), BytesPerSecond, "the link bandwidth must be finite and >= 0 B/s (0 = unlimited)");
        return this;
    }

    /// <summary>"1 ms, 100 Mbit/s", "none".</summary>
    public string Describe() => IsActive
        ? $"latency {LinkUnits.FormatDuration(LatencyMs)}, bandwidth {(BytesPerSecond > 0 ? LinkUnits.FormatRate(BytesPerSecond) : "unlimited")}"
        : "none";
}

/// <summary>When one message leaves and arrives on an emulated link.</summary>
/// <param name="StartMs">When its first byte goes on the link: when it was sent, or when the link finished the message before.</param>
/// <param name="FreeMs">When its last byte is on the link; the next message starts no earlier (the link's new release time).</param>
/// <param name="DeliverMs">When it arrives in full: <paramref name="FreeMs"/> plus the latency.</param>
public readonly record struct LinkRelease(double StartMs, double FreeMs, double DeliverMs);

/// <summary>
/// The delay policy of an emulated link, pure and deterministic: a first-in first-out link that puts
/// <c>bytes / bandwidth</c> of transmission time on every message, one message after the other (a token bucket
/// with no burst: the bucket never holds more than the message being sent), then adds the latency. So n
/// messages of b bytes sent at once arrive, the last one, after n·b/bandwidth + latency, never sooner: the link
/// is a bound on throughput, not an average. Messages keep their order on a link.
/// </summary>
public static class LinkSchedule
{
    /// <summary>The release of a message of <paramref name="bytes"/> sent at <paramref name="nowMs"/> on a link last free at <paramref name="linkFreeMs"/>.</summary>
    public static LinkRelease Next(LinkProfile profile, double nowMs, double linkFreeMs, long bytes)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var start = Math.Max(nowMs, linkFreeMs);
        var transmit = profile.BytesPerSecond > 0 ? bytes * 1000.0 / profile.BytesPerSecond : 0;
        var free = start + transmit;
        return new LinkRelease(start, free, free + profile.LatencyMs);
    }

    /// <summary>
    /// The best samples/s a run can reach when its cross-node bytes go through one such link: bandwidth over the
    /// bytes each sample puts on the busiest link; infinite when the bandwidth is unlimited or nothing crosses.
    /// </summary>
    public static double SampleRateBound(LinkProfile profile, double bytesPerSampleOnBusiestLink)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.BytesPerSecond <= 0 || bytesPerSampleOnBusiestLink <= 0 ? double.PositiveInfinity : profile.BytesPerSecond / bytesPerSampleOnBusiestLink;
    }
}

/// <summary>Reads and writes the link options' quantities: durations (0, 500us, 1ms, 2.5s) and rates (0, 100Mbit, 1Gbit/s, 10MB/s).</summary>
public static class LinkUnits
{
    private static readonly (string Suffix, double Ms)[] Durations =
        [("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000)];

    // Decimal prefixes (network rates are decimal); "bit" counts bits, "B" bytes.
    private static readonly (string Suffix, double BytesPerSecond)[] Rates =
    [
        ("kbit", 1e3 / 8), ("Mbit", 1e6 / 8), ("Gbit", 1e9 / 8), ("bit", 1.0 / 8),
        ("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("B", 1),
    ];

    /// <summary>Milliseconds of a duration such as 0, 500us, 1ms, 2.5s (a unit is required unless the value is 0).</summary>
    public static double ParseDurationMs(string text)
    {
        var (number, unit) = Split(text, "duration", "0, 500us, 1ms, 10ms, 1s");
        if (unit.Length == 0)
        {
            return number == 0 ? 0 : throw new FormatException($"'{text}' has no unit; write e.g. {number.ToString(CultureInfo.InvariantCulture)}ms (units: ns, us, ms, s)");
        }

        foreach (var (suffix, ms) in Durations)
        {
            if (string.Equals(unit, suffix, StringComparison.Ordinal)) return number * ms;
        }

        throw new FormatException($"'{text}' has an unknown duration unit '{unit}'; use ns, us, ms or s (e.g. 500us, 1ms)");
    }

    /// <summary>Bytes per second of a rate such as 0, 100Mbit, 1Gbit/s, 10MB/s, 1.5GB (decimal prefixes; bit or B).</summary>
    public static double ParseRateBytesPerSecond(string text)
    {
        var (number, unit) = Split(text, "rate", "0, 100Mbit, 1Gbit, 10MB/s");
        if (unit.EndsWith("/s", StringComparison.Ordinal)) unit = unit[..^2];
        else if (unit.EndsWith("ps", StringComparison.Ordinal)) unit = unit[..^2] + (unit.Length > 2 && unit[^3] == 'B' ? "" : "it");   // 100Mbps, 10MBps
        if (unit.Length == 0)
        {
            return number == 0 ? 0 : throw new FormatException($"'{text}' has no unit; write e.g. {number.ToString(CultureInfo.InvariantCulture)}Mbit or {number.ToString(CultureInfo.InvariantCulture)}MB/s");
        }

        foreach (var (suffix, rate) in Rates)
        {
            if (string.Equals(unit, suffix, StringComparison.Ordinal)) return number * rate;
        }

        throw new FormatException($"'{text}' has an unknown rate unit '{unit}'; use kbit, Mbit, Gbit (bits per second) or kB, MB, GB (bytes per second), e.g. 100Mbit or 10MB/s");
    }

    /// <summary>"500 us", "1 ms", "2.5 s", "0".</summary>
    public static string FormatDuration(double ms) => ms switch
    {
        0 => "0",
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:0.###} us"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{ms:0.###} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.###} s"),
    };

    /// <summary>"100 Mbit/s", "1 Gbit/s", "0" (in bits: how links are sold).</summary>
    public static string FormatRate(double bytesPerSecond)
    {
        var bits = bytesPerSecond * 8;
        return bits switch
        {
            0 => "0",
            >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bits / 1e9:0.###} Gbit/s"),
            >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bits / 1e6:0.###} Mbit/s"),
            >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{bits / 1e3:0.###} kbit/s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bits:0.###} bit/s"),
        };
    }

    private static (double Number, string Unit) Split(string text, string what, string examples)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (end == 0 || !double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            throw new FormatException($"'{text}' is not a {what}; expected a non-negative number and a unit, e.g. {examples}");
        return (number, s[end..].Trim());
    }
}
