namespace AkkaTtfs.App;

/// <summary>The statistics the reports use; one definition each.</summary>
public static class Statistics
{
    /// <summary>The median: the middle value, or the mean of the two middle values of an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("the median of no values", nameof(values));
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// The <paramref name="p"/>-th percentile (0..100) by linear interpolation between closest ranks (the median is the 50th):
    /// rank = p / 100 x (n - 1) over the sorted values.
    /// </summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(p >= 0 && p <= 100)) throw new ArgumentOutOfRangeException(nameof(p), p, "a percentile is between 0 and 100");
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("the percentile of no values", nameof(values));
        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }
}
