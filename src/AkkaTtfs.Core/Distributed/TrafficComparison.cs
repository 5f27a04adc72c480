using System.Globalization;

namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// Predicted against measured traffic, link by link: spikes and messages must be equal, and payload bytes too (the
/// prediction follows the codec's byte layout, so a fault-free run matches it exactly). The one comparison of a
/// prediction with a run; it names the first link that differs.
/// </summary>
public static class TrafficComparison
{
    /// <summary>Null when every link matches; else one line naming the first difference (a missing or extra link, or a count).</summary>
    public static string? FirstDifference(TrafficPrediction predicted, IReadOnlyList<LinkTraffic> measured)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(measured);
        var byLink = new Dictionary<(int, int), LinkTraffic>();
        foreach (var m in measured)
        {
            if (!byLink.TryAdd((m.SourceId, m.TargetId), m)) return $"link {Name(m.SourceId)}->{m.TargetId} is measured twice";
        }

        foreach (var p in predicted.Links)
        {
            if (!byLink.Remove((p.SourceId, p.TargetId), out var m)) return $"link {Name(p.SourceId)}->{p.TargetId} is predicted and was not measured";
            var link = $"link {Name(p.SourceId)}->{p.TargetId}";
            if (m.Spikes != p.Spikes) return Differs(link, "spikes", m.Spikes, p.Spikes);
            if (m.Messages != p.Messages) return Differs(link, "messages", m.Messages, p.Messages);
            if (m.PayloadBytes != p.PayloadBytes) return Differs(link, "payload bytes", m.PayloadBytes, p.PayloadBytes);
        }

        var extra = byLink.Keys.Order().FirstOrDefault();
        return byLink.Count == 0 ? null : $"link {Name(extra.Item1)}->{extra.Item2} was measured and is not predicted";
    }

    private static string Differs(string link, string what, long measured, long predicted) =>
        string.Create(CultureInfo.InvariantCulture, $"{link}: measured {measured} {what}, predicted {predicted}");

    private static string Name(int source) => source < 0 ? "input" : source.ToString(CultureInfo.InvariantCulture);
}
