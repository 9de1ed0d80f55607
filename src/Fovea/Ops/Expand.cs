namespace Fovea;

// Broadcasting to a larger shape (expand, broadcast_to) and tiling (repeat). Both copy.
public sealed partial class Tensor
{
    /// <summary>
    /// Repeats size-1 dimensions (and adds leading ones) to reach <paramref name="sizes"/>, as torch.expand;
    /// -1 keeps an existing dimension's size. E.g. (3, 1).Expand(2, 3, 4) -> (2, 3, 4). Returns a copy.
    /// Gradient: the output gradient summed over the repeated positions.
    /// </summary>
    public Tensor Expand(params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < Rank)
            throw new ArgumentException($"Expand: target {Shape.Format(sizes)} has fewer dimensions than the tensor's shape {Shape}.", nameof(sizes));
        var target = (int[])sizes.Clone();
        int offset = sizes.Length - Rank;
        for (int i = 0; i < target.Length; i++)
        {
            int own = i < offset ? -1 : Shape[i - offset];
            if (target[i] == -1 && own >= 0) target[i] = own;
            if (target[i] < 0 || (own >= 0 && own != 1 && own != target[i]))
                throw new ArgumentException($"Expand: cannot expand shape {Shape} to {Shape.Format(sizes)} (dimension {i}: only size-1 dimensions can grow, and -1 only keeps an existing one).", nameof(sizes));
        }
        var targetShape = new Shape(target);
        var result = BroadcastCopy(targetShape);
        if (ReferenceEquals(result, this)) result = new Tensor((float[])data.Clone(), Shape);
        var shape = Shape;
        return Record(result, "expand", [this], g => [g.SumToShape(shape)]);
    }

    /// <summary>torch.broadcast_to: <see cref="Expand"/> to <paramref name="shape"/>.</summary>
    public Tensor BroadcastTo(Shape shape) => Expand(shape.ToArray());

    /// <summary>
    /// Tiles the tensor: dimension i is repeated repeats[i] times (torch.repeat). When repeats has more
    /// entries than the rank, the tensor is first viewed with leading size-1 dimensions.
    /// E.g. (2, 3).Repeat(2, 1, 2) -> (2, 2, 6). Gradient: the sum over the copies.
    /// </summary>
    public Tensor Repeat(params int[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length < Rank)
            throw new ArgumentException($"Repeat: {repeats.Length} repeat counts {Shape.Format(repeats)} for a tensor of rank {Rank} (shape {Shape}); give at least one per dimension.", nameof(repeats));
        foreach (int r in repeats)
            if (r < 0) throw new ArgumentOutOfRangeException(nameof(repeats), $"Repeat: counts must be >= 0, got {Shape.Format(repeats)}.");
        var dims = new int[repeats.Length];
        Array.Fill(dims, 1);
        for (int i = 0; i < Rank; i++) dims[repeats.Length - Rank + i] = Shape[i];
        var result = Reshape(dims);
        for (int axis = 0; axis < dims.Length; axis++)
        {
            if (repeats[axis] == 1) continue;
            // Output position q along this axis reads input position q mod size.
            int size = dims[axis];
            var indices = new int[size * repeats[axis]];
            for (int q = 0; q < indices.Length; q++) indices[q] = q % size;
            result = result.IndexAlongAxis(axis, indices, 0f, "repeat");
        }
        return ReferenceEquals(result.data, data) ? result.Clone() : result;
    }
}
