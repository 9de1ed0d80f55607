using Fovea.Kernels.Cpu;

namespace Fovea;

// Joining tensors: concat (cat) and stack.
public sealed partial class Tensor
{
    /// <summary>
    /// Joins tensors along an existing dimension <paramref name="dim"/> (torch.cat). All must have the same
    /// rank and equal sizes in every other dimension. E.g. (2, 3) and (2, 5) along 1 -> (2, 8).
    /// Gradient: each input receives its own slice of the output gradient.
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        for (int t = 0; t < tensors.Count; t++)
            if (tensors[t] is null) throw new ArgumentNullException(nameof(tensors), $"Concat: tensors[{t}] is null.");
        var first = tensors[0].Shape;
        int axis = first.NormalizeAxis(dim, nameof(dim));
        int total = 0;
        foreach (var tensor in tensors)
        {
            bool matches = tensor.Rank == first.Rank;
            for (int d = 0; matches && d < first.Rank; d++) matches = d == axis || tensor.Shape[d] == first[d];
            if (!matches)
                throw new ArgumentException($"Concat: along dimension {dim}, all tensors must have the same rank and the same sizes in the other dimensions; got shapes {string.Join(", ", tensors.Select(x => x.Shape))}.", nameof(tensors));
            total += tensor.Shape[axis];
        }
        var outShape = WithDim(first, axis, total);
        var output = NewStorage(outShape.Size);
        var (outer, _, inner) = AxisLayout(outShape, axis);
        var offsets = new int[tensors.Count];
        for (int t = 0, offset = 0; t < tensors.Count; offset += tensors[t].Shape[axis], t++)
        {
            offsets[t] = offset;
            AxisIndexing.CopyInto(tensors[t].data, outer, tensors[t].Shape[axis], inner, output, total, offset);
        }
        var inputs = tensors.ToArray();
        return Record(new Tensor(output, outShape), "concat", inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int t = 0; t < inputs.Length; t++)
                if (inputs[t].RequiresGrad)
                    grads[t] = g.IndexAlongAxis(axis, Enumerable.Range(offsets[t], inputs[t].Shape[axis]).ToArray(), 0f, "concat_backward");
            return grads;
        });
    }

    /// <summary>Alias of <see cref="Concat"/> (torch.cat).</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0) => Concat(tensors, dim);

    /// <summary>
    /// Joins tensors of one shape along a new dimension <paramref name="dim"/> in [-(rank + 1), rank]
    /// (torch.stack). E.g. three (2, 3) tensors with dim 1 -> (2, 3, 3).
    /// </summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Stack needs at least one tensor.", nameof(tensors));
        for (int t = 0; t < tensors.Count; t++)
        {
            if (tensors[t] is null) throw new ArgumentNullException(nameof(tensors), $"Stack: tensors[{t}] is null.");
            if (tensors[t].Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: all tensors must have the same shape; got shapes {string.Join(", ", tensors.Select(x => x.Shape))}.", nameof(tensors));
        }
        return Concat(tensors.Select(t => t.Unsqueeze(dim)).ToArray(), dim);
    }
}
