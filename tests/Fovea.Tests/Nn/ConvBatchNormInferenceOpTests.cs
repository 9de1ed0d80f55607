using static Fovea.Tests.Nn.FusionTestSupport;

namespace Fovea.Tests.Nn;

/// <summary>
/// F.ConvolutionBatchNormInference, the op behind the fusion: the values of the unfused ops (conv, eval batch norm,
/// + residual, ReLU), the same argument checks as F.Conv2d, residuals that broadcast, unbatched input, and a refusal to
/// run when a gradient would be needed (it records none).
/// </summary>
public sealed class ConvBatchNormInferenceOpTests
{
    private sealed record Arguments(Tensor Input, Tensor Weight, Tensor? Bias, Tensor Mean, Tensor Variance, Tensor? Gamma, Tensor? Beta);

    private static Arguments Create(int[] inputShape, int outChannels, int groups, bool bias, bool affine, ulong seed)
    {
        var random = new Generator(seed);
        int inChannels = inputShape[inputShape.Length - 3];
        var weight = Tensor.Randn(new Shape(outChannels, inChannels / groups, 3, 3), random, std: 0.3f);
        return new Arguments(Tensor.Randn(new Shape(inputShape), random), weight, bias ? Tensor.Rand(new Shape(outChannels), random, -0.5f, 0.5f) : null,
            Tensor.Rand(new Shape(outChannels), random, -0.3f, 0.3f), Tensor.Rand(new Shape(outChannels), random, 0.5f, 1.5f),
            affine ? Tensor.Rand(new Shape(outChannels), random, 0.5f, 1.5f) : null, affine ? Tensor.Rand(new Shape(outChannels), random, -0.3f, 0.3f) : null);
    }

