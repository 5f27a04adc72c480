using AkkaTtfs.Core.Training;
using AkkaTtfs.Training.Surrogate;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>
/// Copies of the network's state for exactly the epochs the keep rule may still choose
/// (<see cref="CheckpointSelection.Candidates"/>): after every epoch the new one is copied if it is a candidate
/// and copies that stopped being candidates are freed, so memory stays at a few copies however long the run.
/// </summary>
internal sealed class CheckpointStore(CheckpointRule rule, int firstSelectable) : IDisposable
{
    private readonly Dictionary<int, Dictionary<string, Tensor>> _copies = [];
    private readonly List<EpochScore> _scores = [];

    /// <summary>Records the epoch just finished (0-based epochs in order) and returns whether the rule keeps it so far.</summary>
    public bool Add(SurrogateNetwork network, EpochScore score)
    {
        var epoch = _scores.Count;
        _scores.Add(score);
        var candidates = CheckpointSelection.Candidates(rule, _scores, firstSelectable);
        if (candidates.Contains(epoch)) _copies[epoch] = Snapshot(network);
        foreach (var old in _copies.Keys.Where(e => !candidates.Contains(e)).ToArray())
        {
            Dispose(_copies[old]);
            _copies.Remove(old);
        }

        return epoch >= firstSelectable && CheckpointSelection.Select(rule, _scores, firstSelectable) == epoch;
    }

    /// <summary>Loads the kept epoch's state into <paramref name="network"/> and returns that 0-based epoch.</summary>
    public int RestoreKept(SurrogateNetwork network)
    {
        var kept = CheckpointSelection.Select(rule, _scores, firstSelectable);
        if (!_copies.TryGetValue(kept, out var copy))
            throw new InvalidOperationException($"epoch {kept + 1} was chosen but its checkpoint was not kept; the candidate rule and the selection disagree");
        using var noGrad = no_grad();
        foreach (var (name, value) in network.state_dict())
            value.copy_(copy[name]);
        return kept;
    }

    /// <summary>Copies currently held (for tests and diagnostics).</summary>
    public int Count => _copies.Count;

    public void Dispose()
    {
        foreach (var copy in _copies.Values) Dispose(copy);
        _copies.Clear();
    }

    private static Dictionary<string, Tensor> Snapshot(SurrogateNetwork network)
    {
        using var noGrad = no_grad();
        return network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    private static void Dispose(Dictionary<string, Tensor> copy)
    {
        foreach (var t in copy.Values) t.Dispose();
    }
}
