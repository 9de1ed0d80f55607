using Fovea.Nn;

namespace Fovea.Tests.Layers;

/// <summary>
/// Dropout has no PyTorch golden: its masks are random and PyTorch's generator is not reproduced. It is
/// tested statistically (fraction zeroed, scale of the kept values, unchanged mean) and through its
/// gradient (the same mask, same scale).
/// </summary>
public sealed class DropoutTests
{
    [Theory]
    [InlineData(0.3f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void ZeroesAboutPAndScalesTheRestByOneOverOneMinusP(float p)
    {
        const int count = 40_000;
        var y = F.Dropout(Tensor.Ones(count), p, generator: new Generator(17)).ToArray();
        int zeros = y.Count(v => v == 0f);
        // Binomial(count, p): 5 standard deviations is at most 0.0125 here.
        double sigma = Math.Sqrt(p * (1 - p) / count);
        Assert.InRange((double)zeros / count, p - 5 * sigma, p + 5 * sigma);
        Assert.All(y, v => Assert.True(v == 0f || v == 1f / (1f - p), $"value {v}"));
        Assert.InRange(y.Average(), 1 - 5 * sigma / (1 - p), 1 + 5 * sigma / (1 - p));
    }

    [Fact]
    public void GradientUsesTheSameMaskAndScale()
    {
        var x = Tensor.Randn(new Shape(50, 40), new Generator(2)).RequiresGradient();
        var y = F.Dropout(x, 0.4f, generator: new Generator(3));
        var upstream = Tensor.Randn(new Shape(50, 40), new Generator(4));
        y.Backward(upstream);
        var (values, output, grad, g) = (x.ToArray(), y.ToArray(), x.Grad!.ToArray(), upstream.ToArray());
        for (int i = 0; i < values.Length; i++)
        {
            bool kept = output[i] != 0f;
            Assert.Equal(kept ? values[i] * (1f / (1f - 0.4f)) : 0f, output[i]);
            Assert.Equal(kept ? g[i] * (1f / (1f - 0.4f)) : 0f, grad[i]);
        }
    }

    [Fact]
    public void EvalModeAndZeroProbabilityAreTheIdentity()
    {
        var x = Tensor.Randn(new Shape(3, 4), new Generator(1));
        var module = new Dropout(0.5f);
        module.Eval();
        Assert.Same(x, module.Forward(x));
        Assert.Same(x, F.Dropout(x, 0.5f, training: false));
        Assert.Same(x, F.Dropout(x, 0f));
    }

    [Fact]
    public void ProbabilityOneDropsEverything()
    {
        var x = Tensor.Randn(new Shape(10), new Generator(1)).RequiresGradient();
        var y = F.Dropout(x, 1f);
        Assert.All(y.ToArray(), v => Assert.Equal(0f, v));
        y.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SeededGeneratorsReproduceMasks()
    {
        var x = Tensor.Ones(200);
        var a = new Dropout(0.5f, new Generator(9)).Forward(x).ToArray();
        var b = new Dropout(0.5f, new Generator(9)).Forward(x).ToArray();
        var c = new Dropout(0.5f, new Generator(10)).Forward(x).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(x.ToArray(), v => Assert.Equal(1f, v));   // the input is not modified
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.1f)]
    [InlineData(float.NaN)]
    public void ProbabilityOutsideZeroOneThrows(float p)
    {
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(Tensor.Ones(3), p));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(Tensor.Ones(3), p, training: false));
    }
}
