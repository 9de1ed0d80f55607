using System.IO.Compression;
using System.Security.Cryptography;
using Fovea.Cli.Demo;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;

namespace Fovea.Tests.Vision;

/// <summary>The subset shipped in data/fashion-mnist-subset, and the tool that made it.</summary>
public sealed class FashionMnistSubsetTests
{
    private static string Shipped => DataDirectory.Find(null, AppContext.BaseDirectory);

    [Theory]
    [InlineData(true, 1000)]
    [InlineData(false, 200)]
    public void ShippedSubsetIsClassBalanced(bool train, int perClass)
    {
        var set = FashionMnist.Load(Shipped, train);
        Assert.Equal(10 * perClass, set.Count);
        Assert.Equal(Enumerable.Repeat(perClass, 10), set.ClassCounts());
        Assert.Equal((1, 28, 28), (set.Channels, set.Height, set.Width));
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in set.Images.ReadOnlySpan) { min = Math.Min(min, v); max = Math.Max(max, v); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
    }

    // The SHA-256 of each uncompressed IDX file, as listed in data/fashion-mnist-subset/README.md.
    [Theory]
    [InlineData("train-images-idx3-ubyte.gz", "d33512cfdc636a0d8972818e6659995be209a88891df7fa2109d7895922c8985")]
    [InlineData("train-labels-idx1-ubyte.gz", "620cb8e3b9348037c5ff9a07b02d773ab165330e072dfd19e0d21c59f8042dcf")]
    [InlineData("t10k-images-idx3-ubyte.gz", "15a92dd1e9b16ea361928086e77df4dfa890c255c00b5a8c8162c1040ce8eef1")]
    [InlineData("t10k-labels-idx1-ubyte.gz", "234596aeb6eb48133ec99a62541f90bc0728c9559a681f1e0638037462458f2c")]
    public void ShippedFilesMatchTheirPublishedChecksums(string file, string sha256)
    {
        using var stream = File.OpenRead(Path.Combine(Shipped, file));
        using var content = new GZipStream(stream, CompressionMode.Decompress);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(content)));
        Assert.Contains(sha256, File.ReadAllText(Path.Combine(Shipped, "README.md")));
    }

    [Fact]
    public void NormalisedLoadUsesTheFashionMnistStatistics()
    {
        var plain = FashionMnist.Load(Shipped, train: false);
        var normalised = FashionMnist.Load(Shipped, train: false, FashionMnist.Normalization);
        Assert.Equal((plain.Images.ReadOnlySpan[400] - 0.2860f) / 0.3530f, normalised.Images.ReadOnlySpan[400], 5);
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Fact]
    public void LoadAcceptsRawFilesAndNamesWhatIsMissing()
    {
        using var folder = new TempDirectory();
        IdxFile.Write(folder.File("t10k-images-idx3-ubyte"), new IdxArray([2, 28, 28], new byte[2 * 784]), gzip: false);
        IdxFile.Write(folder.File("t10k-labels-idx1-ubyte"), new IdxArray([2], [4, 1]), gzip: false);
        Assert.Equal([4, 1], FashionMnist.Load(folder.Path, train: false).Labels);
        var missing = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(folder.Path, train: true));
        Assert.Contains("train-images-idx3-ubyte.gz", missing.Message);
    }

    [Fact]
    public void FirstOfEachClassKeepsFileOrder()
    {
        byte[] labels = [2, 0, 2, 1, 0, 2, 1, 1, 0];
        Assert.Equal([0, 1, 3], ClassBalancedSubset.FirstOfEachClass(labels, 1, 3));
        Assert.Equal([0, 1, 2, 3, 4, 6], ClassBalancedSubset.FirstOfEachClass(labels, 2, 3));
        var tooFew = Assert.Throws<ArgumentException>(() => ClassBalancedSubset.FirstOfEachClass(labels, 4, 3));
        Assert.Contains("class 0 has only 3 examples", tooFew.Message);
        Assert.Throws<ArgumentException>(() => ClassBalancedSubset.FirstOfEachClass(labels, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassBalancedSubset.FirstOfEachClass(labels, 0, 3));
    }

    [Fact]
    public void WriteCopiesTheChosenImagesWithTheirLabels()
    {
        using var folder = new TempDirectory();
        var (images, labels) = FashionMnist.FileNames(train: false);
        var indices = ClassBalancedSubset.Write(Path.Combine(Shipped, images), Path.Combine(Shipped, labels),
            folder.File(images), folder.File(labels), perClass: 3, FashionMnist.ClassCount);

        var source = FashionMnist.Load(Shipped, train: false);
        var subset = FashionMnist.Load(folder.Path, train: false);
        Assert.Equal(30, subset.Count);
        Assert.Equal(Enumerable.Repeat(3, 10), subset.ClassCounts());
        var expected = source.Gather(indices);
        Assert.Equal(expected.Labels, subset.Labels);
        Assert.Equal(expected.Images.ToArray(), subset.Images.ToArray());
        Assert.Equal([images, labels], folder.Files());
    }
}
