namespace AkkaTtfs.Cluster.Tests.Support;

/// <summary>A two-node cluster shared by the tests of one class (forming a cluster costs seconds).</summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    private InProcessCluster? _cluster;

    public InProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("the fixture did not start");

    public async Task InitializeAsync() => _cluster = await InProcessCluster.StartAsync(2);

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
