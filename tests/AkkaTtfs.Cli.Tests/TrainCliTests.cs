using System.Text.Json;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Cli.Tests;

/// <summary>The train and evaluate commands as a user runs them (tiny runs: seconds).</summary>
public sealed class TrainCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Train_writes_a_model_and_a_report_and_evaluate_reads_the_model()
    {
        var model = _temp.File("tiny.safetensors");
        var train = CliProcess.Run("train", "--arch", "d16-d10", "--preset", "sr-tr-tb", "--epochs", "2", "--train-limit", "400", "--test-limit", "100", "--batch", "64", "-o", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("epoch   2/2", train.StdErr, StringComparison.Ordinal);
        Assert.Contains("p_SR", train.StdErr, StringComparison.Ordinal);
        Assert.Contains("SNN accuracy", train.StdOut, StringComparison.Ordinal);
        var report = _temp.File("tiny.report.json");
        Assert.True(File.Exists(report));
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
            Assert.Equal("SR+TR+TB", json.RootElement.GetProperty("options").GetProperty("preset").GetString());
        Assert.Equal("d16-d10", ModelFile.Load(model).Metadata["architecture"]);

        var evaluationReport = _temp.File("eval.json");
        var evaluate = CliProcess.Run("evaluate", "--model", model, "--limit", "50", "--report", evaluationReport);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Assert.Contains("DNN/SNN agreement", evaluate.StdOut, StringComparison.Ordinal);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(evaluationReport));
        Assert.Equal(50, evaluation.RootElement.GetProperty("samples").GetInt32());
    }

    [Theory]
    [InlineData("--arch", "c12k5-p2-c64k5-p2-c64k5-d10", "does not fit")]
    [InlineData("--arch", "c12k5-p2-d7", "10 classes")]
    [InlineData("--epochs", "0", "epochs = 0")]
    [InlineData("--lr", "-1", "lr = -1")]
    [InlineData("--dropout", "1.5", "dropout = 1.5")]
    [InlineData("--data", "no-such-data", "mnist-10k")]
    public void Train_rejects_bad_input_with_one_line_and_exit_code_2(string option, string value, string expected)
    {
        var run = CliProcess.Run("train", option, value, "-o", _temp.File("never.safetensors"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("never.safetensors")));
    }

    [Fact]
    public void Train_help_states_the_schedule_scaling_rule_and_the_defaults()
    {
        var run = CliProcess.Run("train", "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("floor(epochs/2)", run.StdOut, StringComparison.Ordinal);
        foreach (var option in new[] { "--e-sr", "--e-k", "--lambda-tr", "--lambda-tb", "--tau-init", "--td-init", "--T", "--lr", "--batch", "--epochs", "--dropout", "--seed", "--preset", "--threads" })
            Assert.Contains(option, run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_rejects_a_model_that_does_not_fit_the_data()
    {
        var model = _temp.File("small.safetensors");
        var made = CliProcess.Run("model", "random", "--arch", "d16-d10", "--out", model);
        Assert.True(made.ExitCode == 0, made.ToString());
        var run = CliProcess.Run("evaluate", "--model", model, "--data", _temp.Path);
        Assert.Equal(2, run.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(run.StdErr));
    }
}
