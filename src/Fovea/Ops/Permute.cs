using Fovea.Kernels.Cpu;

namespace Fovea;

// Reordering dimensions: permute, transpose, t (copies; Fovea tensors are always contiguous).
public sealed partial class Tensor
{
    /// <summary>
    /// Reorders the dimensions: output dimension i is input dimension dims[i] (negative counts from the end).
    /// E.g. x: (N, C, H, W).Permute(0, 2, 3, 1) -> (N, H, W, C). Returns a contiguous copy.
    /// Gradient: the output gradient permuted back by the inverse permutation.
    /// </summary>
    public Tensor Permute(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length != Rank)
            throw new ArgumentException($"Permute: dims {Shape.Format(dims)} has {dims.Length} entries, but the tensor of shape {Shape} has rank {Rank}.", nameof(dims));
        var order = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            order[i] = Shape.NormalizeAxis(dims[i], nameof(dims));
            if (seen[order[i]])
                throw new ArgumentException($"Permute: dims {Shape.Format(dims)} names dimension {order[i]} more than once (shape {Shape}).", nameof(dims));
            seen[order[i]] = true;
        }
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[order[i]] = i;
        var result = PermuteCopy(order);
        return Record(result, "permute", [this], g => [g.PermuteCopy(inverse)]);
    }

    /// <summary>Swaps dimensions <paramref name="dim0"/> and <paramref name="dim1"/> (negative counts from the end). Returns a copy.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = Shape.NormalizeAxis(dim0, nameof(dim0)), b = Shape.NormalizeAxis(dim1, nameof(dim1));
        var order = Enumerable.Range(0, Rank).ToArray();
        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>Matrix transpose: (m, n) -> (n, m). As torch.t, a 0-D or 1-D tensor is returned as a copy unchanged; rank > 2 throws.</summary>
    public Tensor T()
    {
        if (Rank > 2)
            throw new ArgumentException($"T() expects a tensor of rank <= 2, got shape {Shape}; use Transpose(dim0, dim1) or Permute.");
        return Rank == 2 ? Transpose(0, 1) : Clone();
    }

    /// <summary>Unrecorded copy with output dimension i taken from input dimension order[i].</summary>
    private Tensor PermuteCopy(int[] order)
    {
        var own = Shape.Strides();
        var strides = new int[Rank];
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            strides[i] = own[order[i]];
            dims[i] = Shape[order[i]];
        }
        var outShape = new Shape(dims);
        var output = NewStorage(Size);
        StridedCopy.Copy(data, strides, output, outShape);
        return new Tensor(output, outShape);
    }
}
