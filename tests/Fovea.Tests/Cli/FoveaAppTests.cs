using Fovea.Cli;
using Fovea.Cli.Commands;
using Fovea.Cli.Demo;
using Fovea.Serialization;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;

namespace Fovea.Tests.Cli;

/// <summary>The `fovea` command line end to end: exit codes, one-line errors, the demo's output.</summary>
public sealed class FoveaAppTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FoveaApp.Run(args, CliTestSupport.Console(output), output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertOneLineError(string error, string fragment)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.StartsWith("fovea: ", lines[0]);
        Assert.Contains(fragment, lines[0]);
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "demo", "--epochs", "0" }, "--epochs must be >= 1, got 0.")]
    [InlineData(new[] { "demo", "--batch-size", "-3" }, "--batch-size must be >= 1, got -3.")]
    [InlineData(new[] { "demo", "--lr", "0" }, "--lr must be a finite number > 0, got 0.")]
    [InlineData(new[] { "demo", "--lr", "abc" }, "Cannot parse argument 'abc' for option '--lr'")]
    [InlineData(new[] { "demo", "--momentum", "1" }, "--momentum must be in [0, 1), got 1.")]
    [InlineData(new[] { "demo", "--seed", "-1" }, "'--seed'")]
    [InlineData(new[] { "demo", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "make-subset", "--train-per-class", "0" }, "--train-per-class must be >= 1, got 0.")]
    [InlineData(new[] { "train" }, "Option '--model' is required")]
    public void BadCommandLineIsAUsageError(string[] args, string fragment)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(FoveaApp.UsageError, code);
        Assert.Equal("", output);
        AssertOneLineError(error, fragment);
    }

    [Fact]
    public void HelpListsTheCommandsAndOptions()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("fovea [command] [options]", output);
        Assert.Contains("make-subset", output);
        var (demoCode, demoHelp, _) = Run("demo", "--help");
        Assert.Equal(0, demoCode);
        foreach (var option in new[] { "--epochs", "--batch-size", "--lr", "--momentum", "--seed", "--data", "--save" })
            Assert.Contains(option, demoHelp);
        Assert.Contains("[default: 64]", demoHelp);
    }

    [Fact]
    public void MissingDataFolderIsAOneLineFailure()
    {
        using var folder = new TempDirectory();
        var (code, _, error) = Run("demo", "--data", folder.File("absent"));
        Assert.Equal(FoveaApp.UsageError, code);
        AssertOneLineError(error, $"fovea: error: --data: directory '{folder.File("absent")}' does not exist.");
    }

    [Fact]
    public void FolderWithoutTheFilesIsAOneLineFailure()
    {
        using var folder = new TempDirectory();
        var (code, _, error) = Run("demo", "--data", folder.Path);
        Assert.Equal(FoveaApp.UsageError, code);
        AssertOneLineError(error, "train-images-idx3-ubyte.gz");
    }

    [Fact]
    public void CorruptDataIsAOneLineFailureNamingTheFile()
    {
        using var folder = new TempDirectory();
        CliTestSupport.WriteSmallSubset(folder, 2, 2);
        var labels = folder.File("train-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..20]);
        var (code, _, error) = Run("demo", "--data", folder.Path);
        Assert.Equal(FoveaApp.UsageError, code);
        AssertOneLineError(error, labels);
    }

    /// <summary>Runs the real LeNet-5 recipe on a tiny subset and checks the whole output.</summary>
    [Fact]
    public void DemoRunsLeNet()
    {
        using var folder = new TempDirectory();
        CliTestSupport.WriteSmallSubset(folder, 6, 3);
        var (code, output, error) = Run("demo", "--data", folder.Path, "--epochs", "1", "--batch-size", "16", "--save", folder.File("lenet.safetensors"));
        Assert.Contains("60 training and 30 test images of 28x28, 10 classes", output);
        Assert.True(code == 0, error);
        Assert.Contains("LeNet-5", output);
        Assert.Contains("(1, 16, 5, 5)", output);
        Assert.Contains("61,706", output);   // LeNet-5's parameter count: 156 + 2,416 + 48,120 + 10,164 + 850
        Assert.Contains("epoch 1/1  train loss", output);
        Assert.Contains("Final test accuracy", output);
        Assert.True(File.Exists(folder.File("lenet.safetensors")));
    }

    [Fact]
    public void DemoRunnerPrintsSummaryProgressAndFinalAccuracy()
    {
        using var folder = new TempDirectory();
        CliTestSupport.WriteSmallSubset(folder, 20, 10);
        var output = new StringWriter();
        var options = new DemoOptions(Epochs: 2, BatchSize: 32, LearningRate: 0.05f, DataDirectory: folder.Path, SavePath: folder.File("model.safetensors"));
        var results = DemoRunner.Run(options, CliTestSupport.Console(output));
        var text = output.ToString();

        Assert.Equal(2, results.Count);
        Assert.True(results[1].TrainLoss < results[0].TrainLoss, $"loss {results[0].TrainLoss} then {results[1].TrainLoss}");
        Assert.Contains("LeNet-5", text);
        Assert.Contains("(1, 16, 5, 5)", text);
        Assert.Contains("Training for 2 epochs: batch size 32, SGD lr 0.05 momentum 0.9, seed 0", text);
        Assert.Contains("epoch 1/2  batch 7/7", text);
        Assert.Contains("epoch 2/2  train loss", text);
        Assert.Contains($"Final test accuracy: {100 * results[1].ValidationAccuracy:F2}% (100 images).", text);
        var saved = Safetensors.Read(folder.File("model.safetensors"));
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"], saved.Keys);
    }

    [Fact]
    public void DataIsFoundByWalkingUp()
    {
        using var folder = new TempDirectory();
        var data = Path.Combine(folder.Path, "data", "fashion-mnist-subset");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte.gz"), []);
        var deep = Directory.CreateDirectory(Path.Combine(folder.Path, "a", "b", "c")).FullName;
        Assert.Equal(data, DataDirectory.Find(null, "/", deep));
        var error = Assert.Throws<CliException>(() => DataDirectory.Find(null, "/", "/proc"));
        Assert.Contains("no data/fashion-mnist-subset above / or /proc; pass --data DIR", error.Message);
        Assert.Equal(folder.Path, DataDirectory.Find(folder.Path + "/", deep).TrimEnd('/'));
    }

    [Fact]
    public void MakeSubsetWritesBalancedFilesAndPrintsTheirChecksums()
    {
        using var folder = new TempDirectory();
        var (code, output, error) = Run("make-subset", "--source", CliTestSupport.ShippedData, "--output", folder.Path, "--train-per-class", "4", "--test-per-class", "2");
        Assert.True(code == 0, error);
        Assert.Equal(Enumerable.Repeat(4, 10), FashionMnist.Load(folder.Path, train: true).ClassCounts());
        Assert.Equal(Enumerable.Repeat(2, 10), FashionMnist.Load(folder.Path, train: false).ClassCounts());
        foreach (var file in folder.Files())
            Assert.Contains($"{file}  sha256 of the uncompressed IDX data: {MakeSubsetCommand.ContentSha256(folder.File(file))}", output);
        Assert.Contains("train: kept 40 images (4 per class)", output);
    }

    [Fact]
    public void MakeSubsetWithoutTheSourceSaysHowToGetIt()
    {
        using var folder = new TempDirectory();
        var (code, _, error) = Run("make-subset", "--source", folder.File("absent"), "--output", folder.File("out"));
        Assert.Equal(FoveaApp.UsageError, code);
        AssertOneLineError(error, "dataset-fashion-mnist");
        Assert.False(Directory.Exists(folder.File("out")));
    }
}
