using Fovea.Serialization;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;

namespace Fovea.Tests.Vision;

public sealed class LabeledImagesTests
{
    /// <summary>Writes N images of 2x3 whose pixels are (10·i + p) and the given labels, gzipped.</summary>
    private static (string Images, string Labels) WriteSet(TempDirectory folder, byte[] labels, int? imageCount = null)
    {
        int count = imageCount ?? labels.Length;
        var pixels = new byte[count * 6];
        for (int i = 0; i < count; i++)
            for (int p = 0; p < 6; p++) pixels[i * 6 + p] = (byte)(10 * i + p);
        var images = folder.File("images.gz");
        var labelPath = folder.File("labels.gz");
        IdxFile.Write(images, new IdxArray([count, 2, 3], pixels));
        IdxFile.Write(labelPath, new IdxArray([labels.Length], labels));
        return (images, labelPath);
    }

    [Fact]
    public void FromIdxScalesToUnitRangeAndKeepsLabels()
    {
        using var folder = new TempDirectory();
        var (images, labels) = WriteSet(folder, [3, 0, 9, 3]);
        var set = LabeledImages.FromIdx(images, labels, classCount: 10);

        Assert.Equal(new Shape(4, 1, 2, 3), set.Images.Shape);
        Assert.Equal(21f / 255f, set.Images[2, 0, 0, 1]);   // image 2, pixel 1 = 10·2 + 1
        Assert.Equal([3, 0, 9, 3], set.Labels);
        Assert.Equal([3f, 0f, 9f, 3f], set.Targets.ToArray());
        Assert.Equal(new Shape(4), set.Targets.Shape);
        Assert.Equal((4, 1, 2, 3, 10), (set.Count, set.Channels, set.Height, set.Width, set.ClassCount));
        Assert.Equal([1, 0, 0, 2, 0, 0, 0, 0, 0, 1], set.ClassCounts());
    }

    [Fact]
    public void FromIdxNormalises()
    {
        using var folder = new TempDirectory();
        var (images, labels) = WriteSet(folder, [1, 2]);
        var set = LabeledImages.FromIdx(images, labels, 3, new Normalization(0.5f, 0.25f));
        var raw = LabeledImages.FromIdx(images, labels, 3);
        for (int i = 0; i < raw.Images.Size; i++)
            Assert.Equal((raw.Images.ReadOnlySpan[i] - 0.5f) / 0.25f, set.Images.ReadOnlySpan[i], 6);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        using var folder = new TempDirectory();
        var (images, labels) = WriteSet(folder, [1, 2, 3], imageCount: 4);
        var error = FileAssert.Rejects(labels, "has 3 labels but", () => LabeledImages.FromIdx(images, labels, 10));
        Assert.Contains(images + " has 4 images", error.Message);
    }

    [Fact]
    public void LabelOutOfRangeForTheClassCountIsRejected()
    {
        using var folder = new TempDirectory();
        var (images, labels) = WriteSet(folder, [1, 2, 12]);
        FileAssert.Rejects(labels, "label 12 at index 2 is out of range for 10 classes", () => LabeledImages.FromIdx(images, labels, 10));
    }

    [Fact]
    public void SwappedFilesAreRejected()
    {
        using var folder = new TempDirectory();
        var (images, labels) = WriteSet(folder, [1, 2]);
        FileAssert.Rejects(images, "declares 3 dimensions, expected 1", () => LabeledImages.FromIdx(labels, images, 10));
    }

    [Fact]
    public void BadArgumentsAreRejectedBeforeReading()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabeledImages.FromIdx("no-such", "no-such", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabeledImages.FromIdx("no-such", "no-such", 257));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Normalization(0.5f, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Normalization(float.NaN, 1f));
        Assert.Throws<ArgumentException>(() => new LabeledImages(Tensor.Zeros(2, 4), [0, 1], 2));
        Assert.Throws<ArgumentException>(() => new LabeledImages(Tensor.Zeros(2, 1, 2, 2), [0], 2));
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => new LabeledImages(Tensor.Zeros(2, 1, 2, 2), [0, 2], 2));
        Assert.Contains("label 2 at index 1", label.Message);
    }

    [Fact]
    public void GatherCopiesTheRequestedImagesInOrder()
    {
        using var folder = new TempDirectory();
        var (images, labels) = WriteSet(folder, [5, 6, 7, 8]);
        var set = LabeledImages.FromIdx(images, labels, 10);
        var batch = set.Gather([3, 0, 3]);
        Assert.Equal(new Shape(3, 1, 2, 3), batch.Images.Shape);
        Assert.Equal([8, 5, 8], batch.Labels);
        Assert.Equal([8f, 5f, 8f], batch.Targets.ToArray());
        Assert.Equal(set.Images[3, 0, 1, 2], batch.Images[0, 0, 1, 2]);
        Assert.Equal(set.Images[0, 0, 1, 2], batch.Images[1, 0, 1, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Gather([4]));
    }

    [Fact]
    public void BatchesCoverEveryImageOnceAndShuffleReproducibly()
    {
        var set = new LabeledImages(Tensor.Arange(10).Reshape(10, 1, 1, 1), [.. Enumerable.Range(0, 10)], 10);
        var ordered = set.Batches(4).ToList();
        Assert.Equal([4, 4, 2], ordered.Select(b => b.Labels.Length));
        Assert.Equal(Enumerable.Range(0, 10), ordered.SelectMany(b => b.Labels));
        Assert.Equal(3, set.BatchCount(4));

        var first = set.Batches(3, new Generator(5)).SelectMany(b => b.Labels).ToList();
        var again = set.Batches(3, new Generator(5)).SelectMany(b => b.Labels).ToList();
        Assert.Equal(first, again);
        Assert.NotEqual(Enumerable.Range(0, 10), first);
        Assert.Equal(Enumerable.Range(0, 10), first.Order());
        // Pixels travel with their labels (each image's value is its index here).
        foreach (var batch in set.Batches(3, new Generator(9)))
            Assert.Equal(batch.Labels.Select(l => (float)l), batch.Images.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Batches(0));
    }
}
