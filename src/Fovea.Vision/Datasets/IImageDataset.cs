namespace Fovea.Vision.Datasets;

/// <summary>
/// A labelled image-classification dataset (torch.utils.data.Dataset with (image, label) items):
/// a fixed number of items, each an <see cref="Image"/> in [0, 1] and a class index.
/// Implementations must be safe to read from a background thread while nothing modifies them.
/// </summary>
public interface IImageDataset
{
    int Count { get; }

    /// <summary>The class names by label; the number of classes is their count.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The class of item <paramref name="index"/>, in [0, ClassNames.Count).</summary>
    int GetLabel(int index);

    /// <summary>The image of item <paramref name="index"/>: a new <see cref="Image"/> the caller may modify.</summary>
    Image GetImage(int index);
}

/// <summary>
/// Images stored in memory as unsigned bytes, (N, C, H, W) row-major, with one label each: the
/// compact form of IDX, CIFAR and uint8 .npy data (a quarter of the memory of float32). Items are
/// converted to float32 in [0, 1] (<see cref="ToTensor"/>) when read.
/// </summary>
public sealed class ByteImageDataset : IImageDataset
{
    private readonly byte[] pixels;
    private readonly int[] labels;

    /// <param name="pixels">(N, C, H, W) bytes; kept, not copied.</param>
    /// <param name="labels">N labels in [0, classNames.Count); copied.</param>
    public ByteImageDataset(byte[] pixels, int channels, int height, int width, int[] labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"image shape (C, H, W) = ({channels}, {height}, {width}) must be positive.");
        if (classNames.Count == 0) throw new ArgumentException("classNames is empty: a dataset needs at least one class.", nameof(classNames));
        long itemSize = (long)channels * height * width;
        if (itemSize * labels.Length != pixels.Length)
            throw new ArgumentException($"{pixels.Length} bytes do not hold {labels.Length} images of ({channels}, {height}, {width}).", nameof(pixels));
        CheckLabels(labels, classNames.Count);
        this.pixels = pixels;
        this.labels = (int[])labels.Clone();
        (Channels, Height, Width, ClassNames) = (channels, height, width, classNames);
    }

    public int Count => labels.Length;
    public IReadOnlyList<string> ClassNames { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    private int ItemSize => Channels * Height * Width;

    public int GetLabel(int index) => labels[CheckIndex(index)];

    public Image GetImage(int index) => ToTensor.FromChw(pixels.AsSpan(CheckIndex(index) * ItemSize, ItemSize), Channels, Height, Width);

    private int CheckIndex(int index) =>
        (uint)index < (uint)labels.Length ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range for a dataset of {labels.Length} images.");

    private static void CheckLabels(int[] labels, int classCount)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} at index {i} is out of range for {classCount} classes.");
    }
}
