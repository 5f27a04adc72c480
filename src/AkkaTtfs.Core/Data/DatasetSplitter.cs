namespace AkkaTtfs.Core.Data;

/// <summary>Deterministic, stratified train/validation split of a dataset.</summary>
public static class DatasetSplitter
{
    /// <summary>
    /// Holds out round(<paramref name="validationFraction"/> x Count) samples for validation, the same
    /// fraction of every class: each class gets floor(f x n_c) and the samples left over by rounding go to
    /// the classes with the largest remainders (ties: lower label). Within a class the held-out samples are
    /// chosen by a Fisher-Yates shuffle driven by <see cref="SplitMix64"/>(<paramref name="seed"/>), classes in
    /// label order, so a seed gives the same split on every machine. Both parts keep the original sample order.
    /// </summary>
    public static (Dataset Train, Dataset Validation) Split(Dataset dataset, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                $"validation fraction must be in [0, 1) (0 = no validation set), got {validationFraction}");

        var byClass = new List<int>[dataset.ClassCount];
        for (var c = 0; c < byClass.Length; c++)
            byClass[c] = [];
        for (var i = 0; i < dataset.Count; i++)
            byClass[dataset.Label(i)].Add(i);

        var quotas = ValidationQuotas(byClass.Select(l => l.Count).ToArray(), validationFraction, dataset.Count);
        var random = new SplitMix64(unchecked((ulong)(long)seed));
        var isValidation = new bool[dataset.Count];
        for (var c = 0; c < byClass.Length; c++)
        {
            var members = byClass[c].ToArray();
            random.Shuffle(members.AsSpan());
            foreach (var i in members.AsSpan(0, quotas[c]))
                isValidation[i] = true;
        }

        var train = new List<int>(dataset.Count);
        var validation = new List<int>();
        for (var i = 0; i < dataset.Count; i++)
            (isValidation[i] ? validation : train).Add(i);
        return (
            dataset.Subset(train, $"{dataset.Name}/train(seed {seed})"),
            dataset.Subset(validation, $"{dataset.Name}/validation(seed {seed})"));
    }

    /// <summary>Validation samples per class, summing to round(f x total) (largest-remainder apportionment).</summary>
    internal static int[] ValidationQuotas(int[] classSizes, double fraction, int total)
    {
        var target = (int)Math.Round(fraction * total, MidpointRounding.AwayFromZero);
        var quotas = new int[classSizes.Length];
        var remainders = new double[classSizes.Length];
        for (var c = 0; c < classSizes.Length; c++)
        {
            var exact = fraction * classSizes[c];
            quotas[c] = (int)Math.Floor(exact);
            remainders[c] = exact - quotas[c];
        }

        var order = Enumerable.Range(0, classSizes.Length)
            .Where(c => quotas[c] < classSizes[c])
            .OrderByDescending(c => remainders[c])
            .ThenBy(c => c)
            .ToList();
        for (int k = 0, left = target - quotas.Sum(); k < order.Count && left > 0; k++, left--)
            quotas[order[k]]++;
        return quotas;
    }
}
