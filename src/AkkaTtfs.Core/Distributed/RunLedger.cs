using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Engines;
namespace AkkaTtfs.Core.Distributed;

/// <summary>
/// The coordinator's book of one run: which batches are waiting, in flight (with their attempt) or done;
/// at most <see cref="MaxInFlight"/> in flight (credits), so memory stays bounded and layers pipeline.
/// Every batch is kept until its result is in, so that a crash can replay it; a result is taken once
/// per batch (duplicates of a replayed batch are dropped by batch id).
/// </summary>
public sealed class RunLedger
{
    private readonly int[] _attempt;
    private readonly bool[] _done;
    private readonly SortedSet<int> _inFlight = [];
    private readonly Queue<int> _waiting = new();

    public RunLedger(int sampleCount, int batchSize, int maxInFlight)
    {
        if (sampleCount < 0) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "must be >= 0");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be >= 1");
        if (maxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(maxInFlight), maxInFlight, "at least one batch must be allowed in flight");
        SampleCount = sampleCount;
        BatchSize = batchSize;
        MaxInFlight = maxInFlight;
        BatchCount = (sampleCount + batchSize - 1) / batchSize;
        _attempt = new int[BatchCount];
        _done = new bool[BatchCount];
        for (var b = 0; b < BatchCount; b++) _waiting.Enqueue(b);
    }

    public int SampleCount { get; }

    public int BatchSize { get; }

    public int MaxInFlight { get; }

    public int BatchCount { get; }

    public int CompletedBatches { get; private set; }

    public int InFlight => _inFlight.Count;

    public long ReplayedBatches { get; private set; }

    public long DuplicateResults { get; private set; }

    public bool IsComplete => CompletedBatches == BatchCount;

    /// <summary>The attempt whose results count for a batch.</summary>
    public int CurrentAttempt(int batchId) => _attempt[batchId];

    public bool IsDone(int batchId) => _done[batchId];

    /// <summary>First sample and sample count of a batch.</summary>
    public (int First, int Count) Samples(int batchId) => (FirstSampleOf(batchId, BatchSize), Math.Min(BatchSize, SampleCount - FirstSampleOf(batchId, BatchSize)));

    /// <summary>
    /// The global index of a batch's first sample: batch b of a run cut into batches of <paramref name="batchSize"/>.
    /// Fault draws are keyed by it, so a partition that only knows the batch id and size derives it here too.
    /// </summary>
    /// <exception cref="OverflowException">The index does not fit an int (a forged batch id).</exception>
    public static int FirstSampleOf(int batchId, int batchSize) => checked(batchId * batchSize);

    /// <summary>Batches that may be sent now (within the credit), marked in flight.</summary>
    public IReadOnlyList<BatchKey> TakeSendable()
    {
        var list = new List<BatchKey>();
        while (_inFlight.Count < MaxInFlight && _waiting.Count > 0)
        {
            var b = _waiting.Dequeue();
            if (_done[b]) continue;
            _inFlight.Add(b);
            list.Add(new BatchKey(b, _attempt[b]));
        }

        return list;
    }

    /// <summary>Records a batch result; false (and counted) when the batch already has one or the attempt is stale.</summary>
    public bool Complete(BatchKey key)
    {
        if (key.BatchId < 0 || key.BatchId >= BatchCount) throw new ArgumentOutOfRangeException(nameof(key), key, $"the run has {BatchCount} batches");
        if (_done[key.BatchId] || key.Attempt != _attempt[key.BatchId])
        {
            DuplicateResults++;
            return false;
        }

        _done[key.BatchId] = true;
        _inFlight.Remove(key.BatchId);
        CompletedBatches++;
        return true;
    }

    /// <summary>
    /// After a failure: every batch in flight gets a new attempt and is sent again (its earlier messages
    /// become stale everywhere). Returns the new keys.
    /// </summary>
    public IReadOnlyList<BatchKey> ReplayInFlight()
    {
        var keys = new List<BatchKey>(_inFlight.Count);
        foreach (var b in _inFlight)
        {
            _attempt[b]++;
            keys.Add(new BatchKey(b, _attempt[b]));
        }

        ReplayedBatches += keys.Count;
        return keys;
    }

    /// <summary>Samples whose batch completed (what a run that has to stop can still report).</summary>
    public IEnumerable<int> CompletedSamples()
    {
        for (var b = 0; b < BatchCount; b++)
        {
            if (!_done[b]) continue;
            var (first, count) = Samples(b);
            for (var s = first; s < first + count; s++) yield return s;
        }
    }
}
