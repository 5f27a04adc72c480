using AkkaTtfs.Cluster.Actors;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Cluster.Serialization;

namespace AkkaTtfs.Cluster.Tests.Security;

/// <summary>Every node profile binds System.Object to the guarded Hyperion and keeps id 1 refusing, whatever a user's file says; the allow-list's names.</summary>
public sealed class WireSafetyConfigTests
{
    private const string Json = "AkkaTtfs.Cluster.Serialization.DisabledJsonSerializer, AkkaTtfs.Cluster";
    private const string Hyperion = "AkkaTtfs.Cluster.Serialization.GuardedHyperionSerializer, AkkaTtfs.Cluster";

    public static TheoryData<NodeProfile, bool> Profiles() => new()
    {
        { NodeProfile.SingleNode, false }, { NodeProfile.Seed, false }, { NodeProfile.Worker, false },
        { NodeProfile.SingleNode, true }, { NodeProfile.Seed, true }, { NodeProfile.Worker, true },
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_profile_binds_System_Object_to_the_guarded_Hyperion_even_against_a_user_file(NodeProfile profile, bool faultInjection)
    {
        var file = Path.GetTempFileName();
        try
        {
            // A user's file that tries to bring Newtonsoft back.
            File.WriteAllText(file, """
                akka.actor.serializers.json = "Akka.Serialization.NewtonSoftJsonSerializer, Akka"
                akka.actor.serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
                akka.actor.serialization-bindings { "System.Object" = json }
                """);
            foreach (var options in new[] { new ClusterNodeOptions { Profile = profile, FaultInjection = faultInjection }, new ClusterNodeOptions { Profile = profile, FaultInjection = faultInjection, ConfigFile = file } })
            {
                var config = ClusterConfig.Build(options);
                Assert.Equal(Json, config.GetString("akka.actor.serializers.json"));
                Assert.Equal(Hyperion, config.GetString("akka.actor.serializers.hyperion"));
                Assert.Equal("hyperion", config.GetConfig("akka.actor.serialization-bindings").GetString("\"System.Object\""));
                Assert.Equal(faultInjection, config.GetBoolean(NodeAgent.FaultInjectionKey, false));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("System.Int32, System.Private.CoreLib,%core%", true)]
    [InlineData("System.Int32, System.Private.CoreLib, Version=10.0.0.0, Culture=neutral, PublicKeyToken=7cec85d7bea7798e", true)]
    [InlineData("System.Int32,System.Private.CoreLib", true)]
    [InlineData("System.String[], System.Private.CoreLib,%core%", true)]
    [InlineData("System.Collections.Generic.List`1[[System.Int64, System.Private.CoreLib,%core%]], System.Private.CoreLib,%core%", true)]
    [InlineData("System.Collections.Generic.List`1[[System.IO.FileInfo, System.IO.FileSystem]], System.Private.CoreLib,%core%", false)]
    [InlineData("System.Int32, mscorlib", false)]
    [InlineData("System.Int32", false)]
    [InlineData("System.Int32, System.Private.CoreLib, ProcessorArchitecture=MSIL", false)]
    [InlineData("System.IO.FileInfo, System.IO.FileSystem", false)]
    [InlineData("AkkaTtfs.Cluster.Protocol.SpawnPartitions, AkkaTtfs.Cluster", false)]
    [InlineData("Akka.Actor.PoisonPill, Akka", false)]
    [InlineData("", false)]
    public void The_allow_list_normalises_names_and_refuses_everything_else(string name, bool allowed) =>
        Assert.Equal(allowed, WireTypeAllowList.Instance.IsAllowed(name));

    [Fact]
    public void The_allow_list_accepts_what_Hyperion_itself_writes_for_the_allowed_types()
    {
        // The name form Hyperion writes (assembly-qualified, version stripped, core marker) for a few allowed types.
        foreach (var type in new[] { typeof(int), typeof(string[]), typeof(List<double>), typeof(Guid), typeof(TimeSpan[]) })
        {
            var hyperionName = type.AssemblyQualifiedName!.Replace(typeof(int).AssemblyQualifiedName![typeof(int).AssemblyQualifiedName!.IndexOf(", Version", StringComparison.Ordinal)..], ",%core%", StringComparison.Ordinal);
            Assert.True(WireTypeAllowList.Instance.IsAllowed(hyperionName), hyperionName);
        }
    }
}
