using System.Globalization;

namespace AkkaTtfs.Cli.Tests;

/// <summary>The CIFAR-shaped path of the CLI: a calibrated random vgg16 on generated data, and CIFAR-10 folders that are refused when damaged.</summary>
public sealed class Vgg16CliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Model_random_vgg16_on_synthetic_cifar_spikes_in_every_layer_and_says_how_it_was_scaled()
    {
        var path = _temp.File("vgg16.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "vgg16", "--data", "synthetic-cifar", "--out", path, "--calibration-samples", "4");
        Assert.True(made.ExitCode == 0, made.ToString());
        var ratesLine = Assert.Single(made.StdOut.Split('\n', StringSplitOptions.TrimEntries), l => l.StartsWith("spike rate per layer", StringComparison.Ordinal));
        var rates = ratesLine.Split(": ")[1].Split(' ')[0].Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(15, rates.Length);
        Assert.All(rates, r => Assert.InRange(r, 0.09, 0.2));
        var info = CliProcess.Run("model", "info", path);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("15,245,130", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("scale = calibrated spike rate", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("calibration_data = synthetic-cifar:train[:4]", info.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--arch", "mlp", "--spike-rate", "1.5" }, "--spike-rate must be a number in (0, 1)")]
    [InlineData(new[] { "--arch", "mlp", "--spike-rate", "0" }, "--spike-rate must be a number in (0, 1)")]
    [InlineData(new[] { "--arch", "mlp", "--scale", "sqrt" }, "--scale")]
    [InlineData(new[] { "--arch", "mlp", "--calibration-samples", "0" }, "--calibration-samples must be >= 1")]
    public void Bad_calibration_options_are_refused_and_write_nothing(string[] options, string expected)
    {
        var path = _temp.File("never.safetensors");
        CliAssert.Refused(CliProcess.Run(["model", "random", .. options, "--out", path]), expected);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Dataset_synthetic_cifar_is_cifar_shaped()
    {
        var run = CliProcess.Run("dataset", "--data", "synthetic-cifar");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("[3,32,32]", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("5000 samples", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("1000 samples", run.StdOut, StringComparison.Ordinal);
    }

    /// <summary>A CIFAR-10 folder with one batch file cut short in a record is refused in one line naming the file.</summary>
    [Fact]
    public void A_damaged_cifar_batch_is_refused_naming_the_file()
    {
        var folder = Path.Combine(_temp.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        var record = new byte[3073];
        string[] names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
        foreach (var name in names) File.WriteAllBytes(Path.Combine(folder, name), [.. record, .. record]);
        File.WriteAllBytes(Path.Combine(folder, "data_batch_3.bin"), [.. record, .. record.AsSpan(0, 100)]);
        CliAssert.Refused(CliProcess.Run("dataset", "--data", _temp.Path), "data_batch_3.bin: 3173 bytes is not a whole");
        File.WriteAllBytes(Path.Combine(folder, "data_batch_3.bin"), [.. record, .. record]);
        var ok = CliProcess.Run("dataset", "--data", _temp.Path);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("10 samples", ok.StdOut, StringComparison.Ordinal);
    }
}
