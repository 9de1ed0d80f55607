using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Negative log-likelihood (torch.nn.functional.nll_loss) on log-probabilities (e.g. a log-softmax output):
    /// -weight[t]·input[n, t, d...] per position. input: (N, C), (N, C, d1, ...) or (C); target: class indices
    /// of shape (N), (N, d1, ...) or (), held as integral floats. Positions whose target is
    /// <paramref name="ignoreIndex"/> add nothing; 'mean' divides by the summed weight of the others.
    /// </summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Reduction reduction = Reduction.Mean,
        int ignoreIndex = -100, Tensor? weight = null)
    {
        var layout = ClassLayout.Of(nameof(NllLoss), logProbabilities, nameof(logProbabilities));
        return NllLossWithIndices(logProbabilities, ClassTargets.FromTensor(nameof(NllLoss), target, logProbabilities, layout),
            layout, reduction, ignoreIndex, weight);
    }

    /// <summary><see cref="NllLoss(Tensor, Tensor, Reduction, int, Tensor?)"/> with the class indices as an array, row-major over the target shape.</summary>
    public static Tensor NllLoss(Tensor logProbabilities, int[] target, Reduction reduction = Reduction.Mean,
        int ignoreIndex = -100, Tensor? weight = null)
    {
        var layout = ClassLayout.Of(nameof(NllLoss), logProbabilities, nameof(logProbabilities));
        return NllLossWithIndices(logProbabilities, ClassTargets.FromArray(nameof(NllLoss), target, logProbabilities, layout),
            layout, reduction, ignoreIndex, weight);
    }

    private static Tensor NllLossWithIndices(Tensor input, int[] targets, ClassLayout layout, Reduction reduction, int ignoreIndex, Tensor? weight)
    {
        var classWeight = ClassTargets.CheckWeight(nameof(NllLoss), weight, layout);
        ClassTargets.CheckRange(nameof(NllLoss), targets, layout, ignoreIndex);
        var (outer, classes, inner) = (layout.Outer, layout.Classes, layout.Inner);
        var losses = Tensor.NewStorage(layout.Positions);
        NllLossKernel.Forward(input.Data, targets, classWeight, outer, classes, inner, ignoreIndex, losses);
        var perPosition = Tensor.Record(new Tensor(losses, layout.TargetShape), "nll_loss", [input], upstream =>
        {
            var grad = Tensor.NewStorage(input.Size);
            NllLossKernel.Backward(upstream.Data, targets, classWeight, outer, classes, inner, ignoreIndex, grad);
            return [new Tensor(grad, input.Shape)];
        });
        return ClassTargets.Reduce(perPosition, reduction, targets, classWeight, ignoreIndex);
    }
}
