using Fovea.Vision.Datasets;

namespace Fovea.Cli.Demo;

/// <summary>Finds the shipped Fashion-MNIST subset.</summary>
internal static class DataDirectory
{
    /// <summary>The folder the repository ships, relative to its root.</summary>
    public const string Default = "data/fashion-mnist-subset";

    /// <summary>
    /// <paramref name="explicitPath"/> when given (it must exist); otherwise the first
    /// data/fashion-mnist-subset holding the training images found walking up from each start folder
    /// (the current folder, then the program's folder).
    /// </summary>
    /// <exception cref="CliException">Nothing was found.</exception>
    public static string Find(string? explicitPath, params string[] startFolders)
    {
        if (explicitPath is not null)
        {
            if (!Directory.Exists(explicitPath)) throw new CliException($"--data: directory '{explicitPath}' does not exist.");
            return Path.GetFullPath(explicitPath);
        }
        var (images, _) = FashionMnist.FileNames(train: true);
        foreach (var start in startFolders)
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, Default);
                if (File.Exists(Path.Combine(candidate, images)) || File.Exists(Path.Combine(candidate, Path.GetFileNameWithoutExtension(images))))
                    return candidate;
            }
        throw new CliException($"Fashion-MNIST subset not found: no {Default} above {string.Join(" or ", startFolders)}; pass --data DIR.");
    }
}
