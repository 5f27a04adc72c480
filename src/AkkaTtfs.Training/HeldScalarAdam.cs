using TorchSharp;
using static TorchSharp.torch;

namespace AkkaTtfs.Training;

/// <summary>
/// Adam (Kingma and Ba, no weight decay, no AMSGrad) with the same libtorch calls, in the same order and with the same
/// scalar values, as TorchSharp 0.107's <c>optim.Adam</c>, so training gives the same bits; but every Scalar is created
/// here and held until libtorch has used it. TorchSharp's Adam converts doubles to Scalars implicitly and hands their
/// native handles to libtorch without keeping the managed Scalar alive, so a collection during the call can finalize it
/// while libtorch reads it: 40-epoch trainings failed twice that way ("Unknown scalar type" in an in-place scalar add,
/// "argument alpha must not be a floating point number"; docs/benchmarks.md).
/// </summary>
internal sealed class HeldScalarAdam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly long[] _steps;
    private readonly Scalar _beta1 = Beta1.ToScalar();
    private readonly Scalar _oneMinusBeta1 = (1 - Beta1).ToScalar();
    private readonly Scalar _beta2 = Beta2.ToScalar();
    private readonly Scalar _oneMinusBeta2 = (1 - Beta2).ToScalar();
    private readonly Scalar _epsilon = Epsilon.ToScalar();
    private readonly Scalar _one = 1.ToScalar();    // the integral alpha TorchSharp's add_(Scalar) passes

    public HeldScalarAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        _firstMoments = [.. _parameters.Select(p => zeros_like(p))];
        _secondMoments = [.. _parameters.Select(p => zeros_like(p))];
        _steps = new long[_parameters.Length];
        LearningRate = learningRate;
    }

    /// <summary>The learning rate of the next steps.</summary>
    public double LearningRate { get; set; }

    /// <summary>Zeroes every parameter's gradient in place (the gradient tensors stay, as in TorchSharp).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            if (grad is null) continue;
            grad.zero_().Dispose();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var param = _parameters[i];
            var grad = param.grad;
            if (grad is null) continue;
            var step = ++_steps[i];
            var biasCorrection1 = 1 - Math.Pow(Beta1, step);
            var biasCorrection2 = 1 - Math.Pow(Beta2, step);
            _firstMoments[i].mul_(_beta1).add_(grad, _oneMinusBeta1);
            _secondMoments[i].mul_(_beta2).addcmul_(grad, grad.conj(), _oneMinusBeta2);
            using var sqrtCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            var denominator = _secondMoments[i].sqrt().div(sqrtCorrection2).add_(_epsilon, _one);
            using var negativeStepSize = (-(LearningRate / biasCorrection1)).ToScalar();
            param.addcdiv_(_firstMoments[i], denominator, negativeStepSize);
        }
    }

    public void Dispose()
    {
        foreach (var t in _firstMoments) t.Dispose();
        foreach (var t in _secondMoments) t.Dispose();
        _beta1.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2.Dispose();
        _oneMinusBeta2.Dispose();
        _epsilon.Dispose();
        _one.Dispose();
    }
}
