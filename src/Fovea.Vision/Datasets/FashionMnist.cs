namespace Fovea.Vision.Datasets;

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT licence): 28x28 grey images of 10 kinds of clothing, stored
/// as IDX files named like the original (train-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, ...).
/// </summary>
public static class FashionMnist
{
    public const int ClassCount = 10;
    public const int ImageSize = 28;

    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The usual normalisation for Fashion-MNIST: the mean and standard deviation of the full training set's pixels.</summary>
    public static Normalization Normalization { get; } = new(0.2860f, 0.3530f);

    /// <summary>The gzipped file names of the training ("train") or test ("t10k") split.</summary>
    public static (string Images, string Labels) FileNames(bool train)
    {
        string prefix = train ? "train" : "t10k";
        return ($"{prefix}-images-idx3-ubyte.gz", $"{prefix}-labels-idx1-ubyte.gz");
    }

    /// <summary>
    /// Loads the training or test split from <paramref name="directory"/>; each file may be gzipped
    /// (the name above) or raw (the name without ".gz").
    /// </summary>
    public static LabeledImages Load(string directory, bool train, Normalization? normalization = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var (images, labels) = FileNames(train);
        return LabeledImages.FromIdx(IdxDataset.Locate(directory, images), IdxDataset.Locate(directory, labels), ClassCount, normalization);
    }

    /// <summary>The training or test split as a byte dataset (1 x 28 x 28 images, converted to [0, 1] when read).</summary>
    public static ByteImageDataset Open(string directory, bool train) => IdxDataset.FromFolder(directory, train, ClassNames);
}
