using Fovea.Kernels.Cpu;

namespace Fovea;

// Taking positions along one dimension: narrow, slice, index_select. All copy.
public sealed partial class Tensor
{
    /// <summary>
    /// The <paramref name="length"/> positions start..start+length-1 of dimension <paramref name="dim"/>
    /// (torch.narrow). A negative <paramref name="start"/> counts from the end. E.g. (4, 6).Narrow(1, 2, 3) -> (4, 3).
    /// Gradient: the output gradient placed back at those positions, zero elsewhere.
    /// </summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        int size = Shape[axis];
        if (start < -size || start > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: start = {start} is out of range for dimension {dim} of size {size} (shape {Shape}).");
        if (start < 0) start += size;
        if (length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(length), $"Narrow: start {start} + length {length} exceeds dimension {dim} of size {size} (shape {Shape}).");
        return IndexAlongAxis(axis, Enumerable.Range(start, length).ToArray(), 0f, "narrow");
    }

    /// <summary>
    /// Python slicing x[.., start:end:step, ..] along dimension <paramref name="dim"/>. As in PyTorch, a
    /// negative start or end counts from the end, both are then clamped to [0, size] (so int.MaxValue
    /// means "to the end"), an empty range gives size 0, and step must be positive.
    /// E.g. (10).Slice(0, -4, int.MaxValue, 2) -> positions 6, 8.
    /// </summary>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), $"Slice: step must be positive, got {step}.");
        int size = Shape[axis];
        long first = Math.Clamp(start < 0 ? (long)start + size : start, 0, size);
        long last = Math.Clamp(end < 0 ? (long)end + size : end, 0, size);
        int count = last > first ? (int)((last - first + step - 1) / step) : 0;
        var indices = new int[count];
        for (int k = 0; k < count; k++) indices[k] = (int)(first + (long)k * step);
        return IndexAlongAxis(axis, indices, 0f, "slice");
    }

    /// <summary>
    /// The positions listed in <paramref name="indices"/> along dimension <paramref name="dim"/>, in that
    /// order, repeats allowed (torch.index_select). indices: a 0-D or 1-D float tensor of whole numbers
    /// in [0, size). E.g. (4, 5).IndexSelect(1, [4, 0, 4]) -> (4, 3). Gradient: summed back into the
    /// selected positions (a position picked twice gets both gradients).
    /// </summary>
    public Tensor IndexSelect(int dim, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Rank > 1)
            throw new ArgumentException($"IndexSelect: indices must be 0-D or 1-D, got shape {indices.Shape}.", nameof(indices));
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        return IndexAlongAxis(axis, ToIndices(indices.data, Shape[axis], nameof(indices), $"dimension {dim} of shape {Shape}"), 0f, "index_select");
    }

    /// <summary>As <see cref="IndexSelect(int, Tensor)"/> with the positions given as integers.</summary>
    public Tensor IndexSelect(int dim, params int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        for (int k = 0; k < indices.Length; k++)
            if ((uint)indices[k] >= (uint)Shape[axis])
                throw new ArgumentOutOfRangeException(nameof(indices), $"indices[{k}] = {indices[k]} is out of range for dimension {dim} of shape {Shape} (valid: 0..{Shape[axis] - 1}).");
        return IndexAlongAxis(axis, (int[])indices.Clone(), 0f, "index_select");
    }

    /// <summary>
    /// Recorded core of the ops above and of pad and repeat: output position k along <paramref name="axis"/>
    /// is input position indices[k], or <paramref name="fill"/> where indices[k] is negative. Indices must be
    /// valid (callers check). Gradient: scatter-add of the output gradient into the input positions.
    /// </summary>
    internal Tensor IndexAlongAxis(int axis, int[] indices, float fill, string opName)
    {
        var (outer, n, inner) = AxisLayout(Shape, axis);
        var outShape = WithDim(Shape, axis, indices.Length);
        var output = NewStorage(outShape.Size);
        AxisIndexing.Select(data, outer, n, inner, indices, fill, output);
        var shape = Shape;
        return Record(new Tensor(output, outShape), opName, [this], g =>
        {
            var grad = new float[shape.Size];
            AxisIndexing.ScatterAdd(g.data, outer, n, inner, indices, grad);
            return [new Tensor(grad, shape)];
        });
    }
}
