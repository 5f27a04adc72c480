using System.CommandLine;
using AkkaTtfs.App;
using AkkaTtfs.App.Cluster;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Metrics;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>The option definitions several commands share, so that they read the same everywhere; one factory each.</summary>
internal static class CliOptions
{
    /// <summary>What N means in a partition spec, precisely (PartitionPlanner.SlicesFor); shared by every --partitions help.</summary>
    public const string PartitionSpecHelp =
        "Partition spec: one entry for every weighted layer, or one per layer, comma-separated. " +
        "N: N channel slices (dense layer: neuron ranges) when the layer has at least N channels; otherwise every channel is cut into " +
        "ceil(N/channels) row tiles, i.e. channels x ceil(N/channels) partitions (can be more than N). " +
        "cN: N channel slices; tRxC: R x C spatial tiles of the pooled output grid; cNtRxC: both; nK: about K neurons per partition";

    public static Option<string> Data() => new("--data", "-d")
    {
        Description = $"Dataset name ({string.Join(", ", DatasetCatalog.KnownNames)}) or a folder with IDX or CIFAR-10 binary files",
        DefaultValueFactory = _ => DatasetCatalog.DefaultName,
    };

    public static Option<FileInfo> Model() => new("--model", "-m") { Description = "Model file (.safetensors)", Required = true };

    public static Option<string> Split(string verb)
    {
        var split = new Option<string>("--split") { Description = $"Which split to {verb}: test or train", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        return split;
    }

    public static Option<int?> Limit(string description) => OptionalInt("--limit", description, OptionRanges.Limit, "-n");

    public static Option<int> Batch(string description) => Int("--batch", description, OptionRanges.Batch, 64, "-b");

    /// <summary>
    /// --nodes' help with both ranges: the parser checks the wider one (workers joined through --seed), <see cref="Setup"/>
    /// the embedded one, once it is known whether seeds are joined.
    /// </summary>
    public static string WithNodesRange(string description)
    {
        var joined = $"[{OptionRanges.JoinedNodes.Text}]";
        var text = description.EndsWith(joined, StringComparison.Ordinal) ? description[..^joined.Length].TrimEnd() : description;
        return $"{text} [{OptionRanges.EmbeddedNodes.Min}..{OptionRanges.EmbeddedNodes.Max} embedded: {OptionRanges.EmbeddedNodes.Why}; {OptionRanges.JoinedNodes.Text} with --seed]";
    }

    /// <summary>
    /// An integer option with a documented range: the range is added to its help, and the parser refuses a
    /// value outside it with one line naming the option, before any work starts.
    /// </summary>
    public static Option<int> Int(string name, string description, IntRange range, int defaultValue, params string[] aliases)
    {
        ArgumentNullException.ThrowIfNull(range);
        var option = new Option<int>(name, aliases) { Description = $"{description} [{range.Text}]", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (TryTyped(result, out int value) && range.Problem(name, value) is { } problem) result.AddError(problem);
        });
        return option;
    }

