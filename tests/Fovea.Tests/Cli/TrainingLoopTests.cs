using Fovea.Cli.Demo;
using Fovea.Nn;
using Fovea.Vision.Datasets;

namespace Fovea.Tests.Cli;

public sealed class TrainingLoopTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<string> Events { get; } = [];
        public void EpochStarted(int epoch, int epochs, int batches) => Events.Add($"start {epoch}/{epochs} {batches}");
        public void BatchFinished(BatchProgress progress) => Events.Add($"batch {progress.Epoch}.{progress.Batch}/{progress.Batches}");
        public void EpochFinished(EpochResult result) => Events.Add($"end {result.Epoch}");
    }

    private static (IReadOnlyList<EpochResult> Results, Recorder Events, Sequential Model) Train(LabeledImages train, LabeledImages test, int epochs, ulong seed)
    {
        var recipe = new SoftmaxRegressionRecipe();
        Generator.ManualSeed(seed);
        var model = recipe.BuildModel();
        var recorder = new Recorder();
        var results = TrainingLoop.Run(model, recipe.CreateTrainStep(model, 0.05f, 0f), train, test, epochs, 64, new Generator(seed), recorder);
        return (results, recorder, model);
    }

    [Fact]
    public void LearnsFashionMnistWellAboveChance()
    {
        var train = CliTestSupport.Shipped(train: true, 2000);
        var test = CliTestSupport.Shipped(train: false, 500);
        var (results, _, model) = Train(train, test, epochs: 2, seed: 3);

        Assert.Equal(2, results.Count);
        Assert.True(results[1].TrainLoss < results[0].TrainLoss, $"loss {results[0].TrainLoss} then {results[1].TrainLoss}");
        Assert.True(results[1].TestAccuracy > 0.65f, $"test accuracy {results[1].TestAccuracy}");
        Assert.Equal(Accuracy.Evaluate(model, test, 100), results[1].TestAccuracy);
        Assert.True(model.Training);
    }

    [Fact]
    public void ReportsEveryBatchAndIsReproducible()
    {
        var train = CliTestSupport.Shipped(train: true, 150);
        var test = CliTestSupport.Shipped(train: false, 50);
        var first = Train(train, test, epochs: 2, seed: 11);
        var again = Train(train, test, epochs: 2, seed: 11);
        var other = Train(train, test, epochs: 2, seed: 12);

        Assert.Equal(["start 1/2 3", "batch 1.1/3", "batch 1.2/3", "batch 1.3/3", "end 1", "start 2/2 3", "batch 2.1/3", "batch 2.2/3", "batch 2.3/3", "end 2"], first.Events.Events);
        Assert.Equal(first.Results.Select(r => (r.TrainLoss, r.TrainAccuracy, r.TestAccuracy)), again.Results.Select(r => (r.TrainLoss, r.TrainAccuracy, r.TestAccuracy)));
        Assert.NotEqual(first.Results[0].TrainLoss, other.Results[0].TrainLoss);
    }

    [Fact]
    public void DivergingLossStopsWithAClearMessage()
    {
        var train = CliTestSupport.Shipped(train: true, 64);
        var model = new Sequential(new Flatten(), new Linear(784, 10));
        TrainStep nan = batch => new StepResult(float.NaN, model.Forward(batch.Images));
        var error = Assert.Throws<InvalidOperationException>(() =>
            TrainingLoop.Run(model, nan, train, train, 1, 32, new Generator(0), new Recorder()));
        Assert.Contains("the loss became NaN in epoch 1, batch 1", error.Message);
        Assert.Contains("--lr", error.Message);
    }

    [Fact]
    public void CrossEntropyOfTheTestRecipeMatchesTheDefinition()
    {
        var logits = Tensor.FromArray([1f, 2f, 3f, -1f, 0f, 4f], 2, 3);
        float expected = 0;
        foreach (var (row, label) in new[] { (0, 2), (1, 0) })
        {
            var z = logits.ToArray().Skip(3 * row).Take(3).Select(v => (double)v).ToArray();
            expected += (float)(Math.Log(z.Sum(Math.Exp)) - z[label]);
        }
        Assert.Equal(expected / 2, SoftmaxRegressionRecipe.CrossEntropy(logits, [2, 0]).Item(), 5);
    }
}
