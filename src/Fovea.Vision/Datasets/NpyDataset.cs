using System.Globalization;
using Fovea.Serialization;

namespace Fovea.Vision.Datasets;

/// <summary>
/// A labelled image dataset stored as two NumPy .npy arrays: images (N, H, W) or (N, C, H, W) and labels (N).
/// uint8 images are scaled to [0, 1] (ToTensor); float images are taken as they are. Labels must be
/// integers (any integer dtype, or integral floats) in [0, classes).
/// </summary>
public static class NpyDataset
{
    /// <param name="classNames">The class names by label; null names them "0", "1", ... up to the largest label.</param>
    /// <exception cref="InvalidFileException">Either file is malformed, the shapes disagree, or a label is not a valid class index.</exception>
    public static LabeledImages Load(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        var labelTensor = Npy.Read(labelsPath, out _);
        if (labelTensor.Rank != 1) throw new InvalidFileException(labelsPath, $"labels must be one-dimensional (N), got shape {labelTensor.Shape}.");
        var labels = new int[labelTensor.Size];
        var values = labelTensor.ReadOnlySpan;
        for (int i = 0; i < labels.Length; i++)
        {
            float value = values[i];
            if (value != MathF.Round(value) || value < 0 || value > 1 << 24)
                throw new InvalidFileException(labelsPath, $"label {value.ToString(CultureInfo.InvariantCulture)} at index {i} is not a class index (a non-negative integer).");
            labels[i] = (int)value;
        }
        int classCount = classNames?.Count ?? (labels.Length == 0 ? 1 : labels.Max() + 1);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classCount)
                throw new InvalidFileException(labelsPath, $"label {labels[i]} at index {i} is out of range for {classCount} classes.");

        var images = Npy.Read(imagesPath, out var storedType);
        if (images.Rank is not (3 or 4))
            throw new InvalidFileException(imagesPath, $"images must be (N, H, W) or (N, C, H, W), got shape {images.Shape}.");
        if (images.Shape[0] != labels.Length)
            throw new InvalidFileException(labelsPath, $"has {labels.Length} labels but {imagesPath} has {images.Shape[0]} images (shape {images.Shape}).");
        if (images.Rank == 3) images = images.Reshape(images.Shape[0], 1, images.Shape[1], images.Shape[2]);
        if (storedType == Npy.DType.UInt8)
        {
            var pixels = images.Span;
            for (int i = 0; i < pixels.Length; i++) pixels[i] /= 255f;
        }
        return new LabeledImages(images, labels, classCount, classNames);
    }
}
