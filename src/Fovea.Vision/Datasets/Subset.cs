namespace Fovea.Vision.Datasets;

/// <summary>The items of another dataset at the given indices, in that order (torch.utils.data.Subset).</summary>
public sealed class Subset : IImageDataset
{
    private readonly IImageDataset source;
    private readonly int[] indices;

    public Subset(IImageDataset source, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} at position {i} is out of range for a dataset of {source.Count} images.");
        (this.source, this.indices) = (source, (int[])indices.Clone());
    }

    /// <summary>The first <paramref name="count"/> items (all of them when the dataset is smaller).</summary>
    public static IImageDataset First(IImageDataset source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must be >= 0, got {count}.");
        return count >= source.Count ? source : new Subset(source, [.. Enumerable.Range(0, count)]);
    }

    public int Count => indices.Length;
    public IReadOnlyList<string> ClassNames => source.ClassNames;
    public int GetLabel(int index) => source.GetLabel(indices[CheckIndex(index)]);
    public Image GetImage(int index) => source.GetImage(indices[CheckIndex(index)]);

    private int CheckIndex(int index) =>
        (uint)index < (uint)indices.Length ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range for a subset of {indices.Length} images.");
}
