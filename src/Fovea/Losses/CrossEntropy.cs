using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Cross-entropy between raw class scores and targets (torch.nn.functional.cross_entropy): a numerically
    /// stable log-softmax over dim 1 fused with the negative log-likelihood.
    /// <para>logits: (N, C), (N, C, d1, ...) (e.g. per-pixel classes (N, C, H, W)) or unbatched (C).</para>
    /// <para>target: class indices held as integral floats, shape (N), (N, d1, ...) or () — or class
    /// probabilities of the logits' own shape (soft labels; then <paramref name="ignoreIndex"/> must stay negative).</para>
    /// <para><paramref name="labelSmoothing"/> ε in [0, 1] mixes the target with the uniform distribution:
    /// (1 - ε)·target + ε/C. <paramref name="weight"/> (C) rescales each class; with index targets 'mean' divides
    /// by the summed weight of the non-ignored targets, as PyTorch does.</para>
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean,
        float labelSmoothing = 0f, int ignoreIndex = -100, Tensor? weight = null)
    {
        var layout = ClassLayout.Of(nameof(CrossEntropy), logits, nameof(logits));
        ArgumentNullException.ThrowIfNull(target);
        // Index targets have one dimension fewer than the logits, so equal shapes can only mean probabilities.
        if (target.Shape == logits.Shape)
            return CrossEntropyWithProbabilities(logits, target, layout, reduction, labelSmoothing, ignoreIndex, weight);
        return CrossEntropyWithIndices(logits, ClassTargets.FromTensor(nameof(CrossEntropy), target, logits, layout),
            layout, reduction, labelSmoothing, ignoreIndex, weight);
    }

    /// <summary>
    /// <see cref="CrossEntropy(Tensor, Tensor, Reduction, float, int, Tensor?)"/> with class indices as an array,
    /// row-major over the target shape (N), (N, d1, ...) or ().
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] target, Reduction reduction = Reduction.Mean,
        float labelSmoothing = 0f, int ignoreIndex = -100, Tensor? weight = null)
    {
        var layout = ClassLayout.Of(nameof(CrossEntropy), logits, nameof(logits));
        return CrossEntropyWithIndices(logits, ClassTargets.FromArray(nameof(CrossEntropy), target, logits, layout),
            layout, reduction, labelSmoothing, ignoreIndex, weight);
    }

    private static Tensor CrossEntropyWithIndices(Tensor logits, int[] targets, ClassLayout layout, Reduction reduction,
        float labelSmoothing, int ignoreIndex, Tensor? weight)
    {
        LossSupport.CheckLabelSmoothing(nameof(CrossEntropy), labelSmoothing);
        var classWeight = ClassTargets.CheckWeight(nameof(CrossEntropy), weight, layout);
        ClassTargets.CheckRange(nameof(CrossEntropy), targets, layout, ignoreIndex);
        var (outer, classes, inner) = (layout.Outer, layout.Classes, layout.Inner);
        var losses = Tensor.NewStorage(layout.Positions);
        var logProbabilities = Tensor.NewStorage(logits.Size);
        CrossEntropyKernel.ForwardWithIndices(logits.Data, targets, classWeight, outer, classes, inner, labelSmoothing, ignoreIndex,
            losses, logProbabilities);
        var perPosition = Tensor.Record(new Tensor(losses, layout.TargetShape), "cross_entropy", [logits], upstream =>
        {
            var grad = Tensor.NewStorage(logits.Size);
            CrossEntropyKernel.BackwardWithIndices(upstream.Data, logProbabilities, targets, classWeight, outer, classes, inner,
                labelSmoothing, ignoreIndex, grad);
            return [new Tensor(grad, logits.Shape)];
        });
        return ClassTargets.Reduce(perPosition, reduction, targets, classWeight, ignoreIndex);
    }

    private static Tensor CrossEntropyWithProbabilities(Tensor logits, Tensor target, ClassLayout layout, Reduction reduction,
        float labelSmoothing, int ignoreIndex, Tensor? weight)
    {
        LossSupport.CheckLabelSmoothing(nameof(CrossEntropy), labelSmoothing);
        if (ignoreIndex >= 0)
            throw new ArgumentException($"CrossEntropy: ignoreIndex ({ignoreIndex}) is not supported with class-probability targets (target shape {target.Shape} equals the logits' shape).", nameof(ignoreIndex));
        var classWeight = ClassTargets.CheckWeight(nameof(CrossEntropy), weight, layout);
        var (outer, classes, inner) = (layout.Outer, layout.Classes, layout.Inner);
        var losses = Tensor.NewStorage(layout.Positions);
        var logProbabilities = Tensor.NewStorage(logits.Size);
        CrossEntropyKernel.ForwardWithProbabilities(logits.Data, target.Data, classWeight, outer, classes, inner, labelSmoothing,
            losses, logProbabilities);
        var perPosition = Tensor.Record(new Tensor(losses, layout.TargetShape), "cross_entropy", [logits, target], upstream =>
        {
            var logitsGrad = logits.RequiresGrad ? Tensor.NewStorage(logits.Size) : null;
            var targetGrad = target.RequiresGrad ? Tensor.NewStorage(target.Size) : null;
            CrossEntropyKernel.BackwardWithProbabilities(upstream.Data, logProbabilities, target.Data, classWeight, outer, classes, inner,
                labelSmoothing, logitsGrad, targetGrad);
            return [
                logitsGrad is null ? null : new Tensor(logitsGrad, logits.Shape),
                targetGrad is null ? null : new Tensor(targetGrad, target.Shape)];
        });
        // 'mean' over probability targets divides by the number of positions, weighted or not (PyTorch).
        return LossSupport.Reduce(perPosition, reduction);
    }
}
