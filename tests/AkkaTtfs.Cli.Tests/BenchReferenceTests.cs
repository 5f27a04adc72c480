namespace AkkaTtfs.Cli.Tests;

/// <summary><c>bench reference --model</c>: case (c) runs the given model on the bundled images; a model that cannot run is refused before anything is measured.</summary>
public sealed class BenchReferenceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string[] Small = ["--repeat", "1", "--batch", "8", "--dense-samples", "8", "--cnn-samples", "16", "--clock-samples", "1"];

    [Fact]
    public void A_model_file_is_measured_as_case_c_per_wall_and_cpu_second()
    {
        var model = CliAssert.RandomModelFile(_temp, "c4k5-p2-d10");
        var run = CliProcess.Run(["bench", "reference", .. Small, "--model", model]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"(c): {Path.GetFullPath(model)}", run.StdOut, StringComparison.Ordinal);
        var line = Assert.Single(run.StdOut.Split('\n'), l => l.StartsWith("(c) c4k5-p2-d10 from file", StringComparison.Ordinal));
        // samples/s, per CPU second, synaptic events/s, spikes/sample: four numbers, the rates positive.
        var numbers = line["(c) c4k5-p2-d10 from file".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, numbers.Length);
        Assert.True(double.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture) > 0, line);
        Assert.True(double.Parse(numbers[1], System.Globalization.CultureInfo.InvariantCulture) > 0, line);
    }

    [Fact]
    public void Without_a_model_file_case_c_is_named_as_not_measured()
    {
        var run = CliProcess.Run(["bench", "reference", .. Small]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(c) trained model: not measured; give one with --model FILE", run.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("from file", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_for_other_inputs_is_refused_in_one_line_before_measuring()
    {
        // A net for 32x32 RGB images cannot run on the bundled 28x28 digits.
        var other = _temp.File("cifar-shaped.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "c4k3-p2-d10", "--data", "synthetic-cifar", "--out", other, "--seed", "3");
        Assert.True(made.ExitCode == 0, made.ToString());
        var run = CliProcess.Run(["bench", "reference", .. Small, "--model", other]);
        CliAssert.Refused(run, "the model takes inputs of shape");
        Assert.DoesNotContain("(a) dense", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_is_refused_in_one_line()
    {
        var missing = _temp.File("no-such-model.safetensors");
        var run = CliProcess.Run(["bench", "reference", .. Small, "--model", missing]);
        CliAssert.Refused(run, "no-such-model.safetensors");
        Assert.DoesNotContain("(a) dense", run.StdOut, StringComparison.Ordinal);
    }
}
