using Akka.Actor;
using AkkaTtfs.Cluster.Actors;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Cluster.Tests.Support;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Tests.Support;

namespace AkkaTtfs.Cluster.Tests.Security;

/// <summary>
/// Membership needs the cluster secret: nodes with it talk over mutual TLS pinned to the secret's key; a
/// stranger, with another secret or none, cannot complete a connection, so it never becomes a member, is never
/// given work and never receives a weight. Without a secret a node listens only on loopback unless --insecure.
/// </summary>
public sealed class ClusterSecretTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_same_secret_gives_the_same_key_and_another_secret_another()
    {
        var a = ClusterSecret.FromText("correct horse battery staple 1");
        Assert.Equal(a.PublicKey, ClusterSecret.FromText("  correct horse battery staple 1\n").PublicKey);
        Assert.NotEqual(a.PublicKey, ClusterSecret.FromText("correct horse battery staple 2").PublicKey);
        using var certificate = a.CreateCertificate();
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(a.PublicKey, certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.NotEqual(ClusterSecret.Generate().PublicKey, ClusterSecret.Generate().PublicKey);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_short_or_shared_secret_file_is_refused_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("akkattfs-secret-");
        try
        {
            var shortFile = Path.Combine(dir.FullName, "short");
            File.WriteAllText(shortFile, "abc");
            File.SetUnixFileMode(shortFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Contains("at least 16", Assert.Throws<ArgumentException>(() => ClusterSecret.Load(shortFile)).Message, StringComparison.Ordinal);

            var shared = Path.Combine(dir.FullName, "shared");
            File.WriteAllText(shared, ClusterSecret.NewSecretText());
            File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            var e = Assert.Throws<UnauthorizedAccessException>(() => ClusterSecret.Load(shared));
            Assert.Contains(shared, e.Message, StringComparison.Ordinal);
            Assert.Contains("chmod 600", e.Message, StringComparison.Ordinal);

            File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.NotEmpty(ClusterSecret.Load(shared).PublicKey);
            Assert.Throws<FileNotFoundException>(() => ClusterSecret.Load(Path.Combine(dir.FullName, "missing")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("10.1.2.3", false, false, true)]
    [InlineData("0.0.0.0", false, false, true)]
    [InlineData("node-a.example.org", false, false, true)]
    [InlineData("10.1.2.3", true, false, false)]
    [InlineData("10.1.2.3", false, true, false)]
    [InlineData("127.0.0.1", false, false, false)]
    [InlineData("127.0.0.2", false, false, false)]
    [InlineData("::1", false, false, false)]
    [InlineData("localhost", false, false, false)]
    public void Without_a_secret_only_loopback_is_allowed_unless_insecure(string host, bool secret, bool insecure, bool refused)
    {
        var options = new ClusterNodeOptions { Host = host, Secret = secret ? ClusterSecret.Generate() : null, Insecure = insecure };
        var config = ClusterConfig.Build(options);
        if (!refused)
        {
            ClusterConfig.CheckExposure(options, config);
            return;
        }

        var e = Assert.Throws<ClusterJoinException>(() => ClusterConfig.CheckExposure(options, config));
        Assert.Contains(host, e.Message, StringComparison.Ordinal);
        Assert.Contains("--secret-file", e.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_without_a_secret_on_a_reachable_address_does_not_start()
    {
        // Refused before the actor system exists: nothing listens.
        var e = Assert.Throws<ClusterJoinException>(() => ClusterNode.Start(InProcessCluster.TestOptions() with { Host = "0.0.0.0", Profile = NodeProfile.Seed, SeedNodes = [] }));
        Assert.Contains("--secret-file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strangers_cannot_join_and_a_run_never_reaches_them()
    {
        var secret = ClusterSecret.Generate();
        await using var cluster = await InProcessCluster.StartAsync(2, customize: (_, o) => o with { Secret = secret });
        var seed = cluster[0].SelfAddress;
        Assert.Equal("akka.ssl.tcp", seed.Protocol);

        // Two strangers: one with another secret (TLS, wrong key), one with none (plain TCP sent to the TLS port).
        await using var wrongKey = ClusterNode.Start(InProcessCluster.TestOptions() with { Secret = ClusterSecret.Generate(), SeedNodes = [seed.ToString()] });
        await using var plain = ClusterNode.Start(InProcessCluster.TestOptions() with
        {
            SeedNodes = [new Address("akka.tcp", seed.System, seed.Host, seed.Port).ToString()],
        });
        // A node whose TLS handshake with its seed fails may terminate its own actor system (Akka.Remote does so
        // on the client side, at any moment); one still running gets an agent, to show it is never given a partition.
        foreach (var stranger in new[] { wrongKey, plain })
        {
            try
            {
                ClusterRuntime.StartNodeAgent(stranger.System);
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("terminat", StringComparison.OrdinalIgnoreCase))
            {
                // Akka.Remote shuts a client down after a failed handshake; one already terminating needs no agent.
            }
        }

        // A real run on the admitted nodes while the strangers keep trying to join.
        var workers = await cluster.StartWorkersAsync();
        Assert.Equal(2, workers.Count);
        var network = ArchitectureParser.Build("d24-d10", TensorShape.Vector(12));
        var model = RandomModel.Create(network, 7);
        const int Samples = 40;
        var inputs = new float[Samples * 12];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = (i % 11) / 11f;
        var plan = PartitionPlanner.Plan(network, "2,1");
        var outcome = await ClusterRuntime.RunAsync(cluster[0].System, new RunRequest("secret-run", model, plan, inputs, Samples, new RunOptions(BatchSize: 8)), workers)
            .WaitAsync(TimeSpan.FromMinutes(2));
        ResultAssert.BitIdentical(new EventDrivenSimulator().Run(model, inputs, Samples, new SimulationOptions(8)), outcome.Result, "run beside strangers");
        Assert.All(outcome.Nodes, n => Assert.Contains(n, new[] { cluster[0].SelfAddress.ToString(), cluster[1].SelfAddress.ToString() }));

        // Neither stranger ever became a member, anywhere; neither got a partition (its agent has no child, so no weights either).
        foreach (var stranger in new[] { wrongKey, plain })
        {
            await Assert.ThrowsAsync<ClusterJoinException>(() => stranger.WaitUntilUpAsync(TimeSpan.FromSeconds(1)));
            Assert.True(stranger.Cluster.State.Members.All(m => m.Address == stranger.SelfAddress));
            Assert.True(cluster.Nodes.All(n => n.Cluster.State.Members.All(m => m.Address != stranger.SelfAddress)));
        }

        foreach (var stranger in new[] { wrongKey, plain }.Where(s => !s.System.WhenTerminated.IsCompleted)) Assert.Null(await FirstChildAsync(stranger.System));

        Assert.True(cluster.Nodes.All(n => n.Cluster.State.Members.Count == 2));
        await Eventually.UntilAsync(
            () => cluster.WarningsOf(0).Concat(cluster.WarningsOf(1)).Any(w => w.Message.ToString()!.Contains("did not prove the cluster secret", StringComparison.Ordinal)),
            Wait, "a member logged a refused TLS connection");
    }

    private static async Task<IActorRef?> FirstChildAsync(ActorSystem system)
    {
        try
        {
            return (await system.ActorSelection($"/user/{NodeAgent.Name}/*").Ask<ActorIdentity>(new Identify(0), TimeSpan.FromSeconds(5))).Subject;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }
}
