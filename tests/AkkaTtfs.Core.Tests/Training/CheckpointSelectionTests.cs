using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Core.Tests.Training;

public class CheckpointSelectionTests
{
    // Validation accuracies are k / 800 as with the bundled MNIST's 800-sample validation split.
    private static EpochScore S(int correct, double spikes) => new(correct / 800.0, spikes);

    private static readonly EpochScore[] Run =
    [
        S(700, 4900), S(760, 4800),                 // 0-based epochs 0-1: not selectable here (first = 2)
        S(780, 3000), S(783, 2500), S(779, 1000),    // 2: 97.50%, 3: 97.875% (best), 4: 97.375% (exactly 0.5 below)
        S(781, 1200), S(776, 900), S(783, 1300),     // 5: 97.625%, 6: 97.00%, 7: 97.875% (best again)
    ];

    [Theory]
    [InlineData("best", 7)]              // the later of the two best epochs
    [InlineData("last", 7)]
    [InlineData("efficient:0", 7)]       // only the two best epochs: 7 fires less than 3
    [InlineData("efficient:0.25", 5)]    // >= 97.625%: 3, 5, 7 -> 5 (1,200 spikes)
    [InlineData("efficient:0.5", 4)]     // >= 97.375%: 2, 3, 4, 5, 7 -> 4 (1,000)
    [InlineData("efficient:0.9", 6)]     // >= 96.975%: 6 (900) joins
    [InlineData("efficient:100", 6)]
    public void The_rule_picks_the_expected_epoch(string rule, int expected)
    {
        var r = CheckpointRule.Parse(rule);
        Assert.Equal(expected, CheckpointSelection.Select(r, Run, 2));
        Assert.Equal(expected, Oracle(r, Run, 2));
    }

    [Fact]
    public void An_epoch_exactly_drop_points_below_the_best_is_within()
    {
        // 97.875% best; 97.375% is exactly 0.5 points below and has the fewest spikes.
        EpochScore[] run = [S(783, 3000), S(779, 100)];
        Assert.Equal(1, CheckpointSelection.Select(CheckpointRule.Parse("efficient:0.5"), run, 0));
        Assert.Equal(0, CheckpointSelection.Select(CheckpointRule.Parse("efficient:0.49"), run, 0));
    }

    [Fact]
    public void Epochs_before_the_first_selectable_are_never_kept_even_when_better()
    {
        EpochScore[] run = [S(800, 10), S(700, 5000), S(710, 4000)];
        Assert.Equal(2, CheckpointSelection.Select(CheckpointRule.Best, run, 1));
        Assert.Equal(2, CheckpointSelection.Select(CheckpointRule.Parse("efficient:5"), run, 1));
        Assert.Equal(1, CheckpointSelection.Select(CheckpointRule.Parse("efficient:3"), [.. run[..2], S(720, 6000)], 1));   // 87.5% is 2.5 points below 90%
    }

    [Fact]
    public void Without_validation_scores_every_rule_keeps_the_last_epoch()
    {
        EpochScore[] run = [new(null, null), new(null, null), new(null, null)];
        foreach (var rule in new[] { CheckpointRule.Best, CheckpointRule.Last, CheckpointRule.Efficient })
        {
            Assert.Equal(2, CheckpointSelection.Select(rule, run, 0));
            Assert.Equal([2], CheckpointSelection.Candidates(rule, run, 0));
        }
    }

