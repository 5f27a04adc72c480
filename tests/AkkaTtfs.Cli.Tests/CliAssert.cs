namespace AkkaTtfs.Cli.Tests;

/// <summary>What the CLI tests share: a seeded random model file made through the CLI, and the bad-input verdict.</summary>
internal static class CliAssert
{
    /// <summary>A random model of <paramref name="arch"/> (seed 3) in <paramref name="temp"/>, made once per folder.</summary>
    public static string RandomModelFile(TempDirectory temp, string arch)
    {
        ArgumentNullException.ThrowIfNull(temp);
        var path = temp.File($"{arch}.safetensors");
        if (File.Exists(path)) return path;
        var made = CliProcess.Run("model", "random", "--arch", arch, "--out", path, "--seed", "3");
        Assert.True(made.ExitCode == 0, made.ToString());
        return path;
    }

    /// <summary>
    /// Refused as the README promises: exit 2, one "error: " line naming <paramref name="expected"/> (progress lines
    /// aside), no stack trace.
    /// </summary>
    public static void Refused(CliProcess.Outcome run, string expected)
    {
        ArgumentNullException.ThrowIfNull(run);
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines, l => !l.StartsWith("simulating", StringComparison.Ordinal) && !l.StartsWith("samples:", StringComparison.Ordinal));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StdErr, StringComparison.Ordinal);
    }
}
