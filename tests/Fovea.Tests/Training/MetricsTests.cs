using Fovea.Vision.Training;

namespace Fovea.Tests.Training;

public sealed class MetricsTests
{
    [Fact]
    public void ArgMaxTopKAndCounts()
    {
        var logits = Tensor.FromArray([1f, 3f, 2f, /**/ 5f, 5f, 0f, /**/ 0f, 1f, 2f], 3, 3);
        Assert.Equal([1, 0, 2], Predictions.ArgMax(logits));
        Assert.Equal(2, Predictions.CountCorrect(logits, [1, 1, 2]));
        Assert.Equal(1, Predictions.CountInTopK(logits, [2, 2, 0], 2));   // only row 0's label 2 is among its top two
        Assert.Equal(3, Predictions.CountInTopK(logits, [2, 1, 0], 3));
        Assert.Equal(2, Predictions.CountInTopK(logits, [0, 1, 2], 1));   // a tie at the top counts for both
        var top = Predictions.TopK([0f, MathF.Log(3f), 0f], 2);
        Assert.Equal(1, top[0].Class);
        Assert.Equal(0.6f, top[0].Probability, 6);
        Assert.Equal((0, 0.2f), (top[1].Class, MathF.Round(top[1].Probability, 6)));
        Assert.Throws<ArgumentException>(() => Predictions.ArgMax(Tensor.Zeros(3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Predictions.CountInTopK(logits, [0, 0, 0], 0));
    }

    [Fact]
    public void ConfusionMatrixAccuracies()
    {
        var matrix = new ConfusionMatrix(3);
        foreach (var (actual, predicted) in new[] { (0, 0), (0, 0), (0, 1), (1, 1), (2, 0) }) matrix.Add(actual, predicted);
        Assert.Equal(5, matrix.Total);
        Assert.Equal(0.6, matrix.Accuracy, 12);
        var perClass = matrix.PerClassAccuracy();
        Assert.Equal(2 / 3.0, perClass[0], 12);
        Assert.Equal((1.0, 0.0), (perClass[1], perClass[2]));
        Assert.Equal([[2L, 1, 0], [0, 1, 0], [1, 0, 0]], matrix.ToRows());
        Assert.Equal(matrix.ToRows(), ConfusionMatrix.FromRows(matrix.ToRows()).ToRows());
        Assert.True(double.IsNaN(new ConfusionMatrix(2).PerClassAccuracy()[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(3, 0));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromRows([[1, 2], [3]]));
    }
}
