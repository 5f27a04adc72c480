namespace AkkaTtfs.Core.Data;

/// <summary>A dataset name or folder that cannot be resolved to data files; the message says what was looked for and where.</summary>
public sealed class DatasetNotFoundException : IOException
{
    public DatasetNotFoundException()
    {
    }

    public DatasetNotFoundException(string message)
        : base(message)
    {
    }

    public DatasetNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
