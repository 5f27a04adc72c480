using System.Globalization;
using AkkaTtfs.Core.Data;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Model;

namespace AkkaTtfs.Cli.Tests;

/// <summary>
/// The oracle of the CLI tests: the Core event-driven reference computed in the test process on the same model
/// file and samples, and a sample-by-sample, bit-for-bit check of the predictions.csv the CLI wrote against it.
/// The CLI's own verdict (bit_identical_to_reference) is never the evidence.
/// </summary>
internal static class ReferenceCheck
{
    /// <summary>The reference result and the labels of the first <paramref name="samples"/> bundled test samples.</summary>
    public static (SimulationResult Result, byte[] Labels) Reference(string modelPath, int samples, string? faultPlanPath = null)
    {
        var model = ModelFile.Load(modelPath);
        var test = DatasetCatalog.Load().Test;
        var plan = faultPlanPath is null ? null : FaultPlan.Load(faultPlanPath);
        var result = new EventDrivenSimulator().Run(model, test.NormaliseRange(0, samples, model.Normalisation), samples, new SimulationOptions(Faults: plan));
        return (result, Enumerable.Range(0, samples).Select(i => (byte)test.Label(i)).ToArray());
    }

    /// <summary>
    /// Every row of <paramref name="csvPath"/> (sample, label, predicted, potential_0..) equals the reference: the
    /// label, the prediction and every output potential bit for bit. Throws (an assertion) at the first difference.
    /// </summary>
    public static void AssertPredictionsMatch(string csvPath, SimulationResult expected, byte[] labels)
    {
        var lines = File.ReadAllLines(csvPath);
        var classes = expected.ClassCount;
        Assert.Equal("sample,label,predicted," + string.Join(",", Enumerable.Range(0, classes).Select(c => $"potential_{c}")), lines[0]);
        Assert.True(lines.Length - 1 == expected.SampleCount, $"{lines.Length - 1} rows for {expected.SampleCount} samples");
        for (var s = 0; s < expected.SampleCount; s++)
        {
            var cells = lines[s + 1].Split(',');
            Assert.True(cells.Length == 3 + classes, $"row {s}: {cells.Length} cells");
            Assert.Equal(s, int.Parse(cells[0], CultureInfo.InvariantCulture));
            Assert.True(labels[s] == int.Parse(cells[1], CultureInfo.InvariantCulture), $"sample {s}: label {cells[1]}, expected {labels[s]}");
            Assert.True(expected.Predictions[s] == int.Parse(cells[2], CultureInfo.InvariantCulture), $"sample {s}: predicted {cells[2]}, the reference {expected.Predictions[s]}");
            for (var c = 0; c < classes; c++)
            {
                var actual = float.Parse(cells[3 + c], NumberStyles.Float, CultureInfo.InvariantCulture);
                var reference = expected.OutputPotentials[(s * classes) + c];
                Assert.True(BitConverter.SingleToInt32Bits(actual) == BitConverter.SingleToInt32Bits(reference),
                    $"sample {s} class {c}: potential {actual:R}, the reference {reference:R}");
            }
        }
    }
}