    /// <summary>The value the user typed; false when none was typed or it did not convert (the parser reports that itself).</summary>
    private static bool TryTyped<T>(System.CommandLine.Parsing.OptionResult result, out T value)
    {
        value = default!;
        if (result.Implicit || result.Tokens.Count == 0) return false;
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>An optional integer option with a documented range (as <see cref="Int"/>).</summary>
    public static Option<int?> OptionalInt(string name, string description, IntRange range, params string[] aliases)
    {
        ArgumentNullException.ThrowIfNull(range);
        var option = new Option<int?>(name, aliases) { Description = $"{description} [{range.Text}]" };
        option.Validators.Add(result =>
        {
            if (TryTyped(result, out int? value) && value is { } typed && range.Problem(name, typed) is { } problem) result.AddError(problem);
        });
        return option;
    }

    /// <summary>
    /// A real-valued option with a documented range (<see cref="RealRange"/>: NaN and the infinities never pass), added
    /// to its help and checked by the parser, before any work.
    /// </summary>
    public static Option<T> Real<T>(string name, string description, RealRange range, T defaultValue)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(range);
        var option = new Option<T>(name) { Description = $"{description} [{range.Text}]", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (TryTyped(result, out T value) && range.Problem(name, double.CreateChecked(value)) is { } problem) result.AddError(problem);
        });
        return option;
    }

    /// <summary>A comma-separated list of numbers, each in <paramref name="range"/>, checked by the parser (the command splits it again).</summary>
    public static Option<string?> RealList(string name, string description, RealRange range) =>
        List(name, $"{description} [each {range.Text}]", text =>
            double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? range.Problem(name, v) : $"{name}: '{text}' is not a number");

    /// <summary>A comma-separated list of integers, each in <paramref name="range"/>, checked by the parser.</summary>
    public static Option<string?> IntList(string name, string description, IntRange range) =>
        List(name, $"{description} [each {range.Text}]", text =>
            long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) ? range.Problem(name, v) : $"{name}: '{text}' is not an integer");

    private static Option<string?> List(string name, string description, Func<string, string?> problem)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (!TryTyped(result, out string? text) || text is null) return;
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (items.Length == 0) result.AddError($"{name} needs at least one value");
            else if (items.Select(problem).FirstOrDefault(p => p is not null) is { } first) result.AddError(first);
        });
        return option;
    }

    public static Option<string[]> Seeds(string description) => new("--seed") { Description = description, AllowMultipleArgumentsPerToken = true };

    public static Option<double> EnergyPerAccumulate() =>
        Energy("--e-ac", "Energy per accumulate in pJ (energy estimate)", EnergyModel.DefaultAccumulatePicojoules, v => EnergyModel.Check(v, EnergyModel.DefaultMultiplyAccumulatePicojoules));

    public static Option<double> EnergyPerMac() =>
        Energy("--e-mac", "Energy per multiply-accumulate in pJ (energy estimate)", EnergyModel.DefaultMultiplyAccumulatePicojoules, v => EnergyModel.Check(EnergyModel.DefaultAccumulatePicojoules, v));

    /// <summary>An energy constant, checked by Core's rule (<see cref="EnergyModel.Check"/>: finite, >= 0) while parsing.</summary>
    private static Option<double> Energy(string name, string description, double defaultValue, Func<double, string?> check)
    {
        var option = new Option<double>(name) { Description = $"{description} [a finite number >= 0]", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (TryTyped(result, out double value) && check(value) is { } problem) result.AddError($"{name}: {problem}");
        });
        return option;
    }

    /// <summary>--preset: a training preset by name, checked by the parser (the same rules as train's, TrainCommand.PresetOption).</summary>
    public static Option<string> Preset(string description, string defaultValue)
    {
        var names = string.Join(", ", TrainingPresets.All.Select(p => p.Name));
        var option = new Option<string>("--preset")
        {
            Description = $"{description}. Case-insensitive; '-' or '_' may stand for '+' (sr-tr-tb)",
            HelpName = string.Join('|', TrainingPresets.All.Select(p => p.Name)),
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            try
            {
                TrainingPresets.Parse(text);
            }
            catch (ArgumentException)
            {
                result.AddError($"option '--preset' got '{text}'; it must be one of {names} (case-insensitive; '-' or '_' may stand for '+')");
            }
        });
        return option;
    }

    /// <summary>The application layer's cluster setup from the shared cluster options, the node count and the seeds.</summary>
    public static ClusterSetup Setup(ClusterSettings settings, int nodes, IReadOnlyList<string> seeds)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(seeds);
        OptionRanges.Nodes(seeds.Count > 0).Check("--nodes", nodes);
        return new(nodes, seeds, settings.Host, settings.Port, settings.JoinTimeout, settings.InFlight, settings.ConfigFile, settings.FaultInjection,
            seeds.Count == 0 ? settings.EmbeddedSecret : settings.Secret, settings.Insecure, settings.Link);
    }

    /// <summary>--arch/-a: the architecture to train (string or preset), with the training default.</summary>
    public static Option<string> Arch(string description) =>
        new("--arch", "-a") { Description = description, DefaultValueFactory = _ => new TrainingOptions().Architecture };

    /// <summary>--epochs/-e: training epochs, with the training default.</summary>
    public static Option<int> Epochs(string description) => Int("--epochs", description, OptionRanges.Epochs, new TrainingOptions().Epochs, "-e");

    /// <summary>--e-sr: E_sr, the epoch SR reaches p = 1 (default: the scaling rule).</summary>
    public static Option<int?> SrEpochs(string description) => new("--e-sr") { Description = description };

    /// <summary>--e-k: E_k, the first epoch of kernel training and of L_TR / L_TB (default: the scaling rule).</summary>
    public static Option<int?> KernelEpoch(string description) => new("--e-k") { Description = description };

    /// <summary>--threads for training: libtorch threads, with the training default.</summary>
    public static Option<int> TrainingThreads() => Int("--threads",
        "libtorch threads; the same seed and thread count give the same model, another thread count a slightly different one. " +
        "libtorch's OpenMP workers wait passively (OMP_WAIT_POLICY=PASSIVE unless set), so 2 threads on a busy machine cost about what 1 does " +
        "instead of several times more", OptionRanges.Threads, new TrainingOptions().Threads);

    /// <summary>--device: where libtorch trains (cpu, cuda, cuda:N), checked by Core's rule while parsing; whether CUDA is there is checked when training starts.</summary>
    public static Option<string> TrainingDevice()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where libtorch trains the surrogate: cpu, cuda or cuda:N (needs TorchSharp's CUDA packages and an NVIDIA driver; see README). " +
                          "Conversion and the SNN evaluation run on the CPU",
            DefaultValueFactory = _ => new TrainingOptions().Device,
        };
        option.Validators.Add(result =>
        {
            if (TryTyped(result, out string value) && TrainingOptions.DeviceProblem(value) is { } problem) result.AddError($"--device must be {problem}, got '{value}'");
        });
        return option;
    }

    public static Option<int?> TrainLimit() => OptionalInt("--train-limit", "Use only the first N training samples (before the validation split)", OptionRanges.Limit);

    public static Option<int?> TestLimit() => OptionalInt("--test-limit", "Evaluate on the first N test samples only", OptionRanges.Limit);

    /// <summary>--keep for train and tradeoff: best, last, efficient or efficient:DROP, checked at parse time.</summary>
    public static Option<string?> Keep()
    {
        var option = new Option<string?>("--keep")
        {
            Description = "Which epoch's checkpoint to keep, among the epochs where the preset's whole method is in force: best (highest validation accuracy), " +
                          "last, or efficient[:DROP] (fewest validation spikes among the epochs within DROP percentage points of the best validation accuracy; " +
                          $"DROP default {CheckpointRule.DefaultDropPoints}). Default: {CheckpointRule.DefaultFor(TrainingPreset.SrTrTb)} for SR+TR+TB, best for the other presets",
            HelpName = "best|last|efficient[:DROP]",
        };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is null) return;
            try
            {
                CheckpointRule.Parse(text);
            }
            catch (ArgumentException ex)
            {
                result.AddError($"option '--keep': {ex.Message.Split(" (Parameter")[0]}");
            }
        });
        return option;
    }

    /// <summary>The keep rule a parsed --keep names (null: the preset's default).</summary>
    public static CheckpointRule? KeepRule(string? text) => text is null ? null : CheckpointRule.Parse(text);
}
