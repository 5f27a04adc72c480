using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Training;

/// <summary>
/// Everything a run needs, resolved and checked before any training: the network for the data's shape, the
/// train/validation/test splits, the input normalisation and the schedule. Every mistake surfaces here.
/// </summary>
public sealed record TrainingPlan(
    TrainingOptions Options,
    NetworkSpec Network,
    Dataset Train,
    Dataset Validation,
    Dataset Test,
    InputNormalisation Normalisation,
    string DatasetName,
    string DatasetSource,
    int SrEpochs,
    int KernelEpoch,
    int FirstSelectableEpoch)
{
    /// <summary>Resolves and validates <paramref name="options"/> against <paramref name="data"/>.</summary>
    public static TrainingPlan Create(DatasetPair data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var full = data.Train;
        var shape = full.SampleShape;
        NetworkSpec network;
        try
        {
            network = ArchitectureParser.Build(options.Architecture, shape);
        }
        catch (NetworkSpecException ex)
        {
            throw new NetworkSpecException($"architecture '{options.Architecture}' does not fit {full.Name} (samples of shape {shape}): {ex.Message}");
        }

        if (network.ClassCount != full.ClassCount)
        {
            throw new NetworkSpecException(
                $"architecture '{options.Architecture}' ends in {network.ClassCount} outputs ({network.OutputStage.Layer.Token}), " +
                $"but {full.Name} has {full.ClassCount} classes: the output layer needs exactly one neuron per class");
        }

        if (network.SpikingLayerCount < 1)
            throw new NetworkSpecException($"architecture '{options.Architecture}' has no hidden layer: it needs at least one spiking layer before the output layer");

        var train = options.TrainLimit is { } limit ? full.Take(Math.Min(limit, full.Count)) : full;
        Dataset validation;
        if (options.ValidationFraction > 0)
        {
            (train, validation) = DatasetSplitter.Split(train, options.ValidationFraction, options.Seed);
            if (validation.Count == 0)
                throw new ArgumentException($"training option validation fraction = {options.ValidationFraction} holds out no sample of {train.Count + validation.Count}; use 0 for no validation set or a larger fraction");
        }
        else
        {
            validation = train.Take(0);
        }

        if (train.Count < 2)
            throw new ArgumentException($"only {train.Count} training samples are left after the limit and the validation split; batch norm needs at least 2");
        var test = options.TestLimit is { } testLimit ? data.Test.Take(Math.Min(testLimit, data.Test.Count)) : data.Test;
        if (test.SampleShape != shape)
            throw new ArgumentException($"{data.Test.Name} has samples of shape {data.Test.SampleShape}, but {full.Name} has {shape}");

        var normalisation = options.Normalisation switch
        {
            NormalisationChoice.UnitRange => InputNormalisation.UnitRange,
            NormalisationChoice.MeanStd => InputNormalisation.FromStatistics(train),
            _ => shape.Channels == 1 ? InputNormalisation.UnitRange : InputNormalisation.FromStatistics(train),
        };

        var srEpochs = options.ResolvedSrEpochs;
        var kernelEpoch = options.ResolvedKernelEpoch;
        var first = Math.Min(options.Epochs - 1, TrainingSchedule.FirstSelectableEpoch(options.Preset, srEpochs, kernelEpoch));
        var name = full.Name.EndsWith(":train", StringComparison.Ordinal) ? full.Name[..^":train".Length] : full.Name;
        return new TrainingPlan(options, network, train, validation, test, normalisation, name, data.Source, srEpochs, kernelEpoch, first);
    }
}
