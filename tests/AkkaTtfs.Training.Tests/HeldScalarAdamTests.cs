using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training.Tests;

/// <summary>
/// <see cref="HeldScalarAdam"/> must give the bits TorchSharp's own Adam gives (training results, and the main job's
/// model, stay what they were): both optimise copies of one small network on the same batches, and every parameter is
/// compared bit for bit after each step. The comparison is itself shown to see a one-ULP change.
/// </summary>
[Collection(LibTorchCollection.Name)]
public class HeldScalarAdamTests
{
    [Fact]
    public void It_updates_every_parameter_to_the_same_bits_as_torchsharps_adam()
    {
        manual_seed(7);
        using var reference = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3));
        using var held = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3));
        using (no_grad())
        {
            foreach (var (r, h) in reference.parameters().Zip(held.parameters())) h.copy_(r);
        }

        using var torchAdam = optim.Adam(reference.parameters(), 0.01);
        using var ours = new HeldScalarAdam(held.parameters(), 0.01);
        for (var step = 0; step < 8; step++)
        {
            if (step == 5)
            {
                foreach (var group in torchAdam.ParamGroups) group.LearningRate = 0.001;
                ours.LearningRate = 0.001;
            }

            using var scope = NewDisposeScope();
            var x = randn(4, 6);
            var y = randint(0, 3, 4);
            torchAdam.zero_grad();
            nn.functional.cross_entropy(reference.call(x), y).backward();
            torchAdam.step();
            ours.ZeroGrad();
            nn.functional.cross_entropy(held.call(x), y).backward();
            ours.Step();
            Assert.True(SameBits(reference, held), $"parameters differ after step {step + 1}");
        }

        // The comparison sees a one-ULP change of one weight.
        using (no_grad())
        {
            var first = held.parameters().First();
            var value = first.flatten()[0].item<float>();
            first.flatten()[0] = tensor(MathF.BitIncrement(value));
        }

        Assert.False(SameBits(reference, held));
    }

    private static bool SameBits(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b) =>
        a.parameters().Zip(b.parameters()).All(p =>
            p.First.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits)
                .SequenceEqual(p.Second.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits)));
}
