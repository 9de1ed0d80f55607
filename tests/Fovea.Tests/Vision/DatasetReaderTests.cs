using Fovea.Serialization;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;
using Fovea.Vision.Imaging;

namespace Fovea.Tests.Vision;

/// <summary>CIFAR batches, image folders, .npy datasets and IDX labels: contents, and every malformed file rejected by name.</summary>
public sealed class DatasetReaderTests
{
    /// <summary>CIFAR records: label byte(s) then 3072 pixels, pixel i of record r = (r + i) mod 256.</summary>
    internal static byte[] CifarRecords(params byte[][] labels)
    {
        int recordSize = labels[0].Length + Cifar.PixelBytes;
        var bytes = new byte[labels.Length * recordSize];
        for (int r = 0; r < labels.Length; r++)
        {
            labels[r].CopyTo(bytes, r * recordSize);
            for (int i = 0; i < Cifar.PixelBytes; i++) bytes[r * recordSize + labels[r].Length + i] = (byte)(r + i);
        }
        return bytes;
    }

    [Fact]
    public void Cifar10ReadsRecordsChannelsFirst()
    {
        using var folder = new TempDirectory();
        File.WriteAllBytes(folder.File("test_batch.bin"), CifarRecords([3], [9]));
        var test = Cifar.Load10(folder.Path, train: false);
        Assert.Equal(2, test.Count);
        Assert.Equal([3, 9], new[] { test.GetLabel(0), test.GetLabel(1) });
        Assert.Equal("cat", test.ClassNames[3]);
        var image = test.GetImage(1);
        Assert.Equal((3, 32, 32), (image.Channels, image.Height, image.Width));
        Assert.Equal(1 / 255f, image.Pixels[0]);                      // red (0, 0) of record 1
        Assert.Equal((1 + 1024) % 256 / 255f, image.Pixels[1024]);   // green (0, 0)
        Assert.Equal((1 + 2 * 1024 + 33) % 256 / 255f, image.Pixels[2 * 1024 + 33]);   // blue (1, 1)
    }

