using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Data;

public sealed class DatasetCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string NoFashion => Path.Combine(_temp.Path, "no-fashion-here");

    private DatasetSearchPaths Paths(string? dataFolder, params string[] starts) => new(dataFolder, starts, NoFashion);

    [Fact]
    public void Bundled_mnist_is_found_from_the_repository_root()
    {
        Assert.Equal(Path.GetFullPath(RepoPaths.BundledMnist), DatasetCatalog.Locate("mnist-10k", Paths(null, RepoPaths.Root)));
    }

    [Fact]
    public void Bundled_mnist_is_found_from_a_bin_folder_of_any_project()
    {
        // The folder need not exist: a program in src/Any/bin/Release/net10.0 walks up the same way.
        var bin = Path.Combine(RepoPaths.Root, "src", "AkkaTtfs.Cli", "bin", "Release", "net10.0");
        Assert.Equal(Path.GetFullPath(RepoPaths.BundledMnist), DatasetCatalog.Locate("mnist-10k", Paths(null, _temp.Path, bin)));
        Assert.Equal(Path.GetFullPath(RepoPaths.BundledMnist), DatasetCatalog.Locate("mnist-10k", Paths(null, AppContext.BaseDirectory)));
    }

    [Fact]
    public void The_environment_search_starts_at_the_program_and_the_current_folder()
    {
        var paths = DatasetSearchPaths.FromEnvironment();
        Assert.Equal([AppContext.BaseDirectory, Environment.CurrentDirectory], paths.SearchStarts);
        Assert.Equal("/usr/share/datasets/fashion-mnist", paths.FashionMnistFolder);
        Assert.Equal(Environment.GetEnvironmentVariable("AKKATTFS_DATA") is { Length: > 0 } d ? d : null, paths.DataFolder);
    }

    [Fact]
    public void A_data_folder_is_searched_before_the_repository()
    {
        IdxBytes.WriteFolder(_temp, Path.Combine("data", "mnist-10k"), [0, 1, 2], [2, 1], gzip: true);

        var pair = DatasetCatalog.Load("mnist-10k", Paths(Path.Combine(_temp.Path, "data"), RepoPaths.Root));

        Assert.Equal((3, 2), (pair.Train.Count, pair.Test.Count));
        Assert.Equal(10, pair.Train.ClassCount); // a known MNIST-like name has 10 classes whatever labels occur
        Assert.Equal("mnist-10k:test", pair.Test.Name);
        Assert.Equal(Path.Combine(_temp.Path, "data", "mnist-10k"), pair.Source);
    }

    [Fact]
    public void Any_folder_name_under_the_data_folder_loads_with_classes_inferred_over_train_and_test()
    {
        IdxBytes.WriteFolder(_temp, Path.Combine("data", "letters"), [0, 4, 2, 1, 3, 5], [7, 6]);

        var pair = DatasetCatalog.Load("letters", Paths(Path.Combine(_temp.Path, "data")));

        Assert.Equal(8, pair.Train.ClassCount);
        Assert.Equal(8, pair.Test.ClassCount);
        Assert.Equal(TensorShape.Image(1, 3, 2), pair.Train.SampleShape);
        Assert.Equal("letters:train", pair.Train.Name);
    }

    [Fact]
    public void A_folder_path_loads_raw_and_gzip_files_mixed()
    {
        IdxBytes.WriteFolder(_temp, "mixed", [1, 1, 0], [0]);
        var folder = Path.Combine(_temp.Path, "mixed");
        foreach (var name in new[] { "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            var raw = Path.Combine(folder, name);
            File.WriteAllBytes(raw + ".gz", IdxBytes.Gzip(File.ReadAllBytes(raw)));
            File.Delete(raw);
        }

        var pair = DatasetCatalog.Load(folder, Paths(null));

        Assert.Equal((3, 1, 2), (pair.Train.Count, pair.Test.Count, pair.Train.ClassCount));
        Assert.Equal(IdxBytes.Pattern(2, 2, 1), pair.Train.Pixels(2)[5]);
        Assert.Equal("mixed:train", pair.Train.Name);
    }

    [Fact]
    public void Fashion_mnist_is_read_from_its_debian_folder_with_ten_classes()
    {
        IdxBytes.WriteFolder(_temp, "fashion", [3, 1], [0], gzip: true);
        var paths = new DatasetSearchPaths(null, [_temp.Path], Path.Combine(_temp.Path, "fashion"));

        var pair = DatasetCatalog.Load("fashion-mnist", paths);

        Assert.Equal(10, pair.Train.ClassCount);
        Assert.Equal("fashion-mnist:train", pair.Train.Name);
    }

    [Fact]
    public void Missing_fashion_mnist_says_which_debian_package_to_install()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load("fashion-mnist", Paths(null, _temp.Path)));

        Assert.Contains("install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(NoFashion, e.Message, StringComparison.Ordinal);
        Assert.Contains("or pass the folder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_name_lists_the_known_names_and_where_it_looked()
    {
        var data = Path.Combine(_temp.Path, "data");

        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load("imagenet", Paths(data, _temp.Path)));

        Assert.Contains("unknown dataset 'imagenet'", e.Message, StringComparison.Ordinal);
        Assert.Contains("mnist-10k", e.Message, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(data, "imagenet"), e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("samples", "data", "imagenet"), e.Message, StringComparison.Ordinal);
        Assert.Contains(_temp.Path, e.Message, StringComparison.Ordinal);
        Assert.Contains("CIFAR-10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unset_data_variable_is_mentioned_when_a_name_is_not_found()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Locate("mnist-10k", Paths(null, _temp.Path)));

        Assert.Contains("$AKKATTFS_DATA is not set", e.Message, StringComparison.Ordinal);
        Assert.Contains("bundled with the repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_folder_path_says_it_does_not_exist()
    {
        var missing = Path.Combine(_temp.Path, "nowhere");

        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load(missing, Paths(null)));

        Assert.Contains($"dataset folder {missing}", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("Known names: mnist-10k", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_a_dataset_lists_what_it_holds()
    {
        _temp.Write(Path.Combine("stuff", "notes.txt"), [1]);
        var folder = Path.Combine(_temp.Path, "stuff");

        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.LoadFolder(folder));

        Assert.Contains($"folder {folder} holds no dataset", e.Message, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte[.gz]", e.Message, StringComparison.Ordinal);
        Assert.Contains("data_batch_1.bin", e.Message, StringComparison.Ordinal);
        Assert.Contains("it holds notes.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_with_some_idx_files_names_the_missing_ones()
    {
        IdxBytes.WriteFolder(_temp, "partial", [1], [1], gzip: true);
        var folder = Path.Combine(_temp.Path, "partial");
        File.Delete(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.LoadFolder(folder));

        Assert.Contains(folder, e.Message, StringComparison.Ordinal);
        Assert.Contains("lacks t10k-labels-idx1-ubyte[.gz]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_and_test_images_of_different_shapes_are_rejected()
    {
        IdxBytes.WriteFolder(_temp, "shapes", [1, 0], [1]);
        var folder = Path.Combine(_temp.Path, "shapes");
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), IdxBytes.Images(1, 4, 4, IdxBytes.Pattern));

        var e = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadFolder(folder));

        Assert.Contains("[1,3,2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[1,4,4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_file_error_inside_a_folder_names_that_file()
    {
        IdxBytes.WriteFolder(_temp, "bad", [1, 2], [1]);
        var labels = Path.Combine(_temp.Path, "bad", "train-labels-idx1-ubyte");
        File.WriteAllBytes(labels, IdxBytes.Labels([1, 2, 3]));

        var e = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadFolder(Path.Combine(_temp.Path, "bad")));

        Assert.Contains(labels, e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 3 labels", e.Message, StringComparison.Ordinal);
    }
}
