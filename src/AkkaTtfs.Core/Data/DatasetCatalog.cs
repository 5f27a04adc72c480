namespace AkkaTtfs.Core.Data;

/// <summary>Where <see cref="DatasetCatalog"/> looks for a dataset given by name.</summary>
/// <param name="DataFolder">A folder holding one subfolder per dataset name (the AKKATTFS_DATA variable); null if unset.</param>
/// <param name="SearchStarts">Folders from which to walk upward looking for samples/data/NAME (a repository checkout).</param>
/// <param name="FashionMnistFolder">Where the Debian package dataset-fashion-mnist installs its files.</param>
public sealed record DatasetSearchPaths(string? DataFolder, IReadOnlyList<string> SearchStarts, string FashionMnistFolder)
{
    /// <summary>
    /// The usual places: $AKKATTFS_DATA, then upward from the program's folder (bin/Release/net10.0 of any
    /// project sits inside the clone) and upward from the current folder, then the Debian Fashion-MNIST folder.
    /// </summary>
    public static DatasetSearchPaths FromEnvironment()
    {
        var dataFolder = Environment.GetEnvironmentVariable(DatasetCatalog.DataFolderVariable);
        return new DatasetSearchPaths(
            string.IsNullOrWhiteSpace(dataFolder) ? null : dataFolder,
            [AppContext.BaseDirectory, Environment.CurrentDirectory],
            DatasetCatalog.FashionMnistSystemFolder);
    }
}

