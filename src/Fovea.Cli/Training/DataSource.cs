using Fovea.Vision.Datasets;

namespace Fovea.Cli.Training;

/// <summary>
/// A dataset named on the command line as KIND:DIR: fashion-mnist, mnist (IDX files), cifar10, cifar100 (binary
/// batches), folder (DIR/train and DIR/test, or DIR/val, each with one subfolder per class) or npy
/// (DIR/train-images.npy, train-labels.npy, test-images.npy, test-labels.npy). Each kind brings its usual normalisation.
/// </summary>
internal sealed record DataSource(string Kind, string Directory)
{
    public static IReadOnlyList<string> Kinds { get; } = ["fashion-mnist", "mnist", "cifar10", "cifar100", "folder", "npy"];

    public const string Syntax = "fashion-mnist:DIR, mnist:DIR, cifar10:DIR, cifar100:DIR, folder:DIR or npy:DIR";

    /// <summary>Why <paramref name="text"/> is not KIND:DIR, or null when it is.</summary>
    public static string? Problem(string? text)
    {
        if (string.IsNullOrEmpty(text)) return $"must be {Syntax}.";
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return $"must be {Syntax}, got '{text}'.";
        var kind = text[..colon].ToLowerInvariant();
        return Kinds.Contains(kind) ? null : $"has unknown dataset kind '{text[..colon]}'; use {Syntax}.";
    }

    public static DataSource Parse(string text)
    {
        if (Problem(text) is { } problem) throw new CliException($"--data {problem}");
        int colon = text.IndexOf(':');
        return new DataSource(text[..colon].ToLowerInvariant(), text[(colon + 1)..]);
    }

    /// <summary>The directory as an absolute path; a missing one is a one-line error.</summary>
    public string FullDirectory =>
        System.IO.Directory.Exists(Directory) ? Path.GetFullPath(Directory)
        : throw new CliException($"--data: directory '{Directory}' does not exist.");

    /// <summary>The per-channel mean and std of the usual normalisation for this kind of data.</summary>
    public (float[] Mean, float[] Std) Normalization(int channels) => Kind switch
    {
        "fashion-mnist" => ([FashionMnist.Normalization.Mean], [FashionMnist.Normalization.Std]),
        "mnist" => ([0.1307f], [0.3081f]),
        "cifar10" => ([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]),
        "cifar100" => ([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]),
        // ImageNet's statistics for colour images; the middle of [0, 1] for anything else.
        _ => channels == 3 ? ([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]) : ([0.5f], [0.5f]),
    };

    /// <summary>
    /// The training or test split. Image folders are decoded to <paramref name="folderShape"/> (C, H, W) (the
    /// model's input), with <paramref name="classNames"/> required for the test split when given.
    /// </summary>
    public IImageDataset Load(bool train, Shape folderShape, IReadOnlyList<string>? classNames = null)
    {
        var directory = FullDirectory;
        return Kind switch
        {
            "fashion-mnist" => FashionMnist.Open(directory, train),
            "mnist" => IdxDataset.FromFolder(directory, train, IdxDataset.DigitNames),
            "cifar10" => Cifar.Load10(directory, train),
            "cifar100" => Cifar.Load100(directory, train),
            "folder" => ImageFolder.Open(FolderSplit(directory, train), folderShape[0], folderShape[1], folderShape[2], classNames),
            "npy" => NpyDataset.Load(Path.Combine(directory, $"{Split(train)}-images.npy"), Path.Combine(directory, $"{Split(train)}-labels.npy"), classNames),
            _ => throw new CliException($"--data: unknown dataset kind '{Kind}'."),
        };
    }

    private static string Split(bool train) => train ? "train" : "test";

    private static string FolderSplit(string directory, bool train)
    {
        string[] names = train ? ["train"] : ["test", "val"];
        foreach (var name in names)
            if (System.IO.Directory.Exists(Path.Combine(directory, name))) return Path.Combine(directory, name);
        throw new CliException($"--data folder:{directory} needs a '{string.Join("' or '", names)}' subfolder (one folder of images per class inside).");
    }

    public override string ToString() => $"{Kind}:{Directory}";
}
