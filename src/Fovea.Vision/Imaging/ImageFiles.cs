using Fovea.Serialization;
using Fovea.Vision.Datasets;
using SkiaSharp;

namespace Fovea.Vision.Imaging;

/// <summary>
/// Reads and writes image files (PNG, JPEG, BMP, GIF, WebP, ...) through SkiaSharp. The reader treats
/// its input as hostile: it checks the format and the declared size before allocating pixels, and a
/// file that is not an image, is truncated or is too large gets an <see cref="InvalidFileException"/>.
/// </summary>
public static class ImageFiles
{
    /// <summary>Largest accepted image, in pixels (a 16k x 16k image), so a lying header cannot exhaust memory.</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>File extensions that <see cref="Read"/> decodes (lower case, with the dot).</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// Decodes an image into float32 (C, H, W) in [0, 1]: <paramref name="channels"/> 3 gives RGB, 1 gives
    /// luminance (ITU-R 601-2: 0.299 R + 0.587 G + 0.114 B, PIL's convert("L")). Alpha is dropped.
    /// </summary>
    public static Image Read(string path, int channels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be 1 (grey) or 3 (RGB), got {channels}.");
        using var file = File.OpenRead(path);
        if (file.Length == 0) throw new InvalidFileException(path, "is empty, not an image.");
        using var codec = SKCodec.Create(file, out var created);
        if (codec is null) throw new InvalidFileException(path, $"not a readable image ({Describe(created)}); supported: PNG, JPEG, BMP, GIF, WebP.");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
            throw new InvalidFileException(path, $"declares {width} x {height} pixels; at most {MaxPixels} are accepted.");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize64];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* pointer = rgba) result = codec.GetPixels(info, (IntPtr)pointer);
        }
        if (result != SKCodecResult.Success)
            throw new InvalidFileException(path, $"cannot be decoded: {Describe(result)} ({width} x {height} {codec.EncodedFormat}).");
        return FromRgba(rgba, height, width, channels);
    }

    /// <summary>RGBA bytes (H, W, 4) to an image of 1 or 3 channels.</summary>
    internal static Image FromRgba(ReadOnlySpan<byte> rgba, int height, int width, int channels)
    {
        int plane = height * width;
        var pixels = new float[channels * plane];
        for (int i = 0; i < plane; i++)
        {
            byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            if (channels == 1)
                pixels[i] = (r * 299 + g * 587 + b * 114 + 500) / 1000 / 255f;   // PIL's rounding of L
            else
            {
                pixels[i] = r / 255f;
                pixels[plane + i] = g / 255f;
                pixels[2 * plane + i] = b / 255f;
            }
        }
        return new Image(pixels, channels, height, width);
    }

    /// <summary>Writes an image of 1 or 3 channels in [0, 1] (clamped) as an 8-bit PNG, atomically.</summary>
    public static void WritePng(string path, Image image)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels is not (1 or 3)) throw new ArgumentException($"A PNG needs 1 or 3 channels, got image {image.DescribeShape()}.", nameof(image));
        int plane = image.Height * image.Width;
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var bytes = bitmap.GetPixelSpan();
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                bytes[4 * i + c] = ToByte(image.Pixels[(image.Channels == 1 ? 0 : c) * plane + i]);
        for (int i = 0; i < plane; i++) bytes[4 * i + 3] = 255;
        WritePng(path, bitmap);
    }

    /// <summary>Encodes a bitmap as PNG and writes it atomically.</summary>
    public static void WritePng(string path, SKBitmap bitmap)
    {
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width} x {bitmap.Height} PNG for {path}.");
        AtomicFile.Write(path, stream => encoded.SaveTo(stream));
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0f, 255f);

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the file is truncated",
        SKCodecResult.ErrorInInput => "the data is corrupt",
        SKCodecResult.Unimplemented => "unknown or unsupported format",
        SKCodecResult.InvalidInput => "invalid input",
        _ => result.ToString(),
    };
}
