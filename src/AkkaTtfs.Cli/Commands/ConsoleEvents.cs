using System.Globalization;
using AkkaTtfs.App;
using AkkaTtfs.Cluster.Runtime;
using AkkaTtfs.Core.Training;

namespace AkkaTtfs.Cli.Commands;

/// <summary>The application layer's status lines and progress, on stderr.</summary>
internal sealed class ConsoleEvents : IAppEvents
{
    public void Status(string line) => Console.Error.WriteLine(line);

    public IProgress<int> Counter(string what, int total) => new ConsoleProgress(what, total);

    public IProgress<TrainingProgress> Training() => new EpochLine();

    public IProgress<RunProgress> Simulation(int total) => new LiveLine(total);

    /// <summary>One line per training epoch.</summary>
    private sealed class EpochLine : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (!value.EpochCompleted) return;
            // The main job trains without a validation split: say so instead of printing an empty value.
            var validation = value.ValidationAccuracy is { } v ? v.ToString("P2", CultureInfo.InvariantCulture) : "-";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {value.Epoch + 1}/{value.Epochs}  loss {value.Loss:F4}  train {value.TrainAccuracy:P2}  val {validation}  p_SR {value.SrProbability:F2}  {value.SamplesPerSecond:F0} samples/s  ETA {value.Remaining:mm\\:ss}"));
        }
    }

    /// <summary>The live progress line while simulating: samples/s, spikes/s, messages/s, bytes/s, batches in flight.</summary>
    private sealed class LiveLine(int total) : IProgress<RunProgress>
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private int _lastDecile = -1;

        public void Report(RunProgress p)
        {
            var s = Math.Max(p.Elapsed.TotalSeconds, 1e-9);
            var decile = p.CompletedSamples * 10 / Math.Max(1, total);
            if (!_interactive && decile == _lastDecile && p.CompletedSamples < total) return;
            _lastDecile = decile;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"simulating {p.CompletedSamples}/{p.TotalSamples}  {p.CompletedSamples / s:F0} samples/s  {p.Spikes / s:E2} spikes/s  {p.Messages / s:F0} msg/s  {p.PayloadBytes / s / 1e6:F2} MB/s  in flight {p.BatchesInFlight}");
            if (_interactive) Console.Error.Write("\r" + line + "   ");
            else Console.Error.WriteLine(line);
            if (_interactive && p.CompletedSamples >= p.TotalSamples) Console.Error.WriteLine();
        }
    }
}
