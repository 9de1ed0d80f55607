using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Binary cross-entropy on probabilities (torch.nn.functional.binary_cross_entropy):
    /// -weight·(target·log p + (1 - target)·log(1 - p)) per element, each log clamped at -100 so that p = 0 or 1
    /// gives a finite loss. Every probability must lie in [0, 1]. <paramref name="weight"/> (a constant) must
    /// broadcast to the input's shape. Prefer <see cref="BinaryCrossEntropyWithLogits"/> on raw scores: it is
    /// numerically stable.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction = Reduction.Mean, Tensor? weight = null)
    {
        const string op = "BinaryCrossEntropy";
        LossSupport.CheckSameShape(op, probabilities, target);
        LossSupport.CheckNotDifferentiable(op, weight, nameof(weight));
        var expandedWeight = weight is null ? null : LossSupport.ExpandTo(op, weight, probabilities.Shape, nameof(weight));
        var values = probabilities.ReadOnlySpan;
        for (int i = 0; i < values.Length; i++)
            if (!(values[i] >= 0f && values[i] <= 1f))
                throw new ArgumentOutOfRangeException(nameof(probabilities),
                    $"{op}: every element of the input must be a probability in [0, 1], but element {i} (shape {probabilities.Shape}) is {values[i]}. Apply a sigmoid first, or use BinaryCrossEntropyWithLogits on the raw scores.");
        return PointwiseLoss.Apply(op, probabilities, target, reduction,
            (p, y, loss) => PointwiseLossKernels.BinaryCrossEntropyForward(p, y, expandedWeight, loss),
            (upstream, p, y, gradP, gradY) => PointwiseLossKernels.BinaryCrossEntropyBackward(upstream, p, y, expandedWeight, gradP, gradY));
    }
}
