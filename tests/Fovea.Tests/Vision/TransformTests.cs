using Fovea.Tests.Infrastructure;
using Fovea.Vision.Datasets;
using Fovea.Vision.Transforms;

namespace Fovea.Tests.Vision;

public sealed class TransformTests
{
    private static Image Ramp(int channels, int height, int width) =>
        new([.. Enumerable.Range(0, channels * height * width).Select(i => (float)i)], channels, height, width);

    [Theory]
    [InlineData("resize_up_3x5_to_7x8")]
    [InlineData("resize_down_9x7_to_4x3")]
    [InlineData("resize_mixed_6x4_to_3x10")]
    public void ResizeMatchesPyTorchBilinear(string name)
    {
        var golden = GoldenCase.Load("transforms", name);
        var input = golden["in.0"];
        var image = new Image(input.ToArray(), input.Shape[0], input.Shape[1], input.Shape[2]);
        var resized = new Resize((int)golden.Attribute("height"), (int)golden.Attribute("width")).Apply(image, new Generator(0));
        var output = Tensor.FromArray(resized.Pixels, resized.Channels, resized.Height, resized.Width);
        golden.Compare("out", output);
    }

    [Fact]
    public void ResizeToTheSameSizeIsTheIdentity()
    {
        var image = Ramp(1, 3, 4);
        Assert.Same(image, Resize.Bilinear(image, 3, 4));
    }

    [Fact]
    public void NormalizeIsPerChannelOrShared()
    {
        var image = new Image([1f, 2f, 3f, 4f], 2, 1, 2);
        var perChannel = new Normalize([1f, 2f], [2f, 0.5f]).Apply(image, new Generator(0));
        Assert.Equal([0f, 0.5f, 2f, 4f], perChannel.Pixels);
        var shared = new Normalize([1f], [2f]).Apply(image, new Generator(0));
        Assert.Equal([0f, 0.5f, 1f, 1.5f], shared.Pixels);
        Assert.Equal([1f, 2f, 3f, 4f], image.Pixels);   // the input is untouched
        var error = Assert.Throws<ArgumentException>(() => new Normalize([0f, 0f, 0f], [1f, 1f, 1f]).Apply(image, new Generator(0)));
        Assert.Contains("3 means for an image (2, 1, 2)", error.Message);
    }

    [Theory]
    [InlineData(new float[0], new float[0], "same non-zero length")]
    [InlineData(new[] { 0f }, new[] { 0f }, "std values must be finite and > 0, got 0")]
    [InlineData(new[] { float.NaN }, new[] { 1f }, "mean values must be finite")]
    [InlineData(new[] { 0f, 0f }, new[] { 1f }, "same non-zero length, got 2 and 1")]
    public void NormalizeRejectsBadStatistics(float[] mean, float[] std, string fragment)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new Normalize(mean, std));
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void RandomCropPadsWithZerosAndStaysInsideThePaddedImage()
    {
        var image = Ramp(2, 4, 4);
        var random = new Generator(5);
        var seenTops = new HashSet<int>();
        for (int trial = 0; trial < 200; trial++)
        {
            var crop = new RandomCrop(4, padding: 2).Apply(image, random);
            Assert.Equal((2, 4, 4), (crop.Channels, crop.Height, crop.Width));
            // Locate the crop: find the offset (dy, dx) in [-2, 2] that explains every pixel.
            var matches = from dy in Enumerable.Range(-2, 5)
                          from dx in Enumerable.Range(-2, 5)
                          where Explains(image, crop, dy, dx)
                          select dy;
            Assert.Single(matches);
            seenTops.Add(matches.First());
        }
        Assert.Equal(5, seenTops.Count);   // every vertical offset occurs
    }

    private static bool Explains(Image image, Image crop, int dy, int dx)
    {
        for (int c = 0; c < crop.Channels; c++)
            for (int y = 0; y < crop.Height; y++)
                for (int x = 0; x < crop.Width; x++)
                {
                    int sy = y + dy, sx = x + dx;
                    float expected = sy < 0 || sy >= image.Height || sx < 0 || sx >= image.Width ? 0f : image.Pixels[(c * image.Height + sy) * image.Width + sx];
                    if (crop.Pixels[(c * crop.Height + y) * crop.Width + x] != expected) return false;
                }
        return true;
    }

    [Fact]
    public void RandomCropIsSeededAndRejectsCropsLargerThanThePaddedImage()
    {
        var image = Ramp(1, 8, 8);
        var a = new RandomCrop(5, 1).Apply(image, new Generator(3));
        var b = new RandomCrop(5, 1).Apply(image, new Generator(3));
        Assert.Equal(a.Pixels, b.Pixels);
        var error = Assert.Throws<ArgumentException>(() => new RandomCrop(11, 1).Apply(image, new Generator(0)));
        Assert.Contains("RandomCrop of 11 x 11 does not fit image (1, 8, 8) padded by 1 (10 x 10)", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCrop(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCrop(3, -1));
    }

    [Fact]
    public void HorizontalFlipMirrorsRowsWithProbabilityP()
    {
        var image = new Image([1f, 2f, 3f, 4f, 5f, 6f], 1, 2, 3);
        Assert.Equal([3f, 2f, 1f, 6f, 5f, 4f], new RandomHorizontalFlip(1f).Apply(image, new Generator(0)).Pixels);
        Assert.Same(image, new RandomHorizontalFlip(0f).Apply(image, new Generator(0)));
        var random = new Generator(9);
        int flipped = Enumerable.Range(0, 2000).Count(_ => new RandomHorizontalFlip(0.25f).Apply(image, random) != image);
        Assert.InRange(flipped, 400, 600);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomHorizontalFlip(1.5f));
    }

    [Fact]
    public void ComposeAppliesInOrderAndToTensorScalesBytes()
    {
        var image = ToTensor.FromChw([0, 51, 255, 102], 1, 2, 2);
        Assert.Equal([0f, 0.2f, 1f, 0.4f], image.Pixels);
        var pipeline = new Compose(new RandomHorizontalFlip(1f), new Normalize([0.5f], [0.5f]));
        Assert.Equal([-0.6f, -1f, -0.2f, 1f], pipeline.Apply(image, new Generator(0)).Pixels, new FloatTolerance(1e-6f));
        var hwc = ToTensor.FromHwc([10, 20, 30, 40, 50, 60], 1, 2, 3);   // two RGB pixels
        Assert.Equal([10 / 255f, 40 / 255f, 20 / 255f, 50 / 255f, 30 / 255f, 60 / 255f], hwc.Pixels);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
