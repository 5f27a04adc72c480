namespace AkkaTtfs.Core.Data;

/// <summary>A training set and its test set, as loaded from one source.</summary>
public sealed record DatasetPair(Dataset Train, Dataset Test)
{
    /// <summary>Folder the pair was read from (for reports); empty when built in memory.</summary>
    public string Source { get; init; } = "";
}
