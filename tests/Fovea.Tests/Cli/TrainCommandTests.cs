using Fovea.Cli;
using Fovea.Nn;
using Fovea.Tests.Support;
using Fovea.Tests.Vision;
using Fovea.Vision.Datasets;
using Fovea.Vision.Imaging;
using Fovea.Vision.Models;
using Fovea.Vision.Training;

namespace Fovea.Tests.Cli;

/// <summary>`fovea train`, `fovea eval` and `fovea predict` in process: outputs, and bad input as exit code 2 with
/// one line and no files left behind.</summary>
public sealed class TrainCommandTests
{
    static TrainCommandTests()
    {
        // A small colour model for 3 x H x W inputs of any size, to train on CIFAR and image folders in the tests.
        ModelZoo.Register(new ModelZoo.Entry("test-rgb", classes => new Sequential(
            new Conv2d(3, 4, 3, stride: 2), new ReLU(), new AdaptiveAvgPool2d(2), new Flatten(), new Linear(16, classes)),
            new Shape(3, 12, 12), 10, "test model"));
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FoveaApp.Run(args, CliTestSupport.Console(output), output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertFailsCleanly(string[] args, string fragment, string runFolder)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == FoveaApp.UsageError, $"exit code {code}\n{output}\n{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.StartsWith("fovea: ", lines[0]);
        Assert.Contains(fragment, lines[0]);
        Assert.False(Directory.Exists(runFolder), $"{runFolder} was created");
    }

    [Fact]
    public void TrainWritesTheRunFolderThenEvalAndPredictReadTheCheckpoint()
    {
        using var folder = new TempDirectory();
        CliTestSupport.WriteSmallSubset(folder, trainPerClass: 8, testPerClass: 3);
        var run = folder.File("run");
        var (code, output, error) = Run("train", "--model", "lenet5", "--data", $"fashion-mnist:{folder.Path}", "--epochs", "2", "--batch", "16",
            "--optimizer", "adam", "--scheduler", "cosine", "--out", run);
        Assert.True(code == 0, error);
        Assert.Contains("fashion-mnist from", output);
        Assert.Contains("80 training and 30 test images of 1x28x28, 10 classes", output);
        Assert.Contains("Model lenet5 (LeNet-5 with ReLU and max pooling): 61,706 parameters", output);
        Assert.Contains("Adam lr 0.001, cosine annealing over 2 epochs", output);
        Assert.Contains("epoch 2/2  train loss", output);
        Assert.Contains("Best test accuracy", output);
        Assert.Equal(RunFolder.FileNames.Order(), Directory.GetFiles(run).Select(Path.GetFileName).Order());
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, RunFolder.Metrics)).Length);

        var best = Path.Combine(run, RunFolder.BestCheckpoint);
        var contents = Checkpoint.Load(best);
        Assert.Equal(("lenet5", 1, 28, 28, 10), (contents.Model.Name, contents.Model.Channels, contents.Model.Height, contents.Model.Width, contents.Model.NumClasses));
        Assert.Equal([FashionMnist.Normalization.Mean], contents.Model.Mean);
        Assert.Equal(FashionMnist.ClassNames, contents.Model.ClassNames);

        (code, output, error) = Run("eval", "--checkpoint", best, "--data", $"fashion-mnist:{folder.Path}", "--confusion-png", folder.File("cm.png"));
        Assert.True(code == 0, error);
        Assert.Contains("on 30 test images", output);
        var accuracy = contents.Training!.History[contents.Training.BestEpoch - 1].ValidationAccuracy!.Value;
        Assert.Contains($"Accuracy {100 * accuracy:F2}%", output);
        Assert.Contains("Per-class accuracy", output);
        Assert.Contains("Ankle boot", output);
        Assert.Contains("Confusion matrix (rows: actual, columns: predicted)", output);
        Assert.True(File.Exists(folder.File("cm.png")));

        // Predict on a training image written as a PNG, and on a colour image of another size (converted to 1 x 28 x 28).
        var data = FashionMnist.Open(folder.Path, train: true);
        ImageFiles.WritePng(folder.File("item.png"), data.GetImage(0));
        ImageFiles.WritePng(folder.File("colour.png"), new Image([.. Enumerable.Range(0, 3 * 40 * 30).Select(i => i % 7 / 7f)], 3, 40, 30));
        (code, output, error) = Run("predict", "--checkpoint", best, folder.File("item.png"), folder.File("colour.png"));
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        Assert.Equal(folder.File("item.png"), lines[0]);
        Assert.StartsWith("  1. ", lines[1]);
        Assert.StartsWith("  5. ", lines[5]);
        var probabilities = lines[1..6].Select(l => double.Parse(l.TrimEnd('%', ' ').Split(' ').Last(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        Assert.InRange(probabilities.Sum(), 0, 100.01);
    }

    [Fact]
    public void TrainsOnCifarAndImageFoldersWithATestModel()
    {
        using var folder = new TempDirectory();
        var cifar = Directory.CreateDirectory(folder.File("cifar")).FullName;
        byte[][] labels = [.. Enumerable.Range(0, 20).Select(i => new[] { (byte)(i % 10) })];
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(Path.Combine(cifar, $"data_batch_{i}.bin"), DatasetReaderTests.CifarRecords(labels));
        File.WriteAllBytes(Path.Combine(cifar, "test_batch.bin"), DatasetReaderTests.CifarRecords(labels[..10]));
        var (code, output, error) = Run("train", "--model", "test-rgb", "--data", $"cifar10:{cifar}", "--epochs", "1", "--batch", "32", "--augment", "--out", folder.File("cifar-run"));
        Assert.True(code == 0, error);
        Assert.Contains("100 training and 10 test images of 3x32x32, 10 classes", output);
        Assert.Contains("random crop + flip", output);

        var images = folder.File("images");
        foreach (var split in new[] { "train", "val" })
            foreach (var (name, value) in new[] { ("dark", 0.1f), ("light", 0.9f) })
            {
                Directory.CreateDirectory(Path.Combine(images, split, name));
                for (int i = 0; i < 3; i++)
                    ImageFiles.WritePng(Path.Combine(images, split, name, $"{i}.png"), new Image([.. Enumerable.Repeat(value, 3 * (20 + i) * 16)], 3, 20 + i, 16));
            }
        (code, output, error) = Run("train", "--model", "test-rgb", "--data", $"folder:{images}", "--epochs", "2", "--batch", "4", "--out", folder.File("folder-run"));
        Assert.True(code == 0, error);
        Assert.Contains("6 training and 6 test images of 3x12x12, 2 classes", output);
        var model = Checkpoint.Load(Path.Combine(folder.File("folder-run"), RunFolder.LastCheckpoint)).Model;
        Assert.Equal(["dark", "light"], model.ClassNames);
        Assert.Equal([0.485f, 0.456f, 0.406f], model.Mean);
    }

    [Fact]
    public void CorruptOrMislabelledIdxFilesFailWithExitCode2AndNoRunFolder()
    {
        using var folder = new TempDirectory();
        CliTestSupport.WriteSmallSubset(folder, 2, 2);
        var run = folder.File("run");
        string[] args = ["train", "--model", "lenet5", "--data", $"fashion-mnist:{folder.Path}", "--out", run];
        var labels = folder.File("train-labels-idx1-ubyte.gz");
        var images = folder.File("train-images-idx3-ubyte.gz");
        var goodLabels = File.ReadAllBytes(labels);

        File.WriteAllBytes(labels, goodLabels[..20]);
        AssertFailsCleanly(args, labels, run);

        IdxFile.Write(labels, new IdxArray([20], [.. Enumerable.Range(0, 20).Select(i => (byte)(i == 13 ? 12 : i % 10))]));
        AssertFailsCleanly(args, $"{labels}: label 12 at index 13 is out of range for 10 classes", run);

        File.WriteAllBytes(labels, goodLabels);
        var goodImages = File.ReadAllBytes(images);
        IdxFile.Write(images, new IdxArray([20, 28, 28], new byte[20 * 784]), gzip: false);
        var raw = File.ReadAllBytes(images);
        File.WriteAllBytes(images, raw[..(raw.Length - 100)]);
        AssertFailsCleanly(args, $"{images}: truncated", run);

        raw[3] = 0x02;   // a 2-dimensional magic number in an image file
        File.WriteAllBytes(images, raw);
        AssertFailsCleanly(args, $"{images}: magic number 0x00000802 declares 2 dimensions, expected 3", run);

        File.WriteAllBytes(images, goodImages);
        File.WriteAllBytes(folder.File("t10k-labels-idx1-ubyte.gz"), [0x1F, 0x8B, 1, 2, 3]);
        AssertFailsCleanly(args, "t10k-labels-idx1-ubyte.gz", run);
    }

    [Fact]
    public void CorruptCifarAndImageFilesFailWithExitCode2AndNoRunFolder()
    {
        using var folder = new TempDirectory();
        var cifar = Directory.CreateDirectory(folder.File("cifar")).FullName;
        var run = folder.File("run");
        byte[][] labels = [.. Enumerable.Range(0, 4).Select(i => new[] { (byte)i })];
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(Path.Combine(cifar, $"data_batch_{i}.bin"), DatasetReaderTests.CifarRecords(labels));
        File.WriteAllBytes(Path.Combine(cifar, "test_batch.bin"), DatasetReaderTests.CifarRecords(labels)[..7000]);
        string[] args = ["train", "--model", "test-rgb", "--data", $"cifar10:{cifar}", "--out", run];
        AssertFailsCleanly(args, $"{Path.Combine(cifar, "test_batch.bin")}: length 7000 is not a multiple of the 3073-byte CIFAR record", run);
        File.WriteAllBytes(Path.Combine(cifar, "data_batch_3.bin"), DatasetReaderTests.CifarRecords([1], [200]));
        AssertFailsCleanly(args, $"{Path.Combine(cifar, "data_batch_3.bin")}: record 1 has label 200, out of range for 10 classes", run);

        var images = folder.File("images");
        foreach (var split in new[] { "train", "test" })
            foreach (var name in new[] { "a", "b" })
            {
                Directory.CreateDirectory(Path.Combine(images, split, name));
                ImageFiles.WritePng(Path.Combine(images, split, name, "0.png"), new Image(new float[3 * 8 * 8], 3, 8, 8));
            }
        var bad = Path.Combine(images, "test", "b", "1.jpg");
        File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F']);
        AssertFailsCleanly(["train", "--model", "test-rgb", "--data", $"folder:{images}", "--out", run], bad, run);

        var checkpointRun = folder.File("ok");
        File.Delete(bad);
        var (code, _, error) = Run("train", "--model", "test-rgb", "--data", $"folder:{images}", "--epochs", "1", "--out", checkpointRun);
        Assert.True(code == 0, error);
        var best = Path.Combine(checkpointRun, RunFolder.BestCheckpoint);
        File.WriteAllBytes(folder.File("broken.png"), File.ReadAllBytes(Path.Combine(images, "test", "a", "0.png"))[..40]);
        AssertFailsCleanly(["predict", "--checkpoint", best, Path.Combine(images, "test", "a", "0.png"), folder.File("broken.png")], folder.File("broken.png"), run);
        File.WriteAllBytes(folder.File("cut.safetensors"), File.ReadAllBytes(best)[..1000]);
        AssertFailsCleanly(["eval", "--checkpoint", folder.File("cut.safetensors"), "--data", $"folder:{images}"], folder.File("cut.safetensors"), run);
        AssertFailsCleanly(["eval", "--checkpoint", best, "--data", $"cifar10:{cifar}"], "test_batch.bin: length 7000", run);
    }

    [Theory]
    [InlineData(new[] { "train", "--model", "lenet5", "--out", "x" }, "Option '--data' is required")]
    [InlineData(new[] { "train", "--model", "lenet5", "--data", "imagenet:/x", "--out", "x" }, "--data has unknown dataset kind 'imagenet'")]
    [InlineData(new[] { "train", "--model", "lenet5", "--data", "/x", "--out", "x" }, "--data must be fashion-mnist:DIR")]
    [InlineData(new[] { "train", "--model", "lenet5", "--data", "mnist:/x", "--out", "x", "--optimizer", "rmsprop" }, "Argument 'rmsprop' not recognized")]
    [InlineData(new[] { "train", "--model", "lenet5", "--data", "mnist:/x", "--out", "x", "--lr", "-1" }, "--lr must be a finite number > 0, got -1.")]
    [InlineData(new[] { "train", "--model", "lenet5", "--data", "mnist:/x", "--out", "x", "--limit-train", "0" }, "--limit-train must be >= 1, got 0.")]
    [InlineData(new[] { "predict", "--checkpoint", "x" }, "Required argument missing for command: 'predict'")]
    public void BadCommandLinesAreUsageErrors(string[] args, string fragment)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(FoveaApp.UsageError, code);
        Assert.Equal("", output);
        Assert.Contains(fragment, error);
    }

    [Fact]
    public void UnknownModelsMissingFoldersAndRunFolderMistakesAreOneLineErrors()
    {
        using var folder = new TempDirectory();
        var run = folder.File("run");
        AssertFailsCleanly(["train", "--model", "nope", "--data", $"mnist:{folder.Path}", "--out", run], "Unknown model 'nope'. Known models: ", run);
        AssertFailsCleanly(["train", "--model", "lenet5", "--data", $"mnist:{folder.File("absent")}", "--out", run], "--data: directory", run);
        AssertFailsCleanly(["train", "--model", "lenet5", "--data", $"mnist:{folder.Path}", "--out", run], "train-images-idx3-ubyte.gz", run);
        AssertFailsCleanly(["train", "--model", "lenet5", "--data", $"mnist:{folder.Path}", "--out", run, "--resume"], "--resume: there is no checkpoint to resume from", run);
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunFolder.LastCheckpoint), "x");
        var (code, _, error) = Run("train", "--model", "lenet5", "--data", $"mnist:{folder.Path}", "--out", run);
        Assert.Equal(FoveaApp.UsageError, code);
        Assert.Contains("already holds a run (last.safetensors); pass --resume", error);
        AssertFailsCleanly(["train", "--model", "test-rgb", "--data", $"mnist:{folder.Path}", "--out", folder.File("other")], "train-images", folder.File("other"));
    }

    [Fact]
    public void AModelThatDoesNotTakeTheDataFailsBeforeWritingAnything()
    {
        using var folder = new TempDirectory();
        CliTestSupport.WriteSmallSubset(folder, 1, 1);
        var run = folder.File("run");
        AssertFailsCleanly(["train", "--model", "test-rgb", "--data", $"fashion-mnist:{folder.Path}", "--out", run], "--model test-rgb does not take images of 1x28x28", run);
    }
}
