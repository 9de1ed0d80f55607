using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// p-norm distance along the last dimension (torch.nn.functional.pairwise_distance): ||x1 - x2 + eps||_p.
    /// x1, x2: (..., D) of the same shape -> (...), or (..., 1) with <paramref name="keepDim"/>.
    /// <paramref name="p"/> must be &gt; 0; float.PositiveInfinity gives the largest absolute difference.
    /// </summary>
    public static Tensor PairwiseDistance(Tensor x1, Tensor x2, float p = 2f, float eps = 1e-6f, bool keepDim = false)
    {
        const string op = nameof(PairwiseDistance);
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        if (x1.Rank == 0) throw new ArgumentException($"{op}: x1 must have at least one dimension (..., D), got a scalar.", nameof(x1));
        if (x1.Shape != x2.Shape)
            throw new ArgumentException($"{op}: x2 has shape {x2.Shape}, expected x1's shape {x1.Shape}.", nameof(x2));
        LossSupport.CheckNormOrder(op, p);
        var leading = x1.Shape.Dims[..^1].ToArray();
        int length = x1.Shape[x1.Rank - 1], rows = new Shape(leading).Size;
        var distances = Tensor.NewStorage(rows);
        PairwiseDistanceKernel.Forward(x1.Data, x2.Data, rows, length, p, eps, distances);
        return Tensor.Record(new Tensor(distances, new Shape(keepDim ? [.. leading, 1] : leading)), "pairwise_distance", [x1, x2], upstream =>
        {
            var grad1 = x1.RequiresGrad ? Tensor.NewStorage(x1.Size) : null;
            var grad2 = x2.RequiresGrad ? Tensor.NewStorage(x2.Size) : null;
            PairwiseDistanceKernel.Backward(upstream.Data, x1.Data, x2.Data, distances, rows, length, p, eps, grad1, grad2);
            return [grad1 is null ? null : new Tensor(grad1, x1.Shape), grad2 is null ? null : new Tensor(grad2, x2.Shape)];
        });
    }
}
