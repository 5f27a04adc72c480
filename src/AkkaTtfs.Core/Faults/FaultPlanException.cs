namespace AkkaTtfs.Core.Faults;

/// <summary>
/// A fault plan that cannot run: bad JSON, an unknown kind, a rate outside [0, 1], a layer the model does
/// not have, a bad schedule. The message names the entry (its index in <c>faults</c>) and the field.
/// It is an <see cref="ArgumentException"/>, so every caller that reports bad input reports it too.
/// </summary>
public sealed class FaultPlanException : ArgumentException
{
    public FaultPlanException(string message, int? entryIndex = null, string? field = null)
        : base(Compose(message, entryIndex, field))
    {
        EntryIndex = entryIndex;
        Field = field;
        Reason = message;
    }

    public FaultPlanException()
    {
    }

    public FaultPlanException(string message)
        : base(message)
    {
    }

    public FaultPlanException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The same error, with the file it came from in front of the message.</summary>
    internal FaultPlanException(string path, FaultPlanException inner)
        : base($"{path}: {inner.Message}", inner)
    {
        EntryIndex = inner.EntryIndex;
        Field = inner.Field;
        Reason = inner.Reason;
    }

    /// <summary>Index of the offending entry in the plan's <c>faults</c> list; null for the plan as a whole.</summary>
    public int? EntryIndex { get; }

    /// <summary>The offending field (e.g. <c>rate</c>), if one.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the entry and field in front (for callers that name them their own way).</summary>
    public string? Reason { get; }

    private static string Compose(string message, int? entry, string? field)
    {
        var where = entry is { } e ? $"fault plan entry {e} (faults[{e}])" : "fault plan";
        return field is null ? $"{where}: {message}" : $"{where}, field '{field}': {message}";
    }
}
