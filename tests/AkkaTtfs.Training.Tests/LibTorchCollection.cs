using AkkaTtfs.Core.Data;

namespace AkkaTtfs.Training.Tests;

/// <summary>
/// Every test that touches libtorch runs in this one collection, sequentially: libtorch's global generator and
/// thread count are process-wide state.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibTorchCollection
{
    public const string Name = "libtorch";
}

/// <summary>The bundled MNIST subset, loaded once.</summary>
internal static class BundledData
{
    private static readonly Lazy<DatasetPair> Mnist = new(() => DatasetCatalog.Load(DatasetCatalog.DefaultName));

    public static DatasetPair MnistPair => Mnist.Value;

    /// <summary>The first <paramref name="train"/> / <paramref name="test"/> samples of the bundled pair.</summary>
    public static DatasetPair Small(int train, int test) =>
        new(MnistPair.Train.Take(train), MnistPair.Test.Take(test)) { Source = MnistPair.Source };
}
