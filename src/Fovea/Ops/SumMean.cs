using Fovea.Kernels.Cpu;

namespace Fovea;

// Sum and mean over chosen dimensions (torch.sum / torch.mean with dim).
public sealed partial class Tensor
{
    /// <summary>
    /// Sum over dimension <paramref name="dim"/> (negative counts from the end), accumulated in double.
    /// x: (d0, .., dk, .., dn) -> the same without dk, or with dk = 1 when <paramref name="keepDim"/>.
    /// Gradient: the output gradient broadcast back over dk.
    /// </summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>
    /// Sum over every dimension in <paramref name="dims"/> (negative counts from the end; an empty list
    /// means all dimensions, as in PyTorch). Reduced dimensions are removed, or kept with size 1 when
    /// <paramref name="keepDim"/>. E.g. x: (2, 3, 4), dims [0, -1] -> (3), or (1, 3, 1) with keepDim.
    /// </summary>
    public Tensor Sum(int[] dims, bool keepDim = false)
    {
        var reduced = SelectedAxes(dims, nameof(dims));
        var keptShape = ReducedShape(Shape, reduced, keepDim: true);
        float[] values = data;
        var current = Shape;
        // One axis at a time, innermost first; each pass shrinks the data.
        for (int axis = Rank - 1; axis >= 0; axis--)
        {
            if (!reduced[axis]) continue;
            var (outer, n, inner) = AxisLayout(current, axis);
            var next = NewStorage(outer * inner);
            AxisReduction.Sum(values, outer, n, inner, next);
            values = next;
            current = WithDim(current, axis, 1);
        }
        if (ReferenceEquals(values, data)) values = (float[])data.Clone(); // nothing reduced (a scalar)
        var result = new Tensor(values, ReducedShape(Shape, reduced, keepDim));
        var shape = Shape;
        return Record(result, "sum_dims", [this], g => [g.Reshape(keptShape.ToArray()).BroadcastCopy(shape)]);
    }

    /// <summary>Mean over dimension <paramref name="dim"/>; shapes as <see cref="Sum(int, bool)"/>.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>
    /// Mean over every dimension in <paramref name="dims"/> (empty: all); shapes as
    /// <see cref="Sum(int[], bool)"/>. A mean over zero elements is NaN, as in PyTorch.
    /// </summary>
    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        int count = ReducedCount(dims, nameof(dims));
        return Sum(dims, keepDim) / count;
    }

    /// <summary>How many elements each output of a reduction over <paramref name="dims"/> combines.</summary>
    private int ReducedCount(int[] dims, string argumentName)
    {
        var reduced = SelectedAxes(dims, argumentName);
        int count = 1;
        for (int axis = 0; axis < Rank; axis++) if (reduced[axis]) count *= Shape[axis];
        return count;
    }
}
