using AkkaTtfs.Core.Metrics;

namespace AkkaTtfs.Core.Tests.Metrics;

/// <summary>Energy constants are finite and non-negative, or refused naming the constant and its value.</summary>
public sealed class EnergyModelTests
{
    public static TheoryData<double, string> BadValues() => new()
    {
        { double.NaN, "NaN" },
        { double.PositiveInfinity, "Infinity" },
        { double.NegativeInfinity, "-Infinity" },
        { -1, "-1" },
        { -double.Epsilon, "-5E-324" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_accumulate_energy_is_refused_naming_it(double value, string shown)
    {
        var error = Assert.Throws<ArgumentException>(() => new EnergyModel(value, 4.6));

        Assert.Equal($"energy constant E_AC (energy per accumulate) is {shown} pJ; it must be a finite number >= 0", error.Message);
        Assert.Equal(error.Message, EnergyModel.Check(value, 4.6));
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_multiply_accumulate_energy_is_refused_naming_it(double value, string shown)
    {
        var error = Assert.Throws<ArgumentException>(() => new EnergyModel(0.9, value));

        Assert.Equal($"energy constant E_MAC (energy per multiply-accumulate) is {shown} pJ; it must be a finite number >= 0", error.Message);
        Assert.Equal(error.Message, EnergyModel.Check(0.9, value));
    }

    [Fact]
    public void A_with_copy_is_checked_too()
    {
        Assert.Throws<ArgumentException>(() => EnergyModel.Default with { MultiplyAccumulatePicojoules = double.NaN });
    }

    [Fact]
    public void Zero_and_ordinary_values_are_accepted()
    {
        var model = new EnergyModel(0, 1e-3);

        Assert.Equal((0.0, 1e-3), (model.AccumulatePicojoules, model.MultiplyAccumulatePicojoules));
        Assert.Null(EnergyModel.Check(0.9, 4.6));
        Assert.Equal(new EnergyModel(0.9, 4.6), EnergyModel.Default);
    }
}
