using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>
/// The libtorch device the surrogate trains on (<see cref="Core.Training.TrainingOptions.Device"/>). This build
/// references the CPU libtorch package; CUDA needs TorchSharp's CUDA packages (see README, "Training on a GPU").
/// </summary>
public static class TrainingDevice
{
    /// <summary>The device named by <paramref name="name"/>; a CUDA device this process cannot reach is refused in one line.</summary>
    /// <exception cref="ArgumentException">Not cpu/cuda/cuda:N, or CUDA is not available here, or the GPU index is past the last GPU.</exception>
    public static Device Resolve(string name)
    {
        if (Core.Training.TrainingOptions.DeviceProblem(name) is { } problem)
            throw new ArgumentException($"--device {name}: expected {problem}");
        if (name == "cpu") return CPU;
        if (!cuda.is_available())
        {
            throw new ArgumentException(
                $"--device {name}: libtorch sees no CUDA device in this process. This build ships the CPU libtorch (libtorch-cpu-linux-x64); " +
                "to train on a GPU, reference TorchSharp-cuda-linux (or libtorch-cuda-12.8-linux-x64) instead, with an NVIDIA driver installed, or use --device cpu");
        }

        var index = name == "cuda" ? 0 : int.Parse(name.AsSpan("cuda:".Length), System.Globalization.CultureInfo.InvariantCulture);
        var count = cuda.device_count();
        if (index >= count)
            throw new ArgumentException($"--device {name}: this machine has {count} CUDA device(s), numbered 0..{count - 1}");
        return new Device(TorchSharp.DeviceType.CUDA, index);
    }
}
