using Fovea.Vision.Datasets;

namespace Fovea.Vision.Transforms;

/// <summary>
/// torchvision's RandomCrop(size, padding): pads every border with <see cref="Padding"/> zeros, then cuts a
/// <see cref="Height"/> x <see cref="Width"/> window at a uniformly random position (top drawn first, then left).
/// </summary>
public sealed class RandomCrop : ITransform
{
    public RandomCrop(int size, int padding = 0) : this(size, size, padding) { }

    public RandomCrop(int height, int width, int padding)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"crop height must be > 0, got {height}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"crop width must be > 0, got {width}.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0, got {padding}.");
        (Height, Width, Padding) = (height, width, padding);
    }

    public int Height { get; }
    public int Width { get; }
    public int Padding { get; }

    public Image Apply(Image image, Generator random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        int paddedHeight = image.Height + 2 * Padding, paddedWidth = image.Width + 2 * Padding;
        if (paddedHeight < Height || paddedWidth < Width)
            throw new ArgumentException($"RandomCrop of {Height} x {Width} does not fit image {image.DescribeShape()} padded by {Padding} ({paddedHeight} x {paddedWidth}).", nameof(image));
        int top = random.NextInt(paddedHeight - Height + 1) - Padding;
        int left = random.NextInt(paddedWidth - Width + 1) - Padding;
        return Crop(image, top, left, Height, Width);
    }

    /// <summary>The window of <paramref name="height"/> x <paramref name="width"/> at (top, left), which may reach
    /// outside the image: pixels outside are zero.</summary>
    public static Image Crop(Image image, int top, int left, int height, int width)
    {
        var output = new float[image.Channels * height * width];
        for (int c = 0; c < image.Channels; c++)
        {
            var source = image.Plane(c);
            for (int y = 0; y < height; y++)
            {
                int sourceY = top + y;
                if ((uint)sourceY >= (uint)image.Height) continue;
                // The columns of this row that fall inside the image.
                int from = Math.Max(0, -left), to = Math.Min(width, image.Width - left);
                if (from >= to) continue;
                source.Slice(sourceY * image.Width + left + from, to - from)
                    .CopyTo(output.AsSpan((c * height + y) * width + from, to - from));
            }
        }
        return new Image(output, image.Channels, height, width);
    }

    public override string ToString() => $"RandomCrop(size=({Height}, {Width}), padding={Padding})";
}
