using Fovea.Nn;

namespace Fovea.Tests.Losses;

/// <summary>Argument checks (thrown before any work, naming the bad value and shapes) and hand-computed values.</summary>
public sealed class LossValidationTests
{
    private static Tensor Logits(params int[] shape) => Tensor.Randn(new Shape(shape), new Generator(3));

    [Fact]
    public void ClassIndexOutOfRangeNamesIndexAndClassCount()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(Logits(2, 3), Tensor.FromArray([0f, 3f])));
        Assert.Equal("target", error.ParamName);
        Assert.Contains("class index 3", error.Message);
        Assert.Contains("C = 3", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(Logits(2, 3), [-1, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.NllLoss(Logits(2, 3), [0, 7]));
        // The ignored index is allowed anywhere, even outside 0..C-1.
        Assert.True(float.IsFinite(F.CrossEntropy(Logits(2, 3), [-100, 1]).Item()));
    }

    [Fact]
    public void TargetShapeMismatchNamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => F.CrossEntropy(Logits(2, 3, 4), Tensor.Zeros(2, 3)));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(2, 4)", error.Message);
        Assert.Contains("(2, 3, 4)", error.Message);
        var mse = Assert.Throws<ArgumentException>(() => F.MseLoss(Tensor.Zeros(4, 1), Tensor.Zeros(4)));
        Assert.Contains("(4, 1)", mse.Message);
        Assert.Contains("(4)", mse.Message);
        Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropyWithLogits(Tensor.Zeros(2, 3), Tensor.Zeros(3)));
        var counts = Assert.Throws<ArgumentException>(() => F.CrossEntropy(Logits(2, 3), [0, 1, 2]));
        Assert.Contains("3 targets", counts.Message);
    }

    [Fact]
    public void NonIntegralClassIndexIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => F.CrossEntropy(Logits(2, 3), Tensor.FromArray([0f, 1.5f])));
        Assert.Contains("1.5", error.Message);
        Assert.Throws<ArgumentException>(() => F.NllLoss(Logits(2, 3), Tensor.FromArray([float.NaN, 1f])));
    }

    [Fact]
    public void CrossEntropyOptionsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(Logits(2, 3), [0, 1], labelSmoothing: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(Logits(2, 3), [0, 1], labelSmoothing: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: 2f));
        var weight = Assert.Throws<ArgumentException>(() => F.CrossEntropy(Logits(2, 3), [0, 1], weight: Tensor.Ones(4)));
        Assert.Contains("(4)", weight.Message);
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(Logits(2, 3), [0, 1], weight: Tensor.Ones(3).RequiresGradient()));
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(Logits(2, 3), Tensor.Zeros(2, 3), ignoreIndex: 1));
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(Tensor.Scalar(1f), [0]));
    }

    [Fact]
    public void ProbabilitiesOutsideZeroOneAreRejected()
    {
        foreach (float bad in new[] { 1.5f, -0.1f, float.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                F.BinaryCrossEntropy(Tensor.FromArray([0.5f, bad]), Tensor.FromArray([1f, 0f])));
            Assert.Contains("element 1", error.Message);
        }
    }

    [Fact]
    public void OtherOptionsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => F.SmoothL1Loss(Tensor.Zeros(2), Tensor.Zeros(2), beta: -1f));
        Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropyWithLogits(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), posWeight: Tensor.Ones(2)));
        Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropy(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), weight: Tensor.Ones(4, 2, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.TripletMarginLoss(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), p: 0f));
        var triplet = Assert.Throws<ArgumentException>(() => F.TripletMarginLoss(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)));
        Assert.Contains("(2, 4)", triplet.Message);
        Assert.Contains("(2, 3)", triplet.Message);
        Assert.Throws<ArgumentException>(() => F.PairwiseDistance(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
    }

    [Fact]
    public void ArrayAndTensorTargetsAgree()
    {
        var logits = Logits(3, 4);
        Assert.Equal(F.CrossEntropy(logits, Tensor.FromArray([1f, 3f, 0f]), labelSmoothing: 0.1f).Item(),
            F.CrossEntropy(logits, [1, 3, 0], labelSmoothing: 0.1f).Item());
        Assert.Equal(F.NllLoss(logits, Tensor.FromArray([1f, 3f, 0f])).Item(), F.NllLoss(logits, [1, 3, 0]).Item());
    }

    [Fact]
    public void CrossEntropyIsSoftmaxThenNegativeLog()
    {
        // logits (1, 3) = [1, 2, 3], target 2: -log(e³ / (e + e² + e³)).
        var loss = F.CrossEntropy(Tensor.FromArray([1f, 2f, 3f], 1, 3), [2]).Item();
        Assert.Equal(-Math.Log(Math.Exp(3) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(3))), loss, 6);
    }

    [Fact]
    public void EveryTargetIgnoredGivesNaNMeanAndZeroSum()
    {
        Assert.True(float.IsNaN(F.CrossEntropy(Logits(2, 3), [-100, -100]).Item()));
        Assert.Equal(0f, F.CrossEntropy(Logits(2, 3), [-100, -100], Reduction.Sum).Item());
        Assert.True(float.IsNaN(F.MseLoss(Tensor.Zeros(0), Tensor.Zeros(0)).Item()));
    }

    [Fact]
    public void TripletLossFollowsTheCheatSheetFormula()
    {
        // d(A, P) = 5, d(A, N) = 10 (up to eps): max(5 - 10 + margin, 0).
        var anchor = Tensor.FromArray([0f, 0f]);
        var positive = Tensor.FromArray([3f, 4f]);
        var negative = Tensor.FromArray([6f, 8f]);
        Assert.Equal(0f, F.TripletMarginLoss(anchor, positive, negative, margin: 1f, eps: 0f).Item());
        Assert.Equal(1f, F.TripletMarginLoss(anchor, positive, negative, margin: 6f, eps: 0f).Item(), 5);
        // Swap: d(P, N) = 5 < d(A, N), so the negative distance becomes 5.
        Assert.Equal(6f, F.TripletMarginLoss(anchor, positive, negative, margin: 6f, eps: 0f, swap: true).Item(), 5);
    }

    [Fact]
    public void LossObjectsCallTheFunctions()
    {
        var logits = Logits(3, 4);
        int[] classes = [1, 3, 0];
        var weight = Tensor.FromArray([1f, 2f, 3f, 4f]);
        Assert.Equal(F.CrossEntropy(logits, classes, Reduction.Sum, 0.1f, 3, weight).Item(),
            new CrossEntropyLoss(weight, ignoreIndex: 3, reduction: Reduction.Sum, labelSmoothing: 0.1f).Forward(logits, classes).Item());
        Assert.Equal(F.NllLoss(logits, classes).Item(), new NllLoss().Forward(logits, Tensor.FromArray([1f, 3f, 0f])).Item());
        var (x, y) = (Logits(2, 5), Tensor.Rand(new Shape(2, 5), new Generator(4)));
        Loss[] losses = [new MseLoss(), new L1Loss(Reduction.Sum), new SmoothL1Loss(beta: 0.5f), new BinaryCrossEntropyLoss(),
            new BinaryCrossEntropyWithLogitsLoss(posWeight: Tensor.Full(new Shape(5), 2f))];
        float[] expected = [F.MseLoss(x, y).Item(), F.L1Loss(x, y, Reduction.Sum).Item(), F.SmoothL1Loss(x, y, beta: 0.5f).Item(),
            F.BinaryCrossEntropy(y, y).Item(), F.BinaryCrossEntropyWithLogits(x, y, posWeight: Tensor.Full(new Shape(5), 2f)).Item()];
        for (int i = 0; i < losses.Length; i++)
            Assert.Equal(expected[i], (i == 3 ? losses[i].Forward(y, y) : losses[i].Forward(x, y)).Item());
        var (a, p, n) = (Logits(4, 3), Logits(4, 3) * 2f, Logits(4, 3) * -1f);
        Assert.Equal(F.TripletMarginLoss(a, p, n, margin: 2f, swap: true).Item(), new TripletMarginLoss(margin: 2f, swap: true).Forward(a, p, n).Item());
    }
}
