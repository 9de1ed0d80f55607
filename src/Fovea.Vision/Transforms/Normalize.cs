using System.Globalization;
using Fovea.Vision.Datasets;

namespace Fovea.Vision.Transforms;

/// <summary>
/// Per-channel normalisation (torchvision's Normalize): x' = (x − mean[c]) / std[c]. One mean and std
/// apply to every channel; otherwise there must be one per channel.
/// </summary>
public sealed class Normalize : ITransform
{
    private readonly float[] mean, std;

    public Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"mean and std need the same non-zero length, got {mean.Length} and {std.Length}.", nameof(std));
        foreach (float m in mean)
            if (!float.IsFinite(m)) throw new ArgumentOutOfRangeException(nameof(mean), $"mean values must be finite, got {m}.");
        foreach (float s in std)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentOutOfRangeException(nameof(std), $"std values must be finite and > 0, got {s}.");
        (this.mean, this.std) = ((float[])mean.Clone(), (float[])std.Clone());
    }

    public IReadOnlyList<float> Mean => mean;
    public IReadOnlyList<float> Std => std;

    public Image Apply(Image image, Generator random)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (mean.Length != 1 && mean.Length != image.Channels)
            throw new ArgumentException($"Normalize has {mean.Length} means for an image {image.DescribeShape()} of {image.Channels} channels.", nameof(image));
        var output = new float[image.Pixels.Length];
        int plane = image.Height * image.Width;
        for (int c = 0; c < image.Channels; c++)
        {
            int k = mean.Length == 1 ? 0 : c;
            float m = mean[k], s = std[k];
            var source = image.Pixels.AsSpan(c * plane, plane);
            var target = output.AsSpan(c * plane, plane);
            for (int i = 0; i < plane; i++) target[i] = (source[i] - m) / s;
        }
        return new Image(output, image.Channels, image.Height, image.Width);
    }

    public override string ToString() =>
        $"Normalize(mean=[{string.Join(", ", mean.Select(Format))}], std=[{string.Join(", ", std.Select(Format))}])";

    private static string Format(float value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
