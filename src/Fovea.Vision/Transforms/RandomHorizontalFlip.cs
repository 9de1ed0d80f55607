using Fovea.Vision.Datasets;

namespace Fovea.Vision.Transforms;

/// <summary>torchvision's RandomHorizontalFlip(p): mirrors the image left to right with probability <see cref="P"/>.</summary>
public sealed class RandomHorizontalFlip : ITransform
{
    public RandomHorizontalFlip(float p = 0.5f)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"p must be in [0, 1], got {p}.");
        P = p;
    }

    public float P { get; }

    public Image Apply(Image image, Generator random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        // One draw per image whatever p is, so the random stream does not depend on the outcome.
        return random.NextFloat() < P ? Flip(image) : image;
    }

    public static Image Flip(Image image)
    {
        var output = new float[image.Pixels.Length];
        int width = image.Width;
        for (int row = 0; row < image.Channels * image.Height; row++)
        {
            var source = image.Pixels.AsSpan(row * width, width);
            var target = output.AsSpan(row * width, width);
            for (int x = 0; x < width; x++) target[x] = source[width - 1 - x];
        }
        return new Image(output, image.Channels, image.Height, width);
    }

    public override string ToString() => $"RandomHorizontalFlip(p={P})";
}