    [Fact]
    public void Ties_go_to_fewer_spikes_then_higher_accuracy_then_the_later_epoch()
    {
        var rule = CheckpointRule.Parse("efficient:1");
        Assert.Equal(1, CheckpointSelection.Select(rule, [S(790, 500), S(795, 500), S(791, 500)], 0));
        Assert.Equal(2, CheckpointSelection.Select(rule, [S(790, 500), S(795, 500), S(795, 500)], 0));
        Assert.Equal(2, CheckpointSelection.Select(CheckpointRule.Best, [S(790, 1), S(795, 500), S(795, 900)], 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_final_choice_is_always_among_the_candidates_of_every_prefix_and_every_candidate_can_still_win(ulong seed)
    {
        var random = new SplitMix64(seed);
        foreach (var rule in new[] { CheckpointRule.Best, CheckpointRule.Last, CheckpointRule.Parse("efficient:0"), CheckpointRule.Parse("efficient:0.3"), CheckpointRule.Efficient, CheckpointRule.Parse("efficient:2") })
        {
            for (var trial = 0; trial < 50; trial++)
            {
                var n = 1 + (int)(random.NextDouble() * 30);
                var first = (int)(random.NextDouble() * n);
                // Few distinct values, so that ties on accuracy and on spikes are common.
                var run = Enumerable.Range(0, n).Select(_ => S(770 + (int)(random.NextDouble() * 16), 100 * (1 + (int)(random.NextDouble() * 12)))).ToArray();
                var kept = CheckpointSelection.Select(rule, run, first);
                Assert.Equal(Oracle(rule, run, first), kept);
                for (var k = first + 1; k <= n; k++)
                {
                    var candidates = CheckpointSelection.Candidates(rule, run[..k], first);
                    if (kept < k) Assert.Contains(kept, candidates);
                    if (rule.Kind != KeepKind.Efficient) Assert.Single(candidates);
                    foreach (var c in candidates.Where(c => rule.Kind == KeepKind.Efficient))
                    {
                        // A continuation that makes c the choice: one epoch exactly DROP above c, firing more than any epoch so far.
                        EpochScore[] extended = [.. run[..k], new(run[c].Accuracy + (rule.DropPoints / 100), 1e9)];
                        Assert.Equal(c, Oracle(rule, extended, first));
                    }
                }
            }
        }
    }

    [Fact]
    public void Candidates_stay_few_when_spikes_fall_steadily()
    {
        var random = new SplitMix64(7);
        var run = Enumerable.Range(0, 200).Select(e => S(775 + (int)(random.NextDouble() * 10), 5000 - (20 * e))).ToArray();
        var most = Enumerable.Range(1, 200).Max(k => CheckpointSelection.Candidates(CheckpointRule.Efficient, run[..k], 0).Count);
        Assert.InRange(most, 1, 12);
    }

    [Theory]
    [InlineData("best", KeepKind.Best, 0)]
    [InlineData("LAST", KeepKind.Last, 0)]
    [InlineData("efficient", KeepKind.Efficient, CheckpointRule.DefaultDropPoints)]
    [InlineData(" efficient:0.3 ", KeepKind.Efficient, 0.3)]
    [InlineData("efficient:0", KeepKind.Efficient, 0)]
    public void Rules_parse_and_print_back(string text, KeepKind kind, double drop)
    {
        var rule = CheckpointRule.Parse(text);
        Assert.Equal(new CheckpointRule(kind, drop), rule);
        Assert.Equal(rule, CheckpointRule.Parse(rule.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("efficient:")]
    [InlineData("efficient:-1")]
    [InlineData("efficient:101")]
    [InlineData("efficient:NaN")]
    [InlineData("best:1")]
    public void Bad_rules_are_refused_with_the_text(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => CheckpointRule.Parse(text));
        Assert.Contains($"'{text}'", ex.Message.Replace($"'{text.Trim()}'", $"'{text}'"));
    }

    [Fact]
    public void The_full_method_defaults_to_efficient_and_the_others_to_best()
    {
        Assert.Equal(CheckpointRule.Efficient, CheckpointRule.DefaultFor(TrainingPreset.SrTrTb));
        Assert.Equal(CheckpointRule.Best, CheckpointRule.DefaultFor(TrainingPreset.Sm));
        Assert.Equal(CheckpointRule.Best, new TrainingOptions { Preset = TrainingPreset.SrTr }.ResolvedKeep);
        Assert.Equal(CheckpointRule.Last, new TrainingOptions { Keep = CheckpointRule.Last }.ResolvedKeep);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CheckpointSelection.Select(CheckpointRule.Best, [], 0));
        Assert.Throws<ArgumentException>(() => CheckpointSelection.Select(CheckpointRule.Best, [S(1, 1)], 1));
        Assert.Throws<ArgumentException>(() => CheckpointSelection.Select(new CheckpointRule(KeepKind.Efficient, double.NaN), [S(1, 1)], 0));
        Assert.Empty(CheckpointSelection.Candidates(CheckpointRule.Best, [S(1, 1)], 1));
    }

    /// <summary>The rules written as sorts, independently of the implementation's single pass.</summary>
    private static int Oracle(CheckpointRule rule, EpochScore[] run, int first)
    {
        var epochs = Enumerable.Range(first, run.Length - first).ToArray();
        return rule.Kind switch
        {
            KeepKind.Last => run.Length - 1,
            KeepKind.Best => epochs.OrderByDescending(e => run[e].Accuracy).ThenByDescending(e => e).First(),
            _ => epochs.Where(e => run[e].Accuracy * 100 >= (epochs.Max(b => run[b].Accuracy!.Value) * 100) - rule.DropPoints - 1e-7)
                .OrderBy(e => run[e].SpikesPerSample).ThenByDescending(e => run[e].Accuracy).ThenByDescending(e => e).First(),
        };
    }
}
