using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Sigmoid followed by binary cross-entropy, in the numerically stable form
    /// (torch.nn.functional.binary_cross_entropy_with_logits):
    /// weight·((1 - y)·x + (1 + (posWeight - 1)·y)·log(1 + e^-x)) per element, with log(1 + e^-x) computed without
    /// overflow. <paramref name="posWeight"/> scales the loss of positive targets (shape (C) broadcasts along the
    /// last dimension); both weights are constants that must broadcast to the input's shape.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean,
        Tensor? posWeight = null, Tensor? weight = null)
    {
        const string op = "BinaryCrossEntropyWithLogits";
        LossSupport.CheckSameShape(op, logits, target);
        LossSupport.CheckNotDifferentiable(op, posWeight, nameof(posWeight));
        LossSupport.CheckNotDifferentiable(op, weight, nameof(weight));
        var expandedPositiveWeight = posWeight is null ? null : LossSupport.ExpandTo(op, posWeight, logits.Shape, nameof(posWeight));
        var expandedWeight = weight is null ? null : LossSupport.ExpandTo(op, weight, logits.Shape, nameof(weight));
        return PointwiseLoss.Apply(op, logits, target, reduction,
            (x, y, loss) => PointwiseLossKernels.BinaryCrossEntropyWithLogitsForward(x, y, expandedWeight, expandedPositiveWeight, loss),
            (upstream, x, y, gradX, gradY) => PointwiseLossKernels.BinaryCrossEntropyWithLogitsBackward(
                upstream, x, y, expandedWeight, expandedPositiveWeight, gradX, gradY));
    }
}
