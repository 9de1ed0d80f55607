namespace Fovea.Vision.Datasets;

/// <summary>
/// MNIST-family datasets (MNIST, Fashion-MNIST, KMNIST, ...) from their IDX files: a folder holding
/// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
/// each gzipped (".gz") or raw. Images come out as (1, rows, columns).
/// </summary>
public static class IdxDataset
{
    /// <summary>MNIST's classes: the digits.</summary>
    public static IReadOnlyList<string> DigitNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Reads the training or test split from <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing (neither gzipped nor raw).</exception>
    /// <exception cref="Serialization.InvalidFileException">A file is malformed, the counts differ, or a label is out of range.</exception>
    public static ByteImageDataset FromFolder(string directory, bool train, IReadOnlyList<string> classNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var (images, labels) = FashionMnist.FileNames(train);
        return FromFiles(Locate(directory, images), Locate(directory, labels), classNames);
    }

    /// <summary>Reads an IDX image file (N, rows, columns) and its IDX label file (N).</summary>
    public static ByteImageDataset FromFiles(string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count is 0 or > 256)
            throw new ArgumentOutOfRangeException(nameof(classNames), $"IDX labels are bytes: 1..256 classes, got {classNames.Count}.");
        var labelArray = IdxFile.Read(labelsPath, expectedRank: 1);
        LabeledImages.CheckLabels(labelArray, labelsPath, classNames.Count);
        var imageArray = IdxFile.Read(imagesPath, expectedRank: 3);
        LabeledImages.CheckSameCount(imageArray, imagesPath, labelArray, labelsPath);
        if (imageArray.Count > 0 && imageArray.ItemSize == 0)
            throw new Serialization.InvalidFileException(imagesPath, $"images of size {imageArray.DescribeDimensions()} hold no pixels.");
        var labels = Array.ConvertAll(labelArray.Data, b => (int)b);
        return new ByteImageDataset(imageArray.Data, 1, imageArray.Dimensions[1], imageArray.Dimensions[2], labels, classNames);
    }

    /// <summary>The gzipped file if it exists, else the raw one.</summary>
    internal static string Locate(string directory, string gzipName)
    {
        var gzipped = Path.Combine(directory, gzipName);
        if (File.Exists(gzipped)) return gzipped;
        var raw = Path.Combine(directory, Path.GetFileNameWithoutExtension(gzipName));
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"IDX file not found: neither {gzipped} nor {raw} exists.", gzipped);
    }
}
