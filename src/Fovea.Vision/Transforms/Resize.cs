using Fovea.Vision.Datasets;

namespace Fovea.Vision.Transforms;

/// <summary>
/// Bilinear resize to <see cref="Height"/> x <see cref="Width"/> with half-pixel centres, as
/// torch.nn.functional.interpolate(mode="bilinear", align_corners=False) without antialiasing: output
/// pixel (y, x) samples the input at ((y + 0.5)·H_in/H_out − 0.5, (x + 0.5)·W_in/W_out − 0.5), clamped at 0.
/// </summary>
public sealed class Resize : ITransform
{
    public Resize(int height, int width)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"height must be > 0, got {height}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"width must be > 0, got {width}.");
        (Height, Width) = (height, width);
    }

    public int Height { get; }
    public int Width { get; }

    public Image Apply(Image image, Generator random) => Bilinear(image, Height, Width);

    public static Image Bilinear(Image image, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Height == height && image.Width == width) return image;
        var rows = Taps(image.Height, height);
        var columns = Taps(image.Width, width);
        var output = new float[image.Channels * height * width];
        for (int c = 0; c < image.Channels; c++)
        {
            var source = image.Plane(c);
            var target = output.AsSpan(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                var (y0, y1, wy) = rows[y];
                var top = source.Slice(y0 * image.Width, image.Width);
                var bottom = source.Slice(y1 * image.Width, image.Width);
                for (int x = 0; x < width; x++)
                {
                    var (x0, x1, wx) = columns[x];
                    float upper = top[x0] + (top[x1] - top[x0]) * wx;
                    float lower = bottom[x0] + (bottom[x1] - bottom[x0]) * wx;
                    target[y * width + x] = upper + (lower - upper) * wy;
                }
            }
        }
        return new Image(output, image.Channels, height, width);
    }

    /// <summary>For each output index: the two input indices and the weight of the second (PyTorch's area_pixel_compute_source_index).</summary>
    private static (int Low, int High, float Weight)[] Taps(int inputSize, int outputSize)
    {
        var taps = new (int, int, float)[outputSize];
        float scale = (float)inputSize / outputSize;
        for (int i = 0; i < outputSize; i++)
        {
            float source = Math.Max((i + 0.5f) * scale - 0.5f, 0f);
            int low = Math.Min((int)source, inputSize - 1);
            int high = Math.Min(low + 1, inputSize - 1);
            taps[i] = (low, high, source - low);
        }
        return taps;
    }

    public override string ToString() => $"Resize(({Height}, {Width}), bilinear)";
}