    private static Tensor Fused(Arguments a, Tensor? residual, bool relu, int stride = 1, int groups = 1) =>
        F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, stride, 1, null, groups, a.Mean, a.Variance, a.Gamma, a.Beta, 1e-3f, residual, relu);

    private static Tensor Unfused(Arguments a, Tensor? residual, bool relu, int stride = 1, int groups = 1)
    {
        var y = F.BatchNorm(F.Conv2d(a.Input, a.Weight, a.Bias, stride, 1, groups: groups), a.Mean, a.Variance, a.Gamma, a.Beta, eps: 1e-3f);
        if (residual is not null) y += residual;
        return relu ? F.Relu(y) : y;
    }

    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(true, true, false, true)]
    [InlineData(true, false, true, true)]
    [InlineData(false, true, true, false)]
    public void MatchesTheUnfusedOps(bool bias, bool affine, bool withResidual, bool relu)
    {
        using var noGrad = Autograd.NoGrad();
        foreach (int groups in new[] { 1, 2 })
        {
            var a = Create([2, 4, 9, 10], 6, groups, bias, affine, 50);
            var residual = withResidual ? Tensor.Randn(new Shape(2, 6, 9, 10), new Generator(51)) : null;
            AssertClose(Unfused(a, residual, relu, groups: groups), Fused(a, residual, relu, groups: groups), $"op bias={bias} affine={affine} residual={withResidual} relu={relu} groups={groups}");
            // Strided: the residual has the output's (smaller) shape.
            var strided = withResidual ? Tensor.Randn(new Shape(2, 6, 5, 5), new Generator(52)) : null;
            AssertClose(Unfused(a, strided, relu, 2, groups), Fused(a, strided, relu, 2, groups), $"op stride 2 groups={groups}");
        }
    }

    [Fact]
    public void ResidualOfAnotherShapeBroadcastsAsPlus()
    {
        using var noGrad = Autograd.NoGrad();
        var a = Create([2, 3, 6, 7], 4, 1, bias: true, affine: true, 53);
        foreach (var shape in new[] { new Shape(1, 4, 1, 1), new Shape(7), new Shape(2, 4, 6, 7) })
        {
            var residual = Tensor.Randn(shape, new Generator(54));
            AssertClose(Unfused(a, residual, true), Fused(a, residual, true), $"residual {shape}");
        }
        var mismatched = Tensor.Zeros(2, 4, 5, 7);
        Assert.Throws<ArgumentException>(() => Fused(a, mismatched, true)); // as + does
        Assert.Throws<ArgumentException>(() => Unfused(a, mismatched, true));
    }

    [Fact]
    public void UnbatchedInputGivesTheBatchedResultWithoutTheBatchDimension()
    {
        using var noGrad = Autograd.NoGrad();
        var a = Create([3, 8, 7], 5, 1, bias: true, affine: true, 55);
        var residual = Tensor.Randn(new Shape(5, 8, 7), new Generator(56));
        var output = Fused(a, residual, true);
        Assert.Equal(new Shape(5, 8, 7), output.Shape);
        var batched = a with { Input = a.Input.Reshape(1, 3, 8, 7) };
        AssertClose(Unfused(batched, residual.Reshape(1, 5, 8, 7), true).Reshape(5, 8, 7), output, "unbatched");
    }

    [Fact]
    public void RefusesToRunWhenAGradientWouldBeNeeded()
    {
        var a = Create([1, 2, 5, 5], 3, 1, bias: true, affine: true, 57);
        a.Gamma!.RequiresGrad = true;
        var error = Assert.Throws<InvalidOperationException>(() => Fused(a, null, true));
        Assert.Contains("NoGrad", error.Message);
        using (Autograd.NoGrad())
            Assert.False(Fused(a, null, true).RequiresGrad);
        a.Gamma.RequiresGrad = false;
        var residual = Tensor.Zeros(1, 3, 5, 5).RequiresGradient();
        Assert.Throws<InvalidOperationException>(() => Fused(a, residual, true));
        Assert.False(Fused(a, null, true).RequiresGrad); // grad on, but nothing requires it
    }

    [Fact]
    public void ChecksItsArgumentsAsConv2dAndBatchNormDo()
    {
        using var noGrad = Autograd.NoGrad();
        var a = Create([1, 4, 6, 6], 6, 1, bias: true, affine: true, 58);
        // The convolution's checks are Conv2d's own: same exception, same message, for each bad argument.
        (Func<Tensor> Fused, Func<Tensor> Conv)[] cases =
        [
            (() => F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, 0, null, null, 1, a.Mean, a.Variance, null, null, 1e-5f),
             () => F.Conv2d(a.Input, a.Weight, a.Bias, stride: 0)),
            (() => F.ConvolutionBatchNormInference(2, a.Input.Reshape(1, 2, 12, 6), a.Weight, a.Bias, null, null, null, 1, a.Mean, a.Variance, null, null, 1e-5f),
             () => F.Conv2d(a.Input.Reshape(1, 2, 12, 6), a.Weight, a.Bias)),
            (() => F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, null, 0, a.Mean, a.Variance, null, null, 1e-5f),
             () => F.Conv2d(a.Input, a.Weight, a.Bias, groups: 0)),
            (() => F.ConvolutionBatchNormInference(2, a.Input, a.Weight, Tensor.Zeros(5), null, null, null, 1, a.Mean, a.Variance, null, null, 1e-5f),
             () => F.Conv2d(a.Input, a.Weight, Tensor.Zeros(5))),
            (() => F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, 4, 1, a.Mean, a.Variance, null, null, 1e-5f),
             () => F.Conv2d(a.Input, a.Weight, a.Bias, dilation: 4)),
        ];
        foreach (var (fused, conv) in cases)
        {
            var expected = Assert.ThrowsAny<ArgumentException>(() => conv());
            var actual = Assert.ThrowsAny<ArgumentException>(() => fused());
            Assert.Equal(expected.GetType(), actual.GetType());
            Assert.Equal(expected.Message, actual.Message);
        }
        // The batch norm's tensors: one value per output channel; eps finite and >= 0.
        Assert.Throws<ArgumentException>("runningMean", () =>
            F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, null, 1, Tensor.Zeros(5), a.Variance, null, null, 1e-5f));
        Assert.Throws<ArgumentException>("runningVar", () =>
            F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, null, 1, a.Mean, Tensor.Zeros(6, 1), null, null, 1e-5f));
        Assert.Throws<ArgumentException>("normWeight", () =>
            F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, null, 1, a.Mean, a.Variance, Tensor.Ones(7), null, 1e-5f));
        Assert.Throws<ArgumentException>("normBias", () =>
            F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, null, 1, a.Mean, a.Variance, null, Tensor.Ones(2), 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("eps", () =>
            F.ConvolutionBatchNormInference(2, a.Input, a.Weight, a.Bias, null, null, null, 1, a.Mean, a.Variance, null, null, float.NaN));
    }
}
