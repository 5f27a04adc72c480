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
        int keptEpoch;
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.Equal("SR+TR+TB", json.RootElement.GetProperty("options").GetProperty("preset").GetString());
            keptEpoch = json.RootElement.GetProperty("kept_epoch").GetInt32();
            Assert.StartsWith("efficient:", json.RootElement.GetProperty("keep_rule").GetString(), StringComparison.Ordinal);
        }

        // One convention, 1-based, wherever a person reads the kept epoch: stdout, the report, the model's provenance.
        Assert.InRange(keptEpoch, 1, 2);
        Assert.Contains($"kept epoch         {keptEpoch}/2 by efficient:", train.StdOut, StringComparison.Ordinal);
        var loaded = ModelFile.Load(model);
        Assert.Equal(keptEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), loaded.Metadata["kept_epoch"]);
        Assert.Equal("d16-d10", loaded.Metadata["architecture"]);
        Assert.Contains("tau min/max", train.StdErr, StringComparison.Ordinal);
        var plot = _temp.File("tiny.epochs.png");
        Assert.True(File.Exists(plot) && new FileInfo(plot).Length > 1000, train.ToString());

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
    [InlineData("--epochs", "0", "--epochs must be >= 1 and <= 10000, got 0")]
    [InlineData("--lr", "-1", "lr = -1")]
    [InlineData("--dropout", "1.5", "dropout = 1.5")]
    [InlineData("--data", "no-such-data", "mnist-10k")]
    [InlineData("--keep", "fast", "'--keep'")]
    [InlineData("--keep", "efficient:-1", "DROP")]
    [InlineData("--lr-drop", "1", "--lr-drop '1'")]
    [InlineData("--lr-cosine", "0", "--lr-cosine 0")]
    [InlineData("--shift", "9", "shift = 9")]
    [InlineData("--lambda-tb-ramp", "-1", "lambda_TB ramp = -1")]
    public void Train_rejects_bad_input_with_one_line_and_exit_code_2(string option, string value, string expected)
    {
        var run = CliProcess.Run("train", option, value, "-o", _temp.File("never.safetensors"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("never.safetensors")));
    }

    [Fact]
    public void Train_checks_everything_before_it_makes_the_output_folder()
    {
        // The architecture is checked against the data before the model's (new, nested) folder is made.
        var folder = _temp.File("new");
        var run = CliProcess.Run("train", "--arch", "c12k5-p2-d7", "-o", Path.Combine(folder, "sub", "m.safetensors"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("10 classes", Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));

        // A folder given as the model file is refused by name, and nothing is made next to it.
        var existing = Directory.CreateDirectory(_temp.File("a-folder")).FullName;
        var refused = CliProcess.Run("train", "-o", existing);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains($"--out {existing} is a folder", refused.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(existing));
    }

    [Fact]
    public void Train_help_states_the_schedule_scaling_rule_and_the_defaults()
    {
        var run = CliProcess.Run("train", "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("floor(epochs/2)", run.StdOut, StringComparison.Ordinal);
        foreach (var option in new[] { "--e-sr", "--e-k", "--lambda-tr", "--lambda-tb", "--tau-init", "--td-init", "--T", "--lr", "--batch", "--epochs", "--dropout", "--seed", "--preset", "--threads", "--keep", "--lr-drop", "--trace-test", "--lr-cosine", "--lambda-tb-ramp", "--shift" })
            Assert.Contains(option, run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Tradeoff_trains_every_point_and_writes_json_csv_and_png()
    {
        var folder = _temp.File("tradeoff");
        var run = CliProcess.Run(TimeSpan.FromMinutes(10), "tradeoff", "--arch", "d16-d10", "--epochs", "2", "--lambda-tb", "0,0.1", "--seeds", "1,2",
            "--train-limit", "300", "--test-limit", "60", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("[1/8] SM seed 1  epoch 1/2", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("[8/8] SR+TR+TB lambda_TB 0.1 seed 2: done", run.StdErr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tradeoff.json")));
        Assert.Equal(1, json.RootElement.GetProperty("schema_version").GetInt32());
        Assert.Equal(8, json.RootElement.GetProperty("runs").GetArrayLength());
        var points = json.RootElement.GetProperty("points");
        Assert.Equal(4, points.GetArrayLength());
        foreach (var point in points.EnumerateArray()) Assert.Equal(2, point.GetProperty("seeds").GetInt32());
        Assert.Equal(9, File.ReadAllLines(Path.Combine(folder, "tradeoff.csv")).Length);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(folder, "tradeoff-points.csv")).Length);
        Assert.True(new FileInfo(Path.Combine(folder, "tradeoff.png")).Length > 1000);
        Assert.True(File.Exists(Path.Combine(folder, "models", "sr_tr_tb-l0.1-s2.safetensors")));
    }

    [Fact]
    public void Ctrl_c_during_a_tradeoff_exits_130_and_leaves_no_models_and_no_folders()
    {
        // SIGINT in the second of six trainings: the first has written its model to <out>/models/ (it does so before
        // it reports "done"); the interrupted sweep removes it, and the folders it made.
        var folder = _temp.File("interrupted");
        var (exit, stderr) = CliOutputTests.Interrupt(["tradeoff", "--arch", "d16-d10", "--epochs", "6", "--lambda-tb", "0,0.01,0.1,1", "--seeds", "1",
            "--train-limit", "2000", "--test-limit", "60", "--out", folder], "[1/6] SM seed 1: done");
        Assert.True(exit == 130, $"exit {exit}\n{stderr}");
        Assert.DoesNotContain("[6/6] SR+TR+TB lambda_TB 1 seed 1: done", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "models")), stderr);
        Assert.False(Directory.Exists(folder), stderr);
    }

    [Fact]
    public void Tradeoff_with_the_main_recipe_trains_every_run_on_the_main_jobs_schedule_and_says_so()
    {
        var folder = _temp.File("tradeoff-main");
        var run = CliProcess.Run(TimeSpan.FromMinutes(10), "tradeoff", "--recipe", "main", "--shift", "1", "--arch", "d16-d10", "--epochs", "4", "--lambda-tb", "0.1",
            "--references", "none", "--train-limit", "300", "--test-limit", "60", "--no-models", "--out", folder);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tradeoff.json")));
        var schedule = json.RootElement.GetProperty("schedule").GetString()!;
        // MainJobFor(4): E_sr = E_k = 1, batch 64, lr x0.1 for the last epoch, no validation split (the last epoch kept).
        foreach (var part in new[] { "E_sr 1, E_k 1", "(x0.1 from epoch 4)", "batch 64", "validation fraction 0,", "random shift up to 1 px" })
            Assert.Contains(part, schedule, StringComparison.Ordinal);
        Assert.Equal(4, json.RootElement.GetProperty("runs")[0].GetProperty("kept_epoch").GetInt32());
    }

    [Theory]
    [InlineData("--recipe", "fast", "--recipe")]
    [InlineData("--shift", "9", "shift = 9")]
    [InlineData("--lambda-tb", "0,x", "--lambda-tb '0,x'")]
    [InlineData("--lambda-tb", "0.1,0.1", "repeat")]
    [InlineData("--seeds", "1,1", "repeat")]
    [InlineData("--references", "both", "--references")]
    [InlineData("--arch", "c12k5-p2-d7", "10 classes")]
    public void Tradeoff_rejects_bad_input_before_training(string option, string value, string expected)
    {
        var folder = _temp.File("never");
        var run = CliProcess.Run("tradeoff", option, value, "--out", folder);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
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
