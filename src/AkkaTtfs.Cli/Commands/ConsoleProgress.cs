using System.Diagnostics;

namespace AkkaTtfs.Cli.Commands;

/// <summary>
/// A progress line on stderr: rewritten in place on a terminal, printed every tenth of the work when
/// redirected (so logs stay short), always with the rate and an ETA.
/// </summary>
internal sealed class ConsoleProgress(string what, int total) : IProgress<int>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private int _lastDecile = -1;
    private long _lastTicks;

    public void Report(int value)
    {
        var decile = total == 0 ? 10 : value * 10 / total;
        var now = _clock.ElapsedTicks;
        if (_interactive ? now - _lastTicks < Stopwatch.Frequency / 10 && value < total : decile == _lastDecile)
            return;
        _lastTicks = now;
        _lastDecile = decile;
        var seconds = _clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? value / seconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds((total - value) / rate) : TimeSpan.Zero;
        var line = $"{what}: {value}/{total} ({rate:F0}/s, ETA {eta:mm\\:ss})";
        if (_interactive) Console.Error.Write($"\r{line}   ");
        else Console.Error.WriteLine(line);
        if (value >= total && _interactive) Console.Error.WriteLine();
    }
}
