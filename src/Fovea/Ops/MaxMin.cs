using Fovea.Kernels.Cpu;

namespace Fovea;

// Max, min, argmax and argmin (torch.max / torch.min / torch.argmax / torch.argmin).
public sealed partial class Tensor
{
    /// <summary>
    /// Largest value along dimension <paramref name="dim"/> and its position.
    /// x: (d0, .., dk, .., dn) -> Values and Indices of shape (d0, .., dn) without dk (or dk = 1 with
    /// <paramref name="keepDim"/>). Indices is a float tensor holding whole numbers in [0, dk); on ties it
    /// names the first position, and a NaN counts as the largest value, as in PyTorch. The gradient
    /// of Values flows to that one position.
    /// </summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => ExtremeAlong(dim, keepDim, findMax: true);

    /// <summary>Smallest value along <paramref name="dim"/> and its position; see <see cref="Max(int, bool)"/>.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => ExtremeAlong(dim, keepDim, findMax: false);

    /// <summary>Position of the largest value along <paramref name="dim"/> (first on ties), as a float tensor. Not differentiable.</summary>
    public Tensor ArgMax(int dim, bool keepDim = false) => ExtremeAlong(dim, keepDim, findMax: true, record: false).Indices;

    /// <summary>Position of the smallest value along <paramref name="dim"/> (first on ties), as a float tensor. Not differentiable.</summary>
    public Tensor ArgMin(int dim, bool keepDim = false) => ExtremeAlong(dim, keepDim, findMax: false, record: false).Indices;

    /// <summary>Flat (row-major) position of the largest element, as a scalar float tensor.</summary>
    public Tensor ArgMax() => Reshape(Size).ArgMax(0);

    /// <summary>Flat (row-major) position of the smallest element, as a scalar float tensor.</summary>
    public Tensor ArgMin() => Reshape(Size).ArgMin(0);

    /// <summary>
    /// Largest element, as a scalar tensor (NaN if any element is NaN). As in PyTorch, the gradient is
    /// shared evenly between all elements equal to it.
    /// </summary>
    public Tensor Max() => ExtremeOfAll(findMax: true);

    /// <summary>Smallest element, as a scalar tensor; see <see cref="Max()"/>.</summary>
    public Tensor Min() => ExtremeOfAll(findMax: false);

    private (Tensor Values, Tensor Indices) ExtremeAlong(int dim, bool keepDim, bool findMax, bool record = true)
    {
        string name = findMax ? "max" : "min";
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        if (Shape[axis] == 0)
            throw new ArgumentException($"{name}: dimension {dim} of shape {Shape} is empty; there is no {name} to take.", nameof(dim));
        var (outer, n, inner) = AxisLayout(Shape, axis);
        var values = NewStorage(outer * inner);
        var indices = new int[outer * inner];
        AxisReduction.ArgExtreme(data, outer, n, inner, findMax, values, indices);

        var reduced = new bool[Rank];
        reduced[axis] = true;
        var outShape = ReducedShape(Shape, reduced, keepDim);
        var keptShape = WithDim(Shape, axis, 1);
        var indexTensor = new Tensor(Array.ConvertAll(indices, i => (float)i), outShape);
        var valueTensor = new Tensor(values, outShape);
        if (!record) return (valueTensor, indexTensor);
        var shape = Shape;
        return (Record(valueTensor, name + "_dim", [this], g =>
        {
            // Each output gradient goes to the position its value came from.
            var grad = new float[shape.Size];
            GatherScatter.ScatterAdd(g.data, indices, keptShape, axis, grad, shape);
            return [new Tensor(grad, shape)];
        }), indexTensor);
    }

    private Tensor ExtremeOfAll(bool findMax)
    {
        string name = findMax ? "max" : "min";
        if (Size == 0) throw new InvalidOperationException($"{name}() of an empty tensor (shape {Shape}).");
        var best = new float[1];
        AxisReduction.ArgExtreme(data, 1, Size, 1, findMax, best, new int[1]);
        var result = new Tensor(best, new Shape());
        var input = data;
        var shape = Shape;
        return Record(result, name, [this], g =>
        {
            float value = best[0];
            bool isNaN = float.IsNaN(value);
            int ties = 0;
            foreach (float v in input) if (v == value || (isNaN && float.IsNaN(v))) ties++;
            float share = g.data[0] / ties;
            var grad = new float[input.Length];
            for (int i = 0; i < grad.Length; i++)
                if (input[i] == value || (isNaN && float.IsNaN(input[i]))) grad[i] = share;
            return [new Tensor(grad, shape)];
        });
    }
}
