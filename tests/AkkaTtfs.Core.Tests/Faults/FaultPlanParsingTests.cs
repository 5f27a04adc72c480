using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Tests.Faults;

/// <summary>The plan file: what parses, how it round-trips, and that every bad plan fails before a run, naming the entry and field.</summary>
public class FaultPlanParsingTests
{
    private static readonly NetworkSpec Mnist = ArchitectureParser.Build("c12k5-p2-c64k5-p2-d10", TensorShape.Image(1, 28, 28));

    [Fact]
    public void Every_kind_parses_with_its_fields_and_round_trips_through_json()
    {
        const string json = """
            {
              // comments and trailing commas are fine
              "seed": 18446744073709551615,
              "note": "all kinds",
              "faults": [
                { "kind": "drop", "layer": 0, "rate": 0.05 },
                { "kind": "delay", "layer": 1, "rate": 0.1, "steps": 3, "from": 100, "to": 199 },
                { "kind": "jitter", "layer": 0, "rate": 1, "steps": 2, "note": "x" },
                { "kind": "dead", "layer": 0, "rate": 0.01 },
                { "kind": "stuck", "layer": 1, "rate": 0.001, "to": null },
                { "kind": "drift", "layer": 0, "rate": 0.1, "factor": 1.5 },
                { "kind": "bitflip", "layer": 2, "rate": 1e-4 },
                { "kind": "zero", "layer": 1, "rate": 0.01 },
                { "kind": "duplicate", "layer": 1, "rate": 0.2, "from": 5 },
              ]
            }
            """;
        var plan = FaultPlan.Parse(json);
        plan.Validate(Mnist);
        Assert.Equal(ulong.MaxValue, plan.Seed);
        Assert.Equal(9, plan.Faults.Count);
        Assert.Equal(new FaultSpec(FaultKind.Delay, 1, 0.1, Steps: 3, From: 100, To: 199), plan.Faults[1]);
        Assert.Equal(new FaultSpec(FaultKind.Drift, 0, 0.1, Factor: 1.5), plan.Faults[5]);
        Assert.Equal(FaultKind.ZeroWeight, plan.Faults[7].Kind);
        Assert.Equal(new FaultSpec(FaultKind.Duplicate, 1, 0.2, From: 5), plan.Faults[8]);
        Assert.Equal(FaultLevel.Spike, plan.Faults[8].Level);
        Assert.True(plan.HasWeightFaults);
        Assert.True(plan.Faults[1].IsActive(100) && plan.Faults[1].IsActive(199));
        Assert.False(plan.Faults[1].IsActive(99) || plan.Faults[1].IsActive(200));

        var again = FaultPlan.Parse(plan.ToJson());
        Assert.Equal(plan.Seed, again.Seed);
        Assert.Equal(plan.Faults, again.Faults);
        Assert.Equal(plan.ToJson(indented: false), again.ToJson(indented: false));
    }

    [Fact]
    public void The_sample_plans_parse_and_fit_the_bundled_network()
    {
        var folder = Path.Combine(RepoPaths.Root, "samples", "faults");
        var files = Directory.GetFiles(folder, "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var plan = FaultPlan.Load(file);
            plan.Validate(Mnist);
            Assert.True(plan.Faults.Count + plan.Runtime.Count > 0, $"{file} has no fault");
        }
    }

