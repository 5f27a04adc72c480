namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// A node could not listen on its address (port in use, bad host), or did not become an Up member of the cluster
/// in time, or was removed while waiting; the message names the address or the seeds.
/// </summary>
public sealed class ClusterJoinException : Exception
{
    public ClusterJoinException()
    {
    }

    public ClusterJoinException(string message)
        : base(message)
    {
    }

    public ClusterJoinException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
