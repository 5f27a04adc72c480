using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AkkaTtfs.Training;

/// <summary>
/// How libtorch's OpenMP workers wait between parallel regions. The bundled libtorch uses GNU libgomp
/// (libgomp-98b21ff3.so.1), which by default spins about 300,000 times before sleeping: on a busy 2-core
/// machine a spinning worker burns the time slice its descheduled partner needs, and two libtorch threads ran
/// 4-5x slower per sample than one. PASSIVE makes a waiting worker sleep at once (docs/benchmarks.md,
/// "OpenMP wait policy", 2026-12-03). libgomp reads its environment once, when libtorch loads it, and .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change the native environment on
/// Linux, so the value goes in with libc's setenv before any TorchSharp call: this module's initializer runs
/// before any code of this assembly, and only this assembly loads libtorch. A value the user set
/// (OMP_WAIT_POLICY or GOMP_SPINCOUNT) is kept.
/// </summary>
public static class OpenMpWaitPolicy
{
    /// <summary>The policy set when the user chose none.</summary>
    public const string Default = "PASSIVE";

    private const string PolicyVariable = "OMP_WAIT_POLICY";
    private const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>What libgomp sees (read from the native environment): the policy, or GOMP_SPINCOUNT=N if only that is set, or "default".</summary>
    public static string InEffect
    {
        get
        {
            if (!OperatingSystem.IsLinux()) return "default";
            if (NativeGet(PolicyVariable) is { } policy) return policy;
            return NativeGet(SpinCountVariable) is { } spins ? $"{SpinCountVariable}={spins}" : "default";
        }
    }

#pragma warning disable CA2255 // Must run before TorchSharp loads libtorch, whichever entry point of this library comes first.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (NativeGet(PolicyVariable) is not null || NativeGet(SpinCountVariable) is not null) return;
        _ = NativeMethods.SetEnv(PolicyVariable, Default, 0);
    }

    private static string? NativeGet(string name) => Marshal.PtrToStringUTF8(NativeMethods.GetEnv(name));

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "setenv")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

        [DllImport("libc", EntryPoint = "getenv")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    }
}
