using Fovea.Nn;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Layers;

/// <summary>Pooling modules (on the functional golden cases with the same arguments), PyTorch's rules, and argument validation.</summary>
public sealed class PoolingModuleTests
{
    private const string Group = "pool_act_norm";

    private static void Check(string name, Module module)
    {
        GoldenCase.Load(Group, name).CheckModule(module);
        Assert.Equal(0, module.ParameterCount());
    }

    [Fact] public void MaxPool1dModule() => Check("max1d_p1_d2_ceil", new MaxPool1d(3, 2, 1, dilation: 2, ceilMode: true));
    [Fact] public void MaxPool2dModule() => Check("max2d_k3x2_s2x1_p1x0", new MaxPool2d((3, 2), (2, 1), padding: (1, 0)));
    [Fact] public void MaxPool2dModuleSame() => Check("max2d_same", new MaxPool2d(3, 2, Padding.Same));
    [Fact] public void MaxPool3dModule() => Check("max3d_dilation", new MaxPool3d(2, 2, dilation: 2));
    [Fact] public void AvgPool1dModule() => Check("avg1d_k3_s2_p1_exclude", new AvgPool1d(3, 2, 1, countIncludePad: false));
    [Fact] public void AvgPool2dModule() => Check("avg2d_full", new AvgPool2d(3, 2, Padding.Full));
    [Fact] public void AvgPool3dModule() => Check("avg3d_divisor", new AvgPool3d((2, 3, 2), (2, 2, 2), 1, divisorOverride: 5));
    [Fact] public void AdaptiveAvgPool2dModule() => Check("adaptive_avg2d_down", new AdaptiveAvgPool2d(3, 4));
    [Fact] public void AdaptiveMaxPool2dModule() => Check("adaptive_max2d_up", new AdaptiveMaxPool2d(5, 4));

    [Fact]
    public void CeilModeDropsALastWindowThatStartsInTheEndPadding()
    {
        var x = Tensor.Zeros(1, 1, 5);
        // No padding: ceil((5 − 2)/2) + 1 = 3 windows instead of floor's 2; the 3rd starts at 4, inside the input.
        Assert.Equal(new Shape(1, 1, 2), F.MaxPool1d(x, 2, 2).Shape);
        Assert.Equal(new Shape(1, 1, 3), F.MaxPool1d(x, 2, 2, ceilMode: true).Shape);
        // Padding 1: ceil((5 + 2 − 2)/2) + 1 = 4, but the 4th window would start at 3·2 − 1 = 5, past the
        // input (only end padding left), so PyTorch keeps 3, as floor does.
        Assert.Equal(new Shape(1, 1, 3), F.MaxPool1d(x, 2, 2, 1, ceilMode: true).Shape);
        Assert.Equal(new Shape(1, 1, 3), F.AvgPool1d(x, 2, 2, 1, ceilMode: true).Shape);
        Assert.Equal(new Shape(1, 1, 3), F.AvgPool1d(x, 2, 2, 1).Shape);
    }

    [Fact]
    public void SamePaddingGivesCeilOfInputOverStride()
    {
        Assert.Equal(new Shape(2, 3, 4, 3, 2), F.MaxPool3d(Tensor.Zeros(2, 3, 7, 5, 3), 3, 2, Padding.Same).Shape);
        Assert.Equal(new Shape(1, 7), F.AvgPool1d(Tensor.Zeros(1, 7), 4, 1, Padding.Same).Shape);
    }

    [Fact]
    public void MaxPoolPaddingNeverWinsAndAvgPoolCountsItOnlyWhenAsked()
    {
        var x = Tensor.FromArray([-5f, -7f], 1, 1, 2);
        Assert.Equal([-5f, -7f], F.MaxPool1d(x, 2, 2, 1).ToArray());   // zero padding would give [0, 0]
        Assert.Equal([-5f, -5f, -7f], F.MaxPool1d(x, 2, 1, Padding.Full).ToArray());
        Assert.Equal([-5f / 2, -12f / 2, -7f / 2], F.AvgPool1d(x, 2, 1, Padding.Full).ToArray());
        Assert.Equal([-5f, -6f, -7f], F.AvgPool1d(x, 2, 1, Padding.Full, countIncludePad: false).ToArray());
    }

    [Fact]
    public void MaxPoolGradientGoesToTheFirstMaximumOnTies()
    {
        var x = Tensor.FromArray([1f, 3f, 3f, 2f, 4f, 4f], 1, 1, 2, 3).RequiresGradient();
        var y = F.MaxPool2d(x, (2, 3));
        Assert.Equal([4f], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 0f], x.Grad!.ToArray());

