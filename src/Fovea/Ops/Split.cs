namespace Fovea;

// Cutting a tensor into pieces along a dimension: split and chunk. Each piece is a copy.
public sealed partial class Tensor
{
    /// <summary>
    /// Pieces of <paramref name="splitSize"/> along dimension <paramref name="dim"/>; the last may be
    /// smaller (torch.split). E.g. (7, 2).Split(3) -> (3, 2), (3, 2), (1, 2).
    /// </summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        int size = Shape[axis];
        if (splitSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(splitSize), $"Split: splitSize must be positive, got {splitSize}.");
        int count = Math.Max(1, (size + splitSize - 1) / splitSize);
        var sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.Min(splitSize, size - i * splitSize);
        return SplitAlong(axis, sizes);
    }

    /// <summary>
    /// Pieces of the given <paramref name="sizes"/> along dimension <paramref name="dim"/>; they must be
    /// non-negative and add up to the dimension's size (torch.split with a list).
    /// E.g. (6, 2).Split([1, 5]) -> (1, 2), (5, 2).
    /// </summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        if (sizes.Any(s => s < 0) || sizes.Sum(s => (long)s) != Shape[axis])
            throw new ArgumentException($"Split: sizes {Shape.Format(sizes)} must be non-negative and add up to {Shape[axis]}, the size of dimension {dim} of shape {Shape}.", nameof(sizes));
        return SplitAlong(axis, sizes);
    }

    /// <summary>
    /// At most <paramref name="chunks"/> pieces of ceil(size / chunks) along <paramref name="dim"/>, the
    /// last possibly smaller; as torch.chunk, fewer pieces come back when the size does not allow more
    /// (e.g. 6 split into 4 chunks gives 3 pieces of 2).
    /// </summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), $"Chunk: chunks must be positive, got {chunks}.");
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        int size = Shape[axis];
        if (size == 0) return SplitAlong(axis, new int[chunks]);
        return Split((size + chunks - 1) / chunks, dim);
    }

    private Tensor[] SplitAlong(int axis, int[] sizes)
    {
        var pieces = new Tensor[sizes.Length];
        for (int i = 0, start = 0; i < sizes.Length; start += sizes[i], i++)
            pieces[i] = Narrow(axis, start, sizes[i]);
        return pieces;
    }
}