/// <summary>
/// Turns a dataset name or folder into a train/test pair. Names: "mnist-10k" (the default, bundled in
/// samples/data/mnist-10k of the repository), "fashion-mnist" (Debian package dataset-fashion-mnist),
/// "synthetic-cifar" (generated in memory, <see cref="SyntheticCifar"/>; a folder of that name wins), or
/// any folder name under $AKKATTFS_DATA or samples/data. A folder path may hold the four MNIST-style IDX
/// files (each raw or .gz) or CIFAR-10 binary batches (the folder itself or its cifar-10-batches-bin).
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The bundled 10,000-digit MNIST subset, used when no dataset is named.</summary>
    public const string DefaultName = "mnist-10k";

    /// <summary>Fashion-MNIST as installed by the Debian package dataset-fashion-mnist.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>Environment variable naming a folder with one subfolder per dataset.</summary>
    public const string DataFolderVariable = "AKKATTFS_DATA";

    /// <summary>Install folder of the Debian package dataset-fashion-mnist (files train-images-idx3-ubyte.gz etc.).</summary>
    public const string FashionMnistSystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Names that resolve without a path.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = [DefaultName, FashionMnistName, SyntheticCifar.Name];

    /// <summary>File names (without the optional .gz) of an IDX folder: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> IdxFileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    // The known names read from folders are MNIST-like: digits 0-9 and ten clothing classes.
    private const int MnistLikeClassCount = 10;

    private static readonly string RepositoryDataFolder = Path.Combine("samples", "data");

    /// <summary>Loads a dataset by name or folder, searching the usual places (<see cref="DatasetSearchPaths.FromEnvironment"/>).</summary>
    public static DatasetPair Load(string nameOrPath = DefaultName) => Load(nameOrPath, DatasetSearchPaths.FromEnvironment());

    /// <summary>Loads a dataset by name or folder, searching <paramref name="searchPaths"/>.</summary>
    public static DatasetPair Load(string nameOrPath, DatasetSearchPaths searchPaths)
    {
        if (nameOrPath == SyntheticCifar.Name && !Directory.Exists(nameOrPath))
            return SyntheticCifar.Create();
        var folder = Locate(nameOrPath, searchPaths);
        var isKnownName = !Directory.Exists(nameOrPath) && KnownNames.Contains(nameOrPath, StringComparer.Ordinal);
        return LoadFolder(folder, isKnownName ? nameOrPath : null, isKnownName ? MnistLikeClassCount : null);
    }

    /// <summary>The folder <see cref="Load(string, DatasetSearchPaths)"/> would read, as a full path.</summary>
    public static string Locate(string nameOrPath, DatasetSearchPaths searchPaths)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        ArgumentNullException.ThrowIfNull(searchPaths);
        if (Directory.Exists(nameOrPath))
            return Path.GetFullPath(nameOrPath);
        if (LooksLikePath(nameOrPath))
            throw new DatasetNotFoundException(
                $"dataset folder {nameOrPath} (full path {Path.GetFullPath(nameOrPath)}) does not exist. {DescribeChoices()}");

        var candidates = CandidateFolders(nameOrPath, searchPaths).ToList();
        var found = candidates.FirstOrDefault(Directory.Exists);
        if (found is not null)
            return Path.GetFullPath(found);
        throw new DatasetNotFoundException(NotFoundMessage(nameOrPath, searchPaths));
    }

    /// <summary>
    /// Reads a folder of IDX files or CIFAR-10 batches. <paramref name="classCount"/> null means, for IDX
    /// data, max(label) + 1 over train and test together (so both halves agree); CIFAR-10 always has 10.
    /// </summary>
    public static DatasetPair LoadFolder(string folder, string? name = null, int? classCount = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new DatasetNotFoundException($"dataset folder {folder} does not exist. {DescribeChoices()}");
        var idxFiles = IdxFileNames.Select(f => FindIdxFile(folder, f)).ToList();
        if (idxFiles.TrueForAll(f => f is not null))
            return LoadIdx(folder, idxFiles.Select(f => f!).ToArray(), name ?? FolderName(folder), classCount);
        if (Cifar10Reader.FindBatchFolder(folder) is not null)
            return Cifar10Reader.ReadFolder(folder, name);
        if (idxFiles.Exists(f => f is not null))
        {
            var missing = IdxFileNames.Where((_, i) => idxFiles[i] is null).Select(f => $"{f}[.gz]");
            throw new DatasetNotFoundException($"IDX dataset folder {folder} lacks {string.Join(", ", missing)}");
        }

        var present = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(12).ToList();
        throw new DatasetNotFoundException(
            $"folder {folder} holds no dataset: neither the four IDX files ({string.Join(", ", IdxFileNames.Select(f => $"{f}[.gz]"))}) " +
            $"nor CIFAR-10 binary batches ({string.Join(", ", Cifar10Reader.TrainFileNames)}, {Cifar10Reader.TestFileName}, in it or in {Cifar10Reader.BatchFolderName}/); " +
            $"it holds {(present.Count == 0 ? "nothing" : string.Join(", ", present))}");
    }

    private static DatasetPair LoadIdx(string folder, IdxFile[] idx, string name, int? classCount)
    {
        var files = idx.Select(f => f.Path).ToArray();
        var trainImages = ReadImages(idx[0]);
        var trainLabels = ReadLabels(idx[1]);
        var testImages = ReadImages(idx[2]);
        var testLabels = ReadLabels(idx[3]);
        if (trainImages.SampleShape != testImages.SampleShape)
            throw new InvalidDataException(
                $"{files[0]} holds images of {trainImages.SampleShape} but {files[2]} holds {testImages.SampleShape}; train and test must have one shape");
        var classes = classCount ?? IdxReader.InferClassCount([(trainLabels, files[1]), (testLabels, files[3])]);
        var train = IdxReader.Combine(trainImages, files[0], trainLabels, files[1], $"{name}:train", classes);
        var test = IdxReader.Combine(testImages, files[2], testLabels, files[3], $"{name}:test", classes);
        return new DatasetPair(train, test) { Source = Path.GetFullPath(folder) };
    }

    /// <summary>
    /// One of the four IDX files: <see cref="Path"/> is read; <see cref="Twin"/> is the .gz copy when a raw file
    /// and a .gz file of the same name are both present.
    /// </summary>
    private sealed record IdxFile(string Path, string? Twin);

    /// <summary>
    /// The raw file and/or the .gz one, or null when neither exists; which compression a file has is decided
    /// by its content. When both are present the raw one is read and the .gz one too: they must hold the same
    /// data, else the folder is refused (an edited raw copy next to a stale archive, or the reverse, must not
    /// be picked silently).
    /// </summary>
    private static IdxFile? FindIdxFile(string folder, string baseName)
    {
        var raw = Path.Combine(folder, baseName);
        var gz = raw + ".gz";
        return (File.Exists(raw), File.Exists(gz)) switch
        {
            (true, true) => new IdxFile(raw, gz),
            (true, false) => new IdxFile(raw, null),
            (false, true) => new IdxFile(gz, null),
            _ => null,
        };
    }

    private static IdxImages ReadImages(IdxFile file)
    {
        var images = IdxReader.ReadImages(file.Path);
        if (file.Twin is { } twin)
        {
            var other = IdxReader.ReadImages(twin);
            var mismatch = (images.Count, images.Rows, images.Columns) != (other.Count, other.Rows, other.Columns)
                ? $"{file.Path} holds {images.Count} images of {images.Rows}x{images.Columns}, {twin} {other.Count} of {other.Rows}x{other.Columns}"
                : FirstDifference(images.Pixels, other.Pixels, "pixel byte");
            RefuseIfDifferent(file.Path, twin, mismatch);
        }

        return images;
    }

    private static byte[] ReadLabels(IdxFile file)
    {
        var labels = IdxReader.ReadLabels(file.Path);
        if (file.Twin is { } twin)
        {
            var other = IdxReader.ReadLabels(twin);
            var mismatch = labels.Length != other.Length
                ? $"{file.Path} holds {labels.Length} labels, {twin} {other.Length}"
                : FirstDifference(labels, other, "label");
            RefuseIfDifferent(file.Path, twin, mismatch);
        }

        return labels;
    }

    private static string? FirstDifference(byte[] a, byte[] b, string what)
    {
        var index = a.AsSpan().CommonPrefixLength(b);
        return index == a.Length ? null : $"{what} {index} is {a[index]} in one and {b[index]} in the other";
    }

    private static void RefuseIfDifferent(string raw, string gz, string? mismatch)
    {
        if (mismatch is not null)
        {
            throw new InvalidDataException(
                $"{raw} and {gz} are both present but hold different data ({mismatch}); remove the one that is out of date");
        }
    }

    private static IEnumerable<string> CandidateFolders(string name, DatasetSearchPaths searchPaths)
    {
        if (searchPaths.DataFolder is not null)
            yield return Path.Combine(searchPaths.DataFolder, name);
        if (name == FashionMnistName)
            yield return searchPaths.FashionMnistFolder;
        foreach (var start in searchPaths.SearchStarts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                yield return Path.Combine(dir.FullName, RepositoryDataFolder, name);
        }
    }

    private static string NotFoundMessage(string name, DatasetSearchPaths searchPaths)
    {
        var places = new List<string>
        {
            searchPaths.DataFolder is null
                ? $"${DataFolderVariable}/{name} (${DataFolderVariable} is not set)"
                : Path.Combine(searchPaths.DataFolder, name),
        };
        if (name == FashionMnistName)
            places.Add(searchPaths.FashionMnistFolder);
        places.AddRange(searchPaths.SearchStarts.Select(start => $"{Path.Combine(RepositoryDataFolder, name)} in {start} and each folder above it"));
        var lookedIn = $"looked in {string.Join("; ", places)}.";
        return name switch
        {
            FashionMnistName =>
                $"dataset '{name}' not found: {lookedIn} Install the Debian package dataset-fashion-mnist " +
                $"(apt-get install dataset-fashion-mnist) or pass the folder holding its IDX files.",
            DefaultName =>
                $"dataset '{name}' not found: {lookedIn} It is bundled with the repository in {Path.Combine(RepositoryDataFolder, name)}; " +
                $"run from inside a clone, or set {DataFolderVariable} to a folder holding {name}/, or pass the folder.",
            _ => $"unknown dataset '{name}': no folder of that name here, and none found where datasets are searched: {lookedIn} {DescribeChoices()}",
        };
    }

    private static string DescribeChoices() =>
        $"Known names: {DefaultName} (bundled, {Path.Combine(RepositoryDataFolder, DefaultName)}), " +
        $"{FashionMnistName} (Debian package dataset-fashion-mnist, {FashionMnistSystemFolder}), " +
        $"{SyntheticCifar.Name} (generated: {SyntheticCifar.DefaultTrainCount} train / {SyntheticCifar.DefaultTestCount} test 32x32 RGB images in 10 classes, no download); " +
        $"or pass a folder holding the four IDX files ({string.Join(", ", IdxFileNames)}, each optionally .gz) " +
        $"or CIFAR-10 binary batches ({string.Join(", ", Cifar10Reader.TrainFileNames)}, {Cifar10Reader.TestFileName}).";

    private static bool LooksLikePath(string nameOrPath) =>
        Path.IsPathRooted(nameOrPath)
        || nameOrPath.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
        || nameOrPath.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal)
        || nameOrPath.StartsWith('.')
        || nameOrPath.StartsWith('~');

    private static string FolderName(string folder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))) is { Length: > 0 } n ? n : folder;
}
