using System.Text;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.IO;
using AkkaTtfs.Core.Tests.Data;

namespace AkkaTtfs.Core.Tests.IO;

/// <summary>FaultPlan.Load reads through InputFile: regular files only, at most FaultPlan.MaxFileLength bytes.</summary>
public sealed class FaultPlanFileTests : IDisposable
{
    private const string Plan = """{"seed": 3, "faults": [{"kind": "drop", "layer": 0, "rate": 0.5}]}""";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_plan_file_is_read_and_parsed()
    {
        var path = _temp.Write("plan.json", Encoding.UTF8.GetBytes(Plan));

        Assert.Equal(FaultPlan.Parse(Plan).Seed, FaultPlan.Load(path).Seed);
    }

    [Fact]
    public void A_FIFO_is_refused_without_waiting_for_a_writer()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Path, "plan.json"));

        var error = SpecialFiles.ThrowsWithoutBlocking<InputFileException>(fifo, () => FaultPlan.Load(fifo));

        Assert.StartsWith($"fault plan {fifo}: is a FIFO (named pipe)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void An_endless_device_is_refused_before_it_is_read(string device)
    {
        var error = Assert.Throws<InputFileException>(() => FaultPlan.Load(device));

        Assert.StartsWith($"fault plan {device}: is a character device", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_past_the_size_limit_is_refused_before_it_is_parsed()
    {
        var path = _temp.Write("plan.json", Encoding.UTF8.GetBytes(Plan + new string(' ', (int)FaultPlan.MaxFileLength)));

        var error = Assert.Throws<InputFileException>(() => FaultPlan.Load(path));

        Assert.Equal($"fault plan {path}: is {Plan.Length + FaultPlan.MaxFileLength:N0} bytes, more than the {FaultPlan.MaxFileLength:N0} bytes a fault plan can be", error.Message);
    }
}
