using Fovea.Cli.Demo;
using Fovea.Cli.Training;
using Fovea.Nn;
using Fovea.Vision.Datasets;
using Fovea.Vision.Training;
using Spectre.Console;

namespace Fovea.Tests.Cli;

public sealed class AccuracyAndSummaryTests
{
    [Fact]
    public void CountCorrectTakesTheFirstMaximum()
    {
        var logits = Tensor.FromArray([0f, 5f, 5f, 9f, 1f, 2f, -1f, -1f, -3f], 3, 3);
        Assert.Equal(3, Predictions.CountCorrect(logits, [1, 0, 0]));
        Assert.Equal(0, Predictions.CountCorrect(logits, [2, 1, 1]));
        Assert.Throws<ArgumentException>(() => Predictions.CountCorrect(logits, [0, 1]));
        Assert.Throws<ArgumentException>(() => Predictions.CountCorrect(Tensor.Zeros(3), [0, 1, 2]));
    }

    [Fact]
    public void EvaluateRecordsNoGraphAndRestoresTheMode()
    {
        var set = new LabeledImages(Tensor.Rand(new Shape(5, 1, 2, 2), new Generator(1)), [0, 1, 0, 1, 1], 2);
        var model = new Sequential(new Flatten(), new Linear(4, 2));
        bool recorded = false;
        using var hook = model.RegisterForwardHook((_, _, output) => recorded |= output.RequiresGrad);
        var result = Evaluation.Evaluate(model, new DataLoader(set, 2));
        Assert.InRange(result.Accuracy, 0, 1);
        Assert.Equal(5, result.Count);
        Assert.Equal(5, result.Confusion.Total);
        Assert.Equal(1.0, result.Top5Accuracy);   // two classes: every label is in the top five
        Assert.False(recorded);
        Assert.True(model.Training);
        model.Eval();
        Evaluation.Evaluate(model, new DataLoader(set, 2));
        Assert.False(model.Training);
    }

    [Fact]
    public void PlainLinesAreInvariantAndAboutTenPerEpoch()
    {
        var output = new StringWriter();
        var observer = new PlainLinesObserver(CliTestSupport.Console(output));
        observer.EpochStarted(1, 3, 157, 1);
        for (int b = 1; b <= 157; b++) observer.BatchFinished(new BatchProgress(1, 3, b, 157, 0.5, 0.825, 1234.4, TimeSpan.FromSeconds(75.2)));
        observer.EpochFinished(new EpochMetrics(1, 157, 0.61234, 0.778, 0.4567, 0.8126, 0.9912, null, null, 0.02, 8.26, 1212.1), 3);
        observer.EpochStarted(2, 3, 157, 42);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.InRange(lines.Length, 10, 14);
        Assert.Equal("epoch 1/3  batch  15/157  loss 0.5000  acc 82.5%  1234 img/s  ETA 1:15", lines[0]);
        Assert.Equal("epoch 1/3  batch 157/157  loss 0.5000  acc 82.5%  1234 img/s  ETA 1:15", lines[^3]);
        Assert.Equal("epoch 1/3  train loss 0.6123  train acc 77.8%  test loss 0.4567  test acc 81.3%  top-5 99.1%  lr 0.02  8.3 s  1212 img/s", lines[^2]);
        Assert.Equal("epoch 2/3: resuming at batch 42/157", lines[^1]);
        Assert.Equal("1:02:03", PlainLinesObserver.Eta(new TimeSpan(1, 2, 3)));
    }
}
