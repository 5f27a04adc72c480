using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Engines;
using AkkaTtfs.Core.Model;
using AkkaTtfs.Core.Engines.Oracles;

namespace AkkaTtfs.Core.Tests.Engines.Oracles;

/// <summary>Both oracles behind one name, so a theory can run the same checks on each.</summary>
internal static class OracleRunner
{
    public const string Dnn = "quantised-dnn";
    public const string Clock = "clock-driven";

    public static IReadOnlyList<string> Names { get; } = [Dnn, Clock];

    public static OracleResult Run(string oracle, SnnModel model, float[] inputs, int count) => oracle switch
    {
        Dnn => QuantisedDnn.Forward(model, inputs, count),
        Clock => ClockDrivenSimulator.Simulate(model, inputs, count),
        _ => throw new ArgumentException($"unknown oracle {oracle}", nameof(oracle)),
    };
}