    [Fact]
    public void Cifar10TrainingSplitJoinsFiveBatchesAndReadsClassNames()
    {
        using var folder = new TempDirectory();
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(folder.File($"data_batch_{i}.bin"), CifarRecords([(byte)i]));
        File.WriteAllLines(folder.File("batches.meta.txt"), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", ""]);
        var train = Cifar.Load10(folder.Path, train: true);
        Assert.Equal([1, 2, 3, 4, 5], Enumerable.Range(0, 5).Select(train.GetLabel));
        Assert.Equal("j", train.ClassNames[9]);
        File.Delete(folder.File("data_batch_4.bin"));
        var missing = Assert.Throws<FileNotFoundException>(() => Cifar.Load10(folder.Path, train: true));
        Assert.Contains("data_batch_4.bin", missing.Message);
    }

    [Fact]
    public void Cifar100ReadsFineOrCoarseLabels()
    {
        using var folder = new TempDirectory();
        File.WriteAllBytes(folder.File("train.bin"), CifarRecords([19, 99], [0, 42]));
        Assert.Equal([99, 42], new[] { 0, 1 }.Select(Cifar.Load100(folder.Path, train: true).GetLabel));
        var coarse = Cifar.Load100(folder.Path, train: true, coarse: true);
        Assert.Equal([19, 0], new[] { 0, 1 }.Select(coarse.GetLabel));
        Assert.Equal(20, coarse.ClassNames.Count);
    }

    [Fact]
    public void CifarRejectsTruncatedEmptyAndMislabelledFiles()
    {
        using var folder = new TempDirectory();
        var path = folder.File("test_batch.bin");
        File.WriteAllBytes(path, CifarRecords([1], [2])[..5000]);
        FileAssert.Rejects(path, "length 5000 is not a multiple of the 3073-byte CIFAR record", () => Cifar.Load10(folder.Path, train: false));
        File.WriteAllBytes(path, []);
        FileAssert.Rejects(path, "is empty", () => Cifar.Load10(folder.Path, train: false));
        File.WriteAllBytes(path, CifarRecords([1], [10]));
        FileAssert.Rejects(path, "record 1 has label 10, out of range for 10 classes", () => Cifar.Load10(folder.Path, train: false));
        // A CIFAR-100 file read as CIFAR-10: 3074-byte records do not tile it.
        File.WriteAllBytes(path, CifarRecords([1, 2], [3, 4], [5, 6]));
        FileAssert.Rejects(path, "not a multiple of the 3073-byte", () => Cifar.Load10(folder.Path, train: false));
        File.WriteAllBytes(folder.File("test.bin"), CifarRecords([20, 5]));
        FileAssert.Rejects(folder.File("test.bin"), "label 20, out of range for 20 classes", () => Cifar.Load100(folder.Path, train: false, coarse: true));
        File.WriteAllLines(folder.File("batches.meta.txt"), ["only", "three", "names"]);
        FileAssert.Rejects(folder.File("batches.meta.txt"), "lists 3 class names, expected 10", () => Cifar.Load10(folder.Path, train: false));
    }

    [Fact]
    public void IdxDatasetRejectsLabelsOutOfRangeAndMismatchedCounts()
    {
        using var folder = new TempDirectory();
        var (images, labels) = FashionMnist.FileNames(train: true);
        IdxFile.Write(folder.File(images), new IdxArray([2, 2, 2], new byte[8]));
        IdxFile.Write(folder.File(labels), new IdxArray([2], [1, 10]));
        FileAssert.Rejects(folder.File(labels), "label 10 at index 1 is out of range for 10 classes", () => FashionMnist.Open(folder.Path, train: true));
        IdxFile.Write(folder.File(labels), new IdxArray([3], [1, 2, 3]));
        FileAssert.Rejects(folder.File(labels), "has 3 labels but", () => FashionMnist.Open(folder.Path, train: true));
        IdxFile.Write(folder.File(labels), new IdxArray([2], [1, 9]), gzip: false);
        var data = FashionMnist.Open(folder.Path, train: true);
        Assert.Equal((2, 9), (data.Count, data.GetLabel(1)));
        Assert.Equal("Ankle boot", data.ClassNames[9]);
    }

    private static Image Solid(int channels, int height, int width, float value) =>
        new([.. Enumerable.Repeat(value, channels * height * width)], channels, height, width);

    [Fact]
    public void ImageFilesRoundTripGreyAndColour()
    {
        using var folder = new TempDirectory();
        var colour = new Image([.. Enumerable.Range(0, 3 * 2 * 3).Select(i => i * 14 / 255f)], 3, 2, 3);
        ImageFiles.WritePng(folder.File("c.png"), colour);
        Assert.Equal(colour.Pixels, ImageFiles.Read(folder.File("c.png"), 3).Pixels);
        var grey = ImageFiles.Read(folder.File("c.png"), 1);
        // Luminance of pixel 0: R = 0, G = 84, B = 168 (bytes) -> (0·299 + 84·587 + 168·114 + 500) / 1000 = 68.
        Assert.Equal(68 / 255f, grey.Pixels[0]);
        Assert.Equal((1, 2, 3), (grey.Channels, grey.Height, grey.Width));
    }

    [Fact]
    public void ImageFolderSortsClassesDecodesAndResizes()
    {
        using var folder = new TempDirectory();
        foreach (var (name, value) in new[] { ("cat", 0.2f), ("ant", 0.6f) })
        {
            Directory.CreateDirectory(folder.File(name));
            ImageFiles.WritePng(folder.File($"{name}/1.png"), Solid(3, 6, 4, value));
            ImageFiles.WritePng(folder.File($"{name}/2.png"), Solid(3, 3, 3, value));
            File.WriteAllText(folder.File($"{name}/notes.txt"), "not an image");
        }
        var data = ImageFolder.Open(folder.Path, channels: 1, height: 5, width: 5);
        Assert.Equal(["ant", "cat"], data.ClassNames);
        Assert.Equal(4, data.Count);
        Assert.Equal([0, 0, 1, 1], Enumerable.Range(0, 4).Select(data.GetLabel));
        var image = data.GetImage(3);
        Assert.Equal((1, 5, 5), (image.Channels, image.Height, image.Width));
        Assert.All(image.Pixels, v => Assert.Equal(51 / 255f, v, 1e-6f));
        var error = Assert.Throws<InvalidFileException>(() => ImageFolder.Open(folder.Path, 1, 5, 5, classNames: ["ant", "bee"]));
        Assert.Contains("has classes [ant, cat], expected [ant, bee]", error.Message);
    }

    [Fact]
    public void ImageFolderRejectsCorruptTruncatedAndMissingImages()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.File("a"));
        Directory.CreateDirectory(folder.File("b"));
        ImageFiles.WritePng(folder.File("a/1.png"), Solid(3, 16, 16, 0.5f));
        FileAssert.Rejects(folder.File("b"), "class folder 'b' holds no image files", () => ImageFolder.Open(folder.Path, 3));

