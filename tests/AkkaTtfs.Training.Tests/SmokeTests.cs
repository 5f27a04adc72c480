using TorchSharp;

namespace AkkaTtfs.Training.Tests;

public class SmokeTests
{
    [Fact]
    public void Torch_loads()
    {
        using var x = torch.ones(3);
        Assert.Equal(3f, x.sum().item<float>());
    }
}