        var row = Tensor.FromArray([1f, 3f, 3f, 2f], 1, 1, 4).RequiresGradient();
        F.MaxPool1d(row, 2, 1).Sum().Backward();   // windows [1,3] [3,3] [3,2]: the middle one picks index 1
        Assert.Equal([0f, 2f, 1f, 0f], row.Grad!.ToArray());
    }

    [Fact]
    public void MaxPoolPropagatesNaN()
    {
        var x = Tensor.FromArray([1f, float.NaN, 2f, 0f], 1, 1, 4);
        Assert.True(float.IsNaN(F.MaxPool1d(x, 2).ToArray()[0]));
        Assert.Equal(2f, F.MaxPool1d(x, 2).ToArray()[1]);
    }

    [Fact]
    public void NonPositiveKernelStrideOrDilationThrows()
    {
        var x = Tensor.Zeros(1, 1, 6, 6);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, 0)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(x, (2, -1))).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, 2, 0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool1d(Tensor.Zeros(1, 6), 2, -2)).ParamName);
        Assert.Equal("dilation", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, 2, dilation: 0)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool3d(0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool2d(2, 0)).ParamName);
        Assert.Contains("(2, -1)", Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(x, (2, -1))).Message);
    }

    [Fact]
    public void NegativePaddingThrows()
    {
        var x = Tensor.Zeros(1, 1, 6, 6);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(x, 2, padding: -1)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(x, 2, padding: Padding.Asymmetric((0, -1)))).ParamName);
    }

    [Fact]
    public void ExplicitPaddingOverHalfTheKernelThrowsButSameAndFullDoNot()
    {
        var x = Tensor.Zeros(1, 1, 6, 6);
        var error = Assert.Throws<ArgumentException>(() => F.MaxPool2d(x, 3, padding: 2));
        Assert.Equal("padding", error.ParamName);
        Assert.Contains("half", error.Message);
        Assert.Throws<ArgumentException>(() => F.AvgPool2d(x, 2, padding: Padding.Asymmetric((0, 2), (0, 0))));
        Assert.Throws<ArgumentException>(() => new MaxPool1d(2, padding: 2));
        Assert.Equal(new Shape(1, 1, 4, 4), F.MaxPool2d(x, 3, 2, Padding.Full).Shape);   // pads 2 > 3/2: allowed for Full
    }

    [Fact]
    public void KernelLargerThanPaddedInputNamesTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(1, 1, 2, 5), 3));
        Assert.Equal("kernel", error.ParamName);
        Assert.Contains("(1, 1, 2, 5)", error.Message);
        Assert.Throws<ArgumentException>(() => F.MaxPool1d(Tensor.Zeros(1, 1, 4), 2, dilation: 4));   // effective kernel 5
        Assert.Throws<ArgumentException>(() => F.AvgPool3d(Tensor.Zeros(1, 1, 4, 4, 1), 2, padding: Padding.Asymmetric((0, 0), (0, 0), (0, 0))));
        F.AvgPool2d(Tensor.Zeros(1, 1, 2, 2), 3, padding: 1);   // padded input 4 fits a kernel of 3
    }

    [Fact]
    public void RankMismatchNamesReceivedAndExpectedShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(4, 4), 2));
        Assert.Contains("(4, 4)", error.Message);
        Assert.Contains("(N, C, H, W) or (C, H, W)", error.Message);
        var error3d = Assert.Throws<ArgumentException>(() => new AvgPool3d(2).Forward(Tensor.Zeros(4, 4, 4)));
        Assert.Contains("(4, 4, 4)", error3d.Message);
        Assert.Contains("(N, C, D, H, W)", error3d.Message);
        Assert.Contains("(N, C, L)", Assert.Throws<ArgumentException>(() => F.AvgPool1d(Tensor.Zeros(1, 1, 4, 4), 2)).Message);
        Assert.Throws<ArgumentException>(() => F.AdaptiveAvgPool2d(Tensor.Zeros(5), 2));
    }

    [Fact]
    public void PaddingWithTheWrongNumberOfEntriesThrows()
    {
        var error = Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(1, 1, 6, 6), 2, padding: (1, 1, 1)));
        Assert.Equal("padding", error.ParamName);
    }

    [Fact]
    public void BadDivisorOrAdaptiveSizeThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(Tensor.Zeros(1, 1, 4, 4), 2, divisorOverride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool3d(2, divisorOverride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.AdaptiveMaxPool2d(Tensor.Zeros(1, 1, 4, 4), 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveAvgPool2d(2, -1));
        Assert.Throws<ArgumentException>(() => F.AdaptiveAvgPool2d(Tensor.Zeros(1, 1, 0, 4), 2));
    }

    [Fact]
    public void ModulesDescribeThemselves()
    {
        Assert.Equal("MaxPool2d(kernel=(2, 2), stride=(2, 2), padding=valid, dilation=(1, 1), ceilMode=False)", new MaxPool2d(2).ToString());
        Assert.Equal("AvgPool1d(kernel=(3), stride=(1), padding=(1), ceilMode=True, countIncludePad=False)",
            new AvgPool1d(3, 1, 1, ceilMode: true, countIncludePad: false).ToString());
        Assert.Equal([3, 2], new MaxPool2d((3, 2)).Stride);
    }
}