        File.WriteAllBytes(folder.File("b/garbage.png"), [.. Enumerable.Range(0, 100).Select(i => (byte)i)]);
        FileAssert.Rejects(folder.File("b/garbage.png"), "not a readable image", () => ImageFolder.Open(folder.Path, 3));

        var png = File.ReadAllBytes(folder.File("a/1.png"));
        File.WriteAllBytes(folder.File("b/garbage.png"), png[..(png.Length * 2 / 3)]);
        FileAssert.Rejects(folder.File("b/garbage.png"), "truncated", () => ImageFolder.Open(folder.Path, 3));

        File.WriteAllBytes(folder.File("b/garbage.png"), []);
        FileAssert.Rejects(folder.File("b/garbage.png"), "is empty", () => ImageFolder.Open(folder.Path, 3));
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Open(folder.File("absent"), 3));
    }

    [Fact]
    public void NpyDatasetScalesBytesAndChecksLabels()
    {
        using var folder = new TempDirectory();
        Npy.Write(folder.File("x.npy"), Tensor.FromArray([0f, 255f, 51f, 102f, 0f, 0f, 0f, 0f], 2, 2, 2), Npy.DType.UInt8);
        Npy.Write(folder.File("y.npy"), Tensor.FromArray([2f, 0f]), Npy.DType.Int64);
        var data = NpyDataset.Load(folder.File("x.npy"), folder.File("y.npy"));
        Assert.Equal(3, data.ClassNames.Count);
        Assert.Equal([0f, 1f, 0.2f, 0.4f], data.GetImage(0).Pixels);
        Assert.Equal((1, 2, 2), (data.Channels, data.Height, data.Width));

        FileAssert.Rejects(folder.File("y.npy"), "label 2 at index 0 is out of range for 2 classes",
            () => NpyDataset.Load(folder.File("x.npy"), folder.File("y.npy"), ["a", "b"]));
        Npy.Write(folder.File("y.npy"), Tensor.FromArray([0.5f, 1f]));
        FileAssert.Rejects(folder.File("y.npy"), "label 0.5 at index 0 is not a class index", () => NpyDataset.Load(folder.File("x.npy"), folder.File("y.npy")));
        Npy.Write(folder.File("y.npy"), Tensor.FromArray([0f, 1f, 1f]));
        FileAssert.Rejects(folder.File("y.npy"), "has 3 labels but", () => NpyDataset.Load(folder.File("x.npy"), folder.File("y.npy")));
        File.WriteAllBytes(folder.File("x.npy"), File.ReadAllBytes(folder.File("x.npy"))[..90]);
        Npy.Write(folder.File("y.npy"), Tensor.FromArray([0f, 1f]));
        Assert.Throws<InvalidFileException>(() => NpyDataset.Load(folder.File("x.npy"), folder.File("y.npy")));
    }
}
