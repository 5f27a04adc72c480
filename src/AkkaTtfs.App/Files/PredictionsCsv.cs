using System.Globalization;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Engines.Oracles;

namespace AkkaTtfs.App.Files;

/// <summary>
/// predictions.csv: one row per sample (sample, label, predicted, then the output potential of every class),
/// so that results can be checked against another simulator sample by sample. Potentials are written in
/// round-trip form: parsing the text gives the same bits back.
/// </summary>
public static class PredictionsCsv
{
    public const string FileName = "predictions.csv";

    public static void Write(string path, SimulationResult result, ReadOnlySpan<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(result);
        var potentials = result.OutputPotentials;
        Write(path, labels.ToArray(), result.Predictions, result.ClassCount, (i, w) => w.Write(potentials[i].ToString("R", CultureInfo.InvariantCulture)));
    }

    public static void Write(string path, OracleResult result, ReadOnlySpan<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(result);
        var potentials = result.OutputPotentials;
        Write(path, labels.ToArray(), result.Predictions, result.ClassCount, (i, w) => w.Write(potentials[i].ToString("R", CultureInfo.InvariantCulture)));
    }

    private static void Write(string path, byte[] labels, int[] predictions, int classes, Action<int, TextWriter> potential)
    {
        OutputFiles.WriteText(path, writer =>
        {
            writer.Write("sample,label,predicted");
            for (var c = 0; c < classes; c++) writer.Write(string.Create(CultureInfo.InvariantCulture, $",potential_{c}"));
            writer.WriteLine();
            for (var s = 0; s < predictions.Length; s++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{s},{labels[s]},{predictions[s]}"));
                for (var c = 0; c < classes; c++)
                {
                    writer.Write(',');
                    potential((s * classes) + c, writer);
                }

                writer.WriteLine();
            }
        });
    }
}
