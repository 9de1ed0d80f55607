using Fovea.Serialization;

namespace Fovea.Vision.Datasets;

/// <summary>Per-pixel normalisation applied after scaling to [0, 1]: x' = (x − Mean) / Std (torchvision's Normalize).</summary>
public readonly record struct Normalization
{
    public Normalization(float mean, float std)
    {
        if (!float.IsFinite(mean)) throw new ArgumentOutOfRangeException(nameof(mean), $"mean must be finite, got {mean}.");
        if (!(std > 0) || !float.IsFinite(std)) throw new ArgumentOutOfRangeException(nameof(std), $"std must be finite and > 0, got {std}.");
        Mean = mean;
        Std = std;
    }

    public float Mean { get; }
    public float Std { get; }
}

/// <summary>One mini-batch: images (B, C, H, W), their class indices as floats (B) for the losses, and as integers.</summary>
public sealed record MiniBatch(Tensor Images, Tensor Targets, int[] Labels);

/// <summary>
/// An image-classification dataset held in memory: images (N, C, H, W) as float32 and one class
/// index per image, both as <c>int[]</c> and as a float tensor (N) (what F.CrossEntropy takes).
/// </summary>
public sealed class LabeledImages : IImageDataset
{
    private readonly int[] labels;

    /// <param name="images">(N, C, H, W) float32.</param>
    /// <param name="labels">N class indices in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="classNames">The classes' names by label (default "0", "1", ...).</param>
    public LabeledImages(Tensor images, int[] labels, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Rank != 4)
            throw new ArgumentException($"images must be (N, C, H, W), got shape {images.Shape}.", nameof(images));
        if (images.Shape[0] != labels.Length)
            throw new ArgumentException($"images has {images.Shape[0]} images (shape {images.Shape}) but labels has {labels.Length} entries.", nameof(labels));
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"classCount must be > 0, got {classCount}.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} at index {i} is out of range for {classCount} classes.");
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"{classNames.Count} class names given for {classCount} classes.", nameof(classNames));
        Images = images;
        ClassNames = classNames ?? [.. Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        this.labels = (int[])labels.Clone();
        ClassCount = classCount;
        var targets = new float[labels.Length];
        for (int i = 0; i < targets.Length; i++) targets[i] = labels[i];
        Targets = Tensor.FromArray(targets);
    }

    /// <summary>(N, C, H, W) float32.</summary>
    public Tensor Images { get; }

    /// <summary>The class of each image. The dataset's own array (it copied the one it was given): do not modify it.</summary>
    public int[] Labels => labels;

    /// <summary>The class of each image as float32, shape (N): the target tensor of F.CrossEntropy.</summary>
    public Tensor Targets { get; }

    public int ClassCount { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int Count => labels.Length;
    public int Channels => Images.Shape[1];
    public int Height => Images.Shape[2];
    public int Width => Images.Shape[3];

    public int GetLabel(int index) =>
        (uint)index < (uint)labels.Length ? labels[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range for a dataset of {labels.Length} images.");

    public Image GetImage(int index)
    {
        GetLabel(index);
        int itemSize = Channels * Height * Width;
        return new Image(Images.ReadOnlySpan.Slice(index * itemSize, itemSize).ToArray(), Channels, Height, Width);
    }

    /// <summary>Number of images of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int label in labels) counts[label]++;
        return counts;
    }

    /// <summary>
    /// Reads an IDX image file (magic 0x0803, (N, rows, columns) bytes) and an IDX label file (magic
    /// 0x0801, N bytes), raw or gzipped. Pixels are scaled to [0, 1], then normalised if asked;
    /// images come out as (N, 1, rows, columns).
    /// </summary>
    /// <exception cref="InvalidFileException">Either file is malformed, the counts differ, or a label is not below <paramref name="classCount"/>.</exception>
    public static LabeledImages FromIdx(string imagesPath, string labelsPath, int classCount, Normalization? normalization = null)
    {
        if (classCount is <= 0 or > 256) throw new ArgumentOutOfRangeException(nameof(classCount), $"classCount must be in 1..256 (labels are bytes), got {classCount}.");
        var labelArray = IdxFile.Read(labelsPath, expectedRank: 1);
        CheckLabels(labelArray, labelsPath, classCount);
        var imageArray = IdxFile.Read(imagesPath, expectedRank: 3);
        CheckSameCount(imageArray, imagesPath, labelArray, labelsPath);

        var images = ToFloatImages(imageArray.Data, imageArray.Dimensions[0], imageArray.Dimensions[1], imageArray.Dimensions[2], normalization);
        var labels = new int[labelArray.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = labelArray.Data[i];
        return new LabeledImages(images, labels, classCount);
    }

    /// <summary>Throws unless every label is below <paramref name="classCount"/>.</summary>
    internal static void CheckLabels(IdxArray labels, string path, int classCount)
    {
        var data = labels.Data;
        for (int i = 0; i < data.Length; i++)
            if (data[i] >= classCount)
                throw new InvalidFileException(path, $"label {data[i]} at index {i} is out of range for {classCount} classes.");
    }

    internal static void CheckSameCount(IdxArray images, string imagesPath, IdxArray labels, string labelsPath)
    {
        if (images.Count != labels.Count)
            throw new InvalidFileException(labelsPath, $"has {labels.Count} labels but {imagesPath} has {images.Count} images.");
    }

    /// <summary>Bytes (N, H, W) to float32 (N, 1, H, W): v / 255, then (v − mean) / std.</summary>
    private static Tensor ToFloatImages(byte[] pixels, int count, int height, int width, Normalization? normalization)
    {
        // One table lookup per pixel: all 256 byte values are converted once.
        Span<float> table = stackalloc float[256];
        for (int v = 0; v < 256; v++)
        {
            float scaled = v / 255f;
            table[v] = normalization is { } n ? (scaled - n.Mean) / n.Std : scaled;
        }
        var values = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) values[i] = table[pixels[i]];
        return Tensor.FromSpan(values, new Shape(count, 1, height, width));
    }

    /// <summary>Copies the images and targets at <paramref name="indices"/> (in that order) into a new batch.</summary>
    public MiniBatch Gather(ReadOnlySpan<int> indices)
    {
        int itemSize = Channels * Height * Width;
        var source = Images.ReadOnlySpan;
        var pixels = new float[(long)indices.Length * itemSize];
        var targets = new float[indices.Length];
        var batchLabels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {index} at position {i} is out of range for a dataset of {Count} images.");
            source.Slice(index * itemSize, itemSize).CopyTo(pixels.AsSpan(i * itemSize, itemSize));
            batchLabels[i] = labels[index];
            targets[i] = labels[index];
        }
        return new MiniBatch(
            Tensor.FromSpan(pixels, new Shape(indices.Length, Channels, Height, Width)),
            Tensor.FromSpan(targets, new Shape(indices.Length)),
            batchLabels);
    }

    /// <summary>
    /// Consecutive mini-batches of <paramref name="batchSize"/> images (the last one may be smaller),
    /// in a fresh random order drawn from <paramref name="shuffle"/> when it is given, else in file order.
    /// </summary>
    public IEnumerable<MiniBatch> Batches(int batchSize, Generator? shuffle = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be > 0, got {batchSize}.");
        var order = shuffle is null ? Enumerable.Range(0, Count).ToArray() : shuffle.Permutation(Count);
        return Iterate(order, batchSize);
    }

    private IEnumerable<MiniBatch> Iterate(int[] order, int batchSize)
    {
        for (int start = 0; start < order.Length; start += batchSize)
            yield return Gather(order.AsSpan(start, Math.Min(batchSize, order.Length - start)));
    }

    /// <summary>Number of batches that <see cref="Batches"/> yields.</summary>
    public int BatchCount(int batchSize) =>
        batchSize > 0 ? (Count + batchSize - 1) / batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be > 0, got {batchSize}.");
}
