namespace Fovea.Vision.Datasets;

/// <summary>
/// One image as float32 pixels, channels first: (C, H, W), row-major, usually in [0, 1] before
/// normalisation. The unit that datasets hand out and transforms work on.
/// </summary>
public sealed class Image
{
    public Image(float[] pixels, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be > 0, got {channels}.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"height must be > 0, got {height}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"width must be > 0, got {width}.");
        if ((long)channels * height * width != pixels.Length)
            throw new ArgumentException($"{pixels.Length} pixels do not fill ({channels}, {height}, {width}).", nameof(pixels));
        (Pixels, Channels, Height, Width) = (pixels, channels, height, width);
    }

    /// <summary>(C, H, W) row-major.</summary>
    public float[] Pixels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>The pixels of one channel, (H, W) row-major.</summary>
    public Span<float> Plane(int channel) => Pixels.AsSpan(channel * Height * Width, Height * Width);

    /// <summary>(C, H, W) as text, for messages.</summary>
    public string DescribeShape() => $"({Channels}, {Height}, {Width})";

    /// <summary>A (1, C, H, W) tensor holding a copy of the pixels.</summary>
    public Tensor ToBatchTensor() => Tensor.FromSpan(Pixels, new Shape(1, Channels, Height, Width));
}

/// <summary>
/// torchvision's ToTensor: unsigned bytes to float32 in [0, 1] (v / 255), channels first.
/// </summary>
public static class ToTensor
{
    private static readonly float[] Table = BuildTable();

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = v / 255f;
        return table;
    }

    /// <summary>From bytes already channels first, (C, H, W).</summary>
    public static Image FromChw(ReadOnlySpan<byte> bytes, int channels, int height, int width)
    {
        var pixels = new float[bytes.Length];
        Convert(bytes, pixels);
        return new Image(pixels, channels, height, width);
    }

    /// <summary>From interleaved bytes, (H, W, C) (what image decoders produce).</summary>
    public static Image FromHwc(ReadOnlySpan<byte> bytes, int height, int width, int channels)
    {
        if (bytes.Length != (long)height * width * channels)
            throw new ArgumentException($"{bytes.Length} bytes do not fill (H, W, C) = ({height}, {width}, {channels}).", nameof(bytes));
        var pixels = new float[bytes.Length];
        int plane = height * width;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < channels; c++)
                pixels[c * plane + i] = Table[bytes[i * channels + c]];
        return new Image(pixels, channels, height, width);
    }

    /// <summary>Converts each byte to v / 255.</summary>
    public static void Convert(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (destination.Length < bytes.Length)
            throw new ArgumentException($"destination holds {destination.Length} values, {bytes.Length} are needed.", nameof(destination));
        for (int i = 0; i < bytes.Length; i++) destination[i] = Table[bytes[i]];
    }
}
