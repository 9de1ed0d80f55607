using Fovea.Nn;
using Fovea.Optim;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;
using Fovea.Vision.Training;
using Fovea.Vision.Transforms;

namespace Fovea.Tests.Training;

public sealed class TrainerTests
{
    /// <summary>Three classes of 8 x 8 images: a bright square in one of three places, plus noise.</summary>
    private static LabeledImages Squares(int count, ulong seed)
    {
        var random = new Generator(seed);
        var pixels = new float[count * 64];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (int p = 0; p < 64; p++) pixels[i * 64 + p] = 0.3f * random.NextFloat();
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++) pixels[i * 64 + (1 + y + 2 * labels[i]) * 8 + 1 + x + 2 * labels[i]] += 0.7f;
        }
        return new LabeledImages(Tensor.FromArray(pixels, count, 1, 8, 8), labels, 3, ["top", "middle", "bottom"]);
    }

    private static readonly ModelDescription Description = new("test-net", 1, 8, 8, [0.5f], [0.5f], ["top", "middle", "bottom"]);

    /// <summary>
    /// Conv, batch norm, pooling and two dropouts with generators of their own. Nothing here draws from
    /// Generator.Default, which tests running in parallel share: the weights are set from a private generator.
    /// </summary>
    private static Sequential Net()
    {
        var model = new Sequential(
            new Conv2d(1, 4, 3), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),    // (N, 4, 3, 3)
            new Flatten(), new Dropout(0.2f, new Generator(98)), new Linear(36, 16), new ReLU(),
            new Dropout(0.3f, new Generator(99)), new Linear(16, 3));
        var random = new Generator(5);
        foreach (var parameter in model.Parameters())
        {
            var values = parameter.Span;
            for (int i = 0; i < values.Length; i++) values[i] = (float)(0.3 * random.NextNormal());
        }
        return model;
    }

    private sealed record Setup(Sequential Model, Trainer Trainer);

    private static Setup Build(string? runDirectory, ITrainingObserver? observer = null, int epochs = 3, int checkpointEvery = 2, int? patience = null, float lr = 0.01f)
    {
        var model = Net();
        var optimizer = new Adam(model.Parameters(), lr);
        var scheduler = new StepLR(optimizer, 1, 0.5f);
        var augment = new Compose(new RandomCrop(8, padding: 1), new RandomHorizontalFlip(), new Normalize([0.5f], [0.5f]));
        var train = new DataLoader(Squares(90, 1), 8, shuffle: true, transform: augment, seed: 4);
        var test = new DataLoader(Squares(30, 2), 16, transform: new Normalize([0.5f], [0.5f]));
        var options = new TrainerOptions
        {
            Epochs = epochs, CheckpointEvery = checkpointEvery, RunDirectory = runDirectory, EarlyStoppingPatience = patience,
            Settings = new Dictionary<string, string> { ["seed"] = "4" },
        };
        return new Setup(model, new Trainer(model, optimizer, train, Description, options, scheduler, test, observer));
    }

    private sealed class StopAt(CancellationTokenSource stop, int epoch, int batch) : ITrainingObserver
    {
        public void EpochStarted(int e, int epochs, int batches, int firstBatch) { }
        public void BatchFinished(BatchProgress p) { if (p.Epoch == epoch && p.Batch == batch) stop.Cancel(); }
        public void EpochFinished(EpochMetrics metrics, int epochs) { }
    }

    [Fact]
    public void LearnsAndWritesTheRunFolder()
    {
        using var folder = new TempDirectory();
        var (_, trainer) = Build(folder.Path);
        var outcome = trainer.Fit();
        Assert.False(outcome.Interrupted);
        Assert.Equal(3, outcome.History.Count);
        Assert.True(outcome.History[^1].ValidationAccuracy > 0.6, $"accuracy {outcome.History[^1].ValidationAccuracy}");
        Assert.Equal([0.01, 0.005, 0.0025], outcome.History.Select(m => Math.Round(m.LearningRate, 6)));
        Assert.Equal(12L * 3, outcome.History[^1].Step);
        Assert.Equal(RunFolder.FileNames.Order(), folder.Files().Order());
        var lines = RunFolder.ReadMetrics(folder.File(RunFolder.Metrics));
        Assert.Equal(outcome.History.Select(m => (m.Epoch, m.TrainLoss, m.ValidationAccuracy)), lines.Select(m => (m.Epoch, m.TrainLoss, m.ValidationAccuracy)));
        Assert.Equal(30, lines[0].ConfusionMatrix!.Sum(row => row.Sum()));
        var best = Checkpoint.Load(folder.File(RunFolder.BestCheckpoint));
        Assert.Equal(outcome.BestEpoch, best.Training!.Epoch);
        Assert.Equal(Description.ClassNames, best.Model.ClassNames);
        foreach (var png in new[] { RunFolder.LossCurve, RunFolder.AccuracyCurve, RunFolder.ConfusionMatrixImage })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(folder.File(png))[..4]);
    }

    [Theory]
    [InlineData(1, 5)]    // mid-epoch, right after a step checkpoint... or not: checkpoints every 2 steps, step 5 is odd
    [InlineData(2, 12)]   // the last batch of an epoch: the epoch finishes (validation, checkpoint) before stopping
    [InlineData(3, 1)]
    public void CancellingAndResumingEndsWithTheSameWeightsBitForBit(int epoch, int batch)
    {
        using var straight = new TempDirectory();
        var reference = Build(straight.Path);
        var expected = reference.Trainer.Fit();

        using var folder = new TempDirectory();
        using var stop = new CancellationTokenSource();
        var first = Build(folder.Path, new StopAt(stop, epoch, batch));
        var stopped = first.Trainer.Fit(stop.Token);
        Assert.True(stopped.Interrupted);
        var saved = Checkpoint.Load(folder.File(RunFolder.LastCheckpoint)).Training!;
        Assert.Equal((epoch - 1) * 12 + batch, saved.Step);

        // A fresh process would rebuild everything from the seed, then resume.
        var second = Build(folder.Path);
        second.Trainer.Resume(folder.File(RunFolder.LastCheckpoint));
        var resumed = second.Trainer.Fit();
        Assert.False(resumed.Interrupted);

        foreach (var (name, tensor) in reference.Model.StateDict())
            FileAssert.SameFloats(tensor, second.Model.StateDict()[name], name);
        Assert.Equal(expected.History.Select(m => (m.TrainLoss, m.TrainAccuracy, m.ValidationLoss, m.Step)),
            resumed.History.Select(m => (m.TrainLoss, m.TrainAccuracy, m.ValidationLoss, m.Step)));
    }

    [Fact]
    public void ResumeRefusesOtherSettingsAndOtherModels()
    {
        using var folder = new TempDirectory();
        Build(folder.Path, epochs: 1).Trainer.Fit();
        var path = folder.File(RunFolder.LastCheckpoint);

        var model = Net();
        var optimizer = new Adam(model.Parameters(), 0.01f);
        var other = new Trainer(model, optimizer, new DataLoader(Squares(9, 1), 8), Description,
            new TrainerOptions { Settings = new Dictionary<string, string> { ["seed"] = "5" } }, new StepLR(optimizer, 1, 0.5f));
        var error = Assert.Throws<ArgumentException>(() => other.Resume(path));
        Assert.Contains("the settings differ (seed 4 there, 5 here)", error.Message);

        var renamed = new Trainer(model, optimizer, new DataLoader(Squares(9, 1), 8), Description with { Name = "other" },
            new TrainerOptions { Settings = new Dictionary<string, string> { ["seed"] = "4" } });
        var mismatch = Assert.Throws<Fovea.Serialization.InvalidFileException>(() => renamed.Resume(path));
        Assert.Contains("is a checkpoint of 'test-net'", mismatch.Message);
    }

    [Fact]
    public void EarlyStoppingEndsAfterPatienceEpochsWithoutImprovement()
    {
        var (_, trainer) = Build(runDirectory: null, epochs: 10, checkpointEvery: 0, patience: 2, lr: 1e-12f);
        var outcome = trainer.Fit();
        Assert.True(outcome.StoppedEarly);
        Assert.Equal(3, outcome.History.Count);
        Assert.Equal(1, outcome.BestEpoch);
    }

    [Fact]
    public void ADivergingLossStopsWithAClearMessage()
    {
        var (_, trainer) = Build(runDirectory: null, lr: 1e30f);
        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit());
        Assert.Contains("the loss became", error.Message);
        Assert.Contains("try a smaller learning rate", error.Message);
    }
}
