using System.Runtime.InteropServices;
using System.Text;

namespace AkkaTtfs.Training.Tests;

/// <summary>
/// libgomp reads OMP_WAIT_POLICY from the native environment when libtorch loads it; .NET's own environment setter
/// does not reach it on Linux. These tests read the native environment with their own libc call and the process's
/// starting environment from /proc, independently of <see cref="OpenMpWaitPolicy"/>'s code.
/// </summary>
[Collection(LibTorchCollection.Name)]
public class OpenMpWaitPolicyTests
{
    [Fact]
    public void Loading_the_training_library_makes_libgomp_wait_passively_unless_the_user_chose()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Any use of the assembly runs its module initializer first.
        _ = TorchRuntime.TorchSharpVersion;

        var started = StartingEnvironment();
        var native = Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"));
        if (started.TryGetValue("OMP_WAIT_POLICY", out var userPolicy))
            Assert.Equal(userPolicy, native);
        else if (started.ContainsKey("GOMP_SPINCOUNT"))
            Assert.Null(native);
        else
            Assert.Equal("PASSIVE", native);
    }

    [Fact]
    public void The_reported_policy_is_what_the_native_environment_holds()
    {
        if (!OperatingSystem.IsLinux()) return;
        _ = TorchRuntime.TorchSharpVersion;
        var native = Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"));
        var spins = Marshal.PtrToStringUTF8(GetEnv("GOMP_SPINCOUNT"));
        var expected = native ?? (spins is null ? "default" : $"GOMP_SPINCOUNT={spins}");
        Assert.Equal(expected, OpenMpWaitPolicy.InEffect);
    }

    private static Dictionary<string, string> StartingEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Encoding.UTF8.GetString(File.ReadAllBytes("/proc/self/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=');
            if (eq > 0) result[entry[..eq]] = entry[(eq + 1)..];
        }

        return result;
    }

    [DllImport("libc", EntryPoint = "getenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
