using System.CommandLine;
using AkkaTtfs.Core.Data;

namespace AkkaTtfs.Cli.Commands;

/// <summary><c>akkattfs dataset</c>: what a dataset holds.</summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var data = CliOptions.Data();
        var command = new Command("dataset", "Print a dataset's shape, classes and sample counts") { data };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var pair = DatasetCatalog.Load(parse.GetValue(data)!);
            Console.WriteLine($"dataset  {pair.Train.Name}");
            Console.WriteLine($"shape    {pair.Train.SampleShape} (channels, height, width)");
            Console.WriteLine($"classes  {pair.Train.ClassCount}");
            Console.WriteLine($"train    {pair.Train.Count} samples");
            Console.WriteLine($"test     {pair.Test.Count} samples");
            Console.WriteLine();
            Console.WriteLine("class    train    test");
            var train = pair.Train.ClassHistogram();
            var test = pair.Test.ClassHistogram();
            for (var c = 0; c < Math.Max(train.Length, test.Length); c++)
                Console.WriteLine($"{c,5} {(c < train.Length ? train[c] : 0),8} {(c < test.Length ? test[c] : 0),7}");
            return 0;
        }));
        return command;
    }
}