    public static TheoryData<string, int?, string?, string> BadPlans => new()
    {
        { """{ "seed": 1, "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1 }, { "kind": "explode", "layer": 0, "rate": 0.1 } ] }""", 1, "kind", "unknown kind 'explode'" },
        { """{ "faults": [ { "kind": "duplicate", "layer": 0 } ] }""", 0, "rate", "is required for duplicate" },
        { """{ "faults": [ { "kind": "duplicate", "layer": 0, "rate": 0.1, "steps": 1 } ] }""", 0, "steps", "duplicate takes no steps" },
        { """{ "faults": [ { "kind": "duplicate", "layer": 0, "rate": 0.1, "factor": 2 } ] }""", 0, "factor", "duplicate takes no factor" },
        { """{ "faults": [ { "kind": "duplicate", "layer": 0, "rate": 1.01 } ] }""", 0, "rate", "outside [0, 1]" },
        { """{ "faults": [ { "kind": "Duplicate", "layer": 0, "rate": 0.1 } ] }""", 0, "kind", "unknown kind 'Duplicate'; known kinds: drop, delay, jitter, dead, stuck, drift, bitflip, zero, duplicate" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 1.5 } ] }""", 0, "rate", "outside [0, 1]" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1 }, { "kind": "zero", "layer": 0, "rate": -0.01 } ] }""", 1, "rate", "outside [0, 1]" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": "0.1" } ] }""", 0, "rate", "not a number" },
        { """{ "faults": [ { "kind": "drop", "layer": 0 } ] }""", 0, "rate", "is required" },
        { """{ "faults": [ { "kind": "drop", "rate": 0.1 } ] }""", 0, "layer", "is required" },
        { """{ "faults": [ { "kind": "drop", "layer": -1, "rate": 0.1 } ] }""", 0, "layer", "not a layer index" },
        { """{ "faults": [ { "kind": "drop", "layer": 0.5, "rate": 0.1 } ] }""", 0, "layer", "not an integer" },
        { """{ "faults": [ { "kind": "delay", "layer": 0, "rate": 0.1 } ] }""", 0, "steps", "is required" },
        { """{ "faults": [ { "kind": "jitter", "layer": 0, "rate": 0.1, "steps": -2 } ] }""", 0, "steps", "outside [0, 255]" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1, "steps": 2 } ] }""", 0, "steps", "takes no steps" },
        { """{ "faults": [ { "kind": "drift", "layer": 0, "rate": 0.1 } ] }""", 0, "factor", "is required" },
        { """{ "faults": [ { "kind": "drift", "layer": 0, "rate": 0.1, "factor": 0 } ] }""", 0, "factor", "not a finite number > 0" },
        { """{ "faults": [ { "kind": "dead", "layer": 0, "rate": 0.1, "factor": 2 } ] }""", 0, "factor", "takes no factor" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1, "from": -3 } ] }""", 0, "from", "negative" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1, "from": 10, "to": 9 } ] }""", 0, "to", "before from = 10" },
        { """{ "faults": [ { "kind": "bitflip", "layer": 0, "rate": 0.1, "from": 10 } ] }""", 0, "from", "takes no schedule" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0.1, "probability": 0.2 } ] }""", 0, "probability", "unknown field" },
        { """{ "faults": [ 3 ] }""", 0, null, "must be an object" },
        { """{ "seed": -1, "faults": [] }""", null, "seed", "not an integer" },
        { """{ "seed": 1 }""", null, "faults", "is missing" },
        { """{ "seed": 1, "faults": [], "extra": 1 }""", null, "extra", "unknown field" },
        { """{ "seed": 1, "faults": [ """, null, null, "not valid JSON" },
        { """[1, 2]""", null, null, "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadPlans))]
    public void Bad_plans_fail_naming_the_entry_and_field(string json, int? entry, string? field, string because)
    {
        var ex = Assert.Throws<FaultPlanException>(() => FaultPlan.Parse(json));
        Assert.Equal(entry, ex.EntryIndex);
        Assert.Equal(field, ex.Field);
        Assert.Contains(because, ex.Message, StringComparison.Ordinal);
        if (entry is { } e) Assert.Contains($"entry {e}", ex.Message, StringComparison.Ordinal);
        if (field is not null) Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArgumentException>(ex);
    }

    public static TheoryData<string, int, string> PlansThatDoNotFitTheModel => new()
    {
        { """{ "faults": [ { "kind": "zero", "layer": 2, "rate": 0.1 }, { "kind": "drop", "layer": 3, "rate": 0.1 } ] }""", 1, "layer 3 does not exist" },
        { """{ "faults": [ { "kind": "drop", "layer": 2, "rate": 0.1 } ] }""", 0, "layer 2 is the output layer" },
        { """{ "faults": [ { "kind": "dead", "layer": 2, "rate": 0.1 } ] }""", 0, "layer 2 is the output layer" },
        { """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 0 }, { "kind": "dead", "layer": 0, "rate": 0 }, { "kind": "bitflip", "layer": 3, "rate": 0.1 } ] }""", 2, "has 3 weighted layers" },
    };

    [Theory]
    [MemberData(nameof(PlansThatDoNotFitTheModel))]
    public void A_layer_the_model_lacks_fails_before_the_run_naming_the_entry(string json, int entry, string because)
    {
        var plan = FaultPlan.Parse(json);
        var ex = Assert.Throws<FaultPlanException>(() => plan.Validate(Mnist));
        Assert.Equal(entry, ex.EntryIndex);
        Assert.Equal("layer", ex.Field);
        Assert.Contains(because, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"entry {entry}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_names_the_file_and_keeps_the_entry()
    {
        using var folder = new Data.TempFolder();
        var path = Path.Combine(folder.Path, "bad.json");
        File.WriteAllText(path, """{ "faults": [ { "kind": "drop", "layer": 0, "rate": 2 } ] }""");
        var ex = Assert.Throws<FaultPlanException>(() => FaultPlan.Load(path));
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, ex.EntryIndex);
        Assert.Equal("rate", ex.Field);
    }

    [Fact]
    public void A_layer_takes_at_most_seven_duplicate_entries_since_each_doubles_the_copies()
    {
        var seven = Enumerable.Repeat(new FaultSpec(FaultKind.Duplicate, 0, 0.5), FaultPlan.MaxDuplicatesPerLayer).ToList();
        var plan = new FaultPlan(1, [.. seven, new FaultSpec(FaultKind.Duplicate, 1, 0.5), new FaultSpec(FaultKind.Drop, 0, 0.5)]);
        plan.Validate(Mnist);
        var ex = Assert.Throws<FaultPlanException>(() => new FaultPlan(1, [new FaultSpec(FaultKind.Drop, 0, 0.5), .. seven, new FaultSpec(FaultKind.Duplicate, 0, 0)]));
        Assert.Equal(8, ex.EntryIndex);
        Assert.Equal("layer", ex.Field);
        Assert.Contains("at most 128 copies", ex.Message, StringComparison.Ordinal);
        var json = $$"""{ "faults": [ {{string.Join(", ", Enumerable.Repeat("""{ "kind": "duplicate", "layer": 1, "rate": 0.1 }""", 8))}} ] }""";
        Assert.Equal(7, Assert.Throws<FaultPlanException>(() => FaultPlan.Parse(json)).EntryIndex);
    }

    [Fact]
    public void Constructed_plans_are_checked_like_parsed_ones()
    {
        var ex = Assert.Throws<FaultPlanException>(() => new FaultPlan(1, [new FaultSpec(FaultKind.Drop, 0, 0.1), new FaultSpec(FaultKind.Delay, 0, double.NaN, Steps: 1)]));
        Assert.Equal(1, ex.EntryIndex);
        Assert.Equal("rate", ex.Field);
    }
}
