using Fovea.Kernels.Cpu;

namespace Fovea;

// torch.gather: pick one element along a dimension for every position of an index tensor.
public sealed partial class Tensor
{
    /// <summary>
    /// out[q] = x[q with q[dim] replaced by index[q]] (torch.gather). index: a float tensor of whole numbers
    /// with the rank of x, each in [0, x.size(dim)), and no larger than x in the other dimensions; the
    /// output has index's shape. E.g. for 2-D x and dim 1: out[i, j] = x[i, index[i, j]] (picking
    /// class scores for a loss). Gradient: scatter-add of the output gradient into the picked positions.
    /// </summary>
    public Tensor Gather(int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        if (index.Rank != Rank)
            throw new ArgumentException($"Gather: index has shape {index.Shape} but must have the rank of the input {Shape} ({Rank}).", nameof(index));
        for (int d = 0; d < Rank; d++)
            if (d != axis && index.Shape[d] > Shape[d])
                throw new ArgumentException($"Gather: index shape {index.Shape} is larger than the input shape {Shape} in dimension {d} (only dimension {axis} may differ).", nameof(index));
        var positions = ToIndices(index.data, Shape[axis], nameof(index), $"dimension {dim} of shape {Shape}");
        var output = NewStorage(index.Size);
        GatherScatter.Gather(data, Shape, positions, index.Shape, axis, output);
        var (shape, indexShape) = (Shape, index.Shape);
        return Record(new Tensor(output, indexShape), "gather", [this], g =>
        {
            var grad = new float[shape.Size];
            GatherScatter.ScatterAdd(g.data, positions, indexShape, axis, grad, shape);
            return [new Tensor(grad, shape)];
        });
    }
}
