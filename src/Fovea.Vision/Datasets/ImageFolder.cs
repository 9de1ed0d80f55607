using Fovea.Serialization;
using Fovea.Vision.Imaging;
using Fovea.Vision.Transforms;

namespace Fovea.Vision.Datasets;

/// <summary>
/// torchvision's ImageFolder: one subfolder per class (sorted by name, ordinal), each holding that class's
/// image files (PNG, JPEG, BMP, GIF, WebP; other files are ignored). Every image is decoded when the
/// dataset is opened, so a corrupt file is reported before training starts rather than in the middle of it.
/// </summary>
public sealed class ImageFolder : IImageDataset
{
    private readonly Image[] images;
    private readonly int[] labels;
    private readonly string[] paths;

    private ImageFolder(Image[] images, int[] labels, string[] paths, string[] classNames) =>
        (this.images, this.labels, this.paths, ClassNames) = (images, labels, paths, classNames);

    /// <summary>
    /// Decodes every image under <paramref name="root"/> into <paramref name="channels"/> channels (1 grey,
    /// 3 RGB), resized (bilinear) to <paramref name="height"/> x <paramref name="width"/> when those are given.
    /// </summary>
    /// <param name="classNames">The expected classes in label order (e.g. a training set's, for its test set);
    /// null takes the subfolders' names.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidFileException">A class folder is empty, the classes differ from the expected ones, or an image cannot be decoded.</exception>
    public static ImageFolder Open(string root, int channels, int? height = null, int? width = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (height is <= 0 || width is <= 0 || height.HasValue != width.HasValue)
            throw new ArgumentException($"height and width must both be given and > 0, or both null; got {height} and {width}.", nameof(height));
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder not found: {root}.");
        var found = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(name => !name.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (found.Length == 0) throw new InvalidFileException(root, "holds no class subfolders (expected one folder of images per class).");
        if (classNames is not null && !classNames.SequenceEqual(found))
            throw new InvalidFileException(root, $"has classes [{string.Join(", ", found)}], expected [{string.Join(", ", classNames)}].");

        var images = new List<Image>();
        var labels = new List<int>();
        var paths = new List<string>();
        for (int label = 0; label < found.Length; label++)
        {
            var folder = Path.Combine(root, found[label]);
            var files = Directory.GetFiles(folder).Where(f => ImageFiles.Extensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
                throw new InvalidFileException(folder, $"class folder '{found[label]}' holds no image files ({string.Join(", ", ImageFiles.Extensions.Order())}).");
            foreach (var file in files)
            {
                var image = ImageFiles.Read(file, channels);
                images.Add(height is int h && width is int w ? Resize.Bilinear(image, h, w) : image);
                labels.Add(label);
                paths.Add(file);
            }
        }
        return new ImageFolder([.. images], [.. labels], [.. paths], found);
    }

    public int Count => labels.Length;
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The file of each item.</summary>
    public IReadOnlyList<string> Paths => paths;

    public int GetLabel(int index) => labels[CheckIndex(index)];

    public Image GetImage(int index)
    {
        var image = images[CheckIndex(index)];
        return new Image((float[])image.Pixels.Clone(), image.Channels, image.Height, image.Width);
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)labels.Length ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range for a dataset of {labels.Length} images.");
}
