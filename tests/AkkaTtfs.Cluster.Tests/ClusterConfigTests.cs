using Akka.Configuration;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Protocol;
using AkkaTtfs.Cluster.Serialization;

namespace AkkaTtfs.Cluster.Tests;

/// <summary>The embedded HOCON, its layering and the seed checks; no actor system is started.</summary>
public sealed class ClusterConfigTests
{
    [Fact]
    public void Every_config_file_is_embedded()
    {
        Assert.Equal(
            [ClusterConfig.BaseFile, ClusterConfig.FaultInjectionFile, ClusterConfig.SeedFile, ClusterConfig.SingleNodeFile, ClusterConfig.WorkerFile],
            ClusterConfig.EmbeddedFiles);
        foreach (var file in ClusterConfig.EmbeddedFiles) Assert.False(ClusterConfig.LoadEmbedded(file).IsEmpty, file);
    }

    [Fact]
    public void The_frame_size_in_base_conf_is_the_frame_budget()
    {
        var config = ClusterConfig.LoadEmbedded(ClusterConfig.BaseFile);
        Assert.Equal(FrameBudget.MaximumFrameSize, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.True(config.GetByteSize("akka.remote.dot-netty.tcp.send-buffer-size") >= FrameBudget.MaximumFrameSize);
        Assert.True(config.GetByteSize("akka.remote.dot-netty.tcp.receive-buffer-size") >= FrameBudget.MaximumFrameSize);
    }

    [Fact]
    public void The_frame_budget_leaves_room_for_a_full_weight_chunk()
    {
        // 1 MiB of floats plus the MessagePack fields (array header, run id, three ints, bin32 header).
        const long worstChunk = (4L * FrameBudget.MaxWeightChunkValues) + (3 * FrameBudget.MaxRunIdLength) + 64;
        Assert.True(FrameBudget.Fits(worstChunk));
        Assert.True(FrameBudget.EnvelopeReserve >= 16 * 1024, "remoting's envelope (paths, manifest) needs headroom");
    }

    [Fact]
    public void Base_conf_binds_the_markers_to_the_protocol_serializers_with_their_ids()
    {
        var config = ClusterConfig.LoadEmbedded(ClusterConfig.BaseFile);
        var serializers = config.GetConfig("akka.actor.serializers");
        Assert.Equal(typeof(DataPlaneSerializer), Type.GetType(serializers.GetString("ttfs-data"), true));
        Assert.Equal(typeof(ControlSerializer), Type.GetType(serializers.GetString("ttfs-control"), true));
        var bindings = config.GetConfig("akka.actor.serialization-bindings").AsEnumerable().ToDictionary(kv => kv.Key, kv => kv.Value.GetString());
        Assert.Equal("ttfs-data", bindings[$"{typeof(IDataPlaneMessage).FullName}, AkkaTtfs.Cluster"]);
        Assert.Equal("ttfs-control", bindings[$"{typeof(IControlMessage).FullName}, AkkaTtfs.Cluster"]);
        var ids = config.GetConfig("akka.actor.serialization-identifiers").AsEnumerable().ToDictionary(kv => kv.Key, kv => kv.Value.GetInt());
        Assert.Equal(DataPlaneSerializer.Id, ids[serializers.GetString("ttfs-data")]);
        Assert.Equal(ControlSerializer.Id, ids[serializers.GetString("ttfs-control")]);
        Assert.False(config.GetBoolean("akka.actor.serialize-messages"));
    }

    [Fact]
    public void Base_conf_uses_the_keep_majority_split_brain_resolver_and_a_tolerant_failure_detector()
    {
        var config = ClusterConfig.LoadEmbedded(ClusterConfig.BaseFile);
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Contains("SplitBrainResolverProvider", config.GetString("akka.cluster.downing-provider-class"), StringComparison.Ordinal);
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.True(config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause") >= TimeSpan.FromSeconds(5));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(0, config.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Theory]
    [InlineData(NodeProfile.SingleNode, new[] { "coordinator", "worker" })]
    [InlineData(NodeProfile.Seed, new[] { "worker" })]
    [InlineData(NodeProfile.Worker, new[] { "worker" })]
    public void Each_profile_has_its_roles(NodeProfile profile, string[] roles)
    {
        var config = ClusterConfig.Build(new ClusterNodeOptions { Profile = profile });
        Assert.Equal(roles, config.GetStringList("akka.cluster.roles"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(0, config.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public void Layers_apply_in_order_file_then_options_then_extra_hocon()
    {
        var file = Path.Combine(Path.GetTempPath(), $"akkattfs-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, """
            akka.remote.dot-netty.tcp.port = 4999
            akka.remote.dot-netty.tcp.hostname = "10.1.2.3"
            akka.loglevel = DEBUG
            akka.cluster.roles = [from-file]
            """);
        try
        {
            var fromFile = ClusterConfig.Build(new ClusterNodeOptions { ConfigFile = file });
            Assert.Equal(4999, fromFile.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal(["from-file"], fromFile.GetStringList("akka.cluster.roles"));

            var options = new ClusterNodeOptions
            {
                ConfigFile = file,
                Port = 4053,
                Roles = ["coordinator"],
                SerializeMessages = true,
                ExtraHocon = "akka.remote.dot-netty.tcp.port = 4054",
            };
            var config = ClusterConfig.Build(options);
            Assert.Equal(4054, config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal("10.1.2.3", config.GetString("akka.remote.dot-netty.tcp.hostname"));
            Assert.Equal("DEBUG", config.GetString("akka.loglevel"));
            Assert.Equal(["coordinator"], config.GetStringList("akka.cluster.roles"));
            Assert.True(config.GetBoolean("akka.actor.serialize-messages"));
            Assert.Equal(FrameBudget.MaximumFrameSize, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ClusterConfig.Build(new ClusterNodeOptions { ConfigFile = "/nonexistent/cluster.conf" }));
        Assert.Contains("/nonexistent/cluster.conf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fault_injection_adds_the_adapters()
    {
        var config = ClusterConfig.Build(new ClusterNodeOptions { FaultInjection = true });
        Assert.Equal(["trttl", "gremlin"], config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters"));
        Assert.Empty(ClusterConfig.Build(new ClusterNodeOptions()).GetStringList("akka.remote.dot-netty.tcp.applied-adapters", []));
    }

    [Fact]
    public void Seeds_are_checked_and_normalised()
    {
        var plain = new ClusterNodeOptions { SeedNodes = ["akka.tcp://akkattfs@10.0.0.1:4053", " akka.tcp://akkattfs@10.0.0.2:4053 "] };
        Assert.Equal(["akka.tcp://akkattfs@10.0.0.1:4053", "akka.tcp://akkattfs@10.0.0.2:4053"],
            ClusterConfig.ResolveSeeds(plain, ClusterConfig.Build(plain)).Select(a => a.ToString()));

        var faulty = plain with { FaultInjection = true };
        Assert.Equal(["akka.trttl.gremlin.tcp://akkattfs@10.0.0.1:4053", "akka.trttl.gremlin.tcp://akkattfs@10.0.0.2:4053"],
            ClusterConfig.ResolveSeeds(faulty, ClusterConfig.Build(faulty)).Select(a => a.ToString()));
    }

    [Fact]
    public void Seeds_come_from_the_config_file_when_the_options_have_none()
    {
        var config = ConfigurationFactory.ParseString("""akka.cluster.seed-nodes = ["akka.tcp://akkattfs@10.0.0.9:4053"]""")
            .WithFallback(ClusterConfig.Build(new ClusterNodeOptions()));
        Assert.Equal("akka.tcp://akkattfs@10.0.0.9:4053", Assert.Single(ClusterConfig.ResolveSeeds(new ClusterNodeOptions(), config)).ToString());
        Assert.Empty(ClusterConfig.ResolveSeeds(new ClusterNodeOptions(), ClusterConfig.Build(new ClusterNodeOptions())));
    }

    [Theory]
    [InlineData("127.0.0.1:4053", "is not an Akka address")]
    [InlineData("akka.tcp://akkattfs@127.0.0.1", "lacks a host or port")]
    [InlineData("akka.tcp://other@127.0.0.1:4053", "names actor system 'other' but this node's system is 'akkattfs'")]
    [InlineData("akka.trttl.gremlin.tcp://akkattfs@127.0.0.1:4053", "fault injection")]
    public void A_bad_seed_fails_before_anything_starts_and_is_named(string seed, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterNode.Start(new ClusterNodeOptions { Profile = NodeProfile.Worker, SeedNodes = [seed] }));
        Assert.Contains(seed, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weight_chunks_cover_the_parameters_in_order_and_within_the_limit()
    {
        var weights = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var biases = new[] { 100f, 101f, 102f };
        var chunks = WeightChunks.Split("run", 4, weights, biases, maxValues: 4);
        Assert.Equal(4, chunks.Length);
        Assert.All(chunks, c => Assert.Equal(4, c.ChunkCount));
        Assert.Equal(Enumerable.Range(0, 4), chunks.Select(c => c.ChunkIndex));
        Assert.True(chunks.All(c => c.Values.Length <= 4));
        Assert.Equal(weights.Concat(biases), chunks.SelectMany(c => c.Values));

        Assert.Single(WeightChunks.Split("run", 4, [], []));
        Assert.Equal(1, WeightChunks.CountFor(FrameBudget.MaxWeightChunkValues));
        Assert.Equal(2, WeightChunks.CountFor(FrameBudget.MaxWeightChunkValues + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightChunks.CountFor(10, FrameBudget.MaxWeightChunkValues + 1));
    }

    [Fact]
    public void The_parameter_checksum_is_sha256_of_little_endian_floats_weights_then_biases()
    {
        float[] weights = [1f, -2.5f];
        float[] biases = [0.125f];
        byte[] expectedBytes = [.. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(-2.5f), .. BitConverter.GetBytes(0.125f)];
        Assert.True(BitConverter.IsLittleEndian);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(expectedBytes));
        Assert.Equal(expected, WeightChunks.Sha256Hex(weights, biases));
        Assert.NotEqual(expected, WeightChunks.Sha256Hex(biases, weights));
    }
}
