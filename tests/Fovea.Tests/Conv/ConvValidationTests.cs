using Fovea.Nn;

namespace Fovea.Tests.Conv;

/// <summary>Every bad argument throws before any work, naming the argument and the shapes involved.</summary>
public sealed class ConvValidationTests
{
    private static readonly Tensor Image = Tensor.Randn(1, 4, 6, 6);
    private static readonly Tensor Weight = Tensor.Randn(6, 4, 3, 3);

    private static void Throws<T>(string parameter, Action action, params string[] inMessage) where T : ArgumentException
    {
        var error = Assert.Throws<T>(action);
        Assert.Equal(parameter, error.ParamName);
        foreach (var text in inMessage) Assert.Contains(text, error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void NonPositiveStrideDilationOrGroupsThrow(int value)
    {
        Throws<ArgumentOutOfRangeException>("stride", () => F.Conv2d(Image, Weight, stride: value), value.ToString());
        Throws<ArgumentOutOfRangeException>("stride", () => F.Conv2d(Image, Weight, stride: (1, value)));
        Throws<ArgumentOutOfRangeException>("dilation", () => F.Conv2d(Image, Weight, dilation: value));
        Throws<ArgumentOutOfRangeException>("groups", () => F.Conv2d(Image, Weight, groups: value));
        Throws<ArgumentOutOfRangeException>("stride", () => F.ConvTranspose2d(Image, Tensor.Randn(4, 2, 3, 3), stride: value));
        Throws<ArgumentOutOfRangeException>("dilation", () => F.ConvTranspose2d(Image, Tensor.Randn(4, 2, 3, 3), dilation: value));
        Throws<ArgumentOutOfRangeException>("groups", () => F.ConvTranspose2d(Image, Tensor.Randn(4, 2, 3, 3), groups: value));
    }

    [Fact]
    public void NonPositiveKernelThrows()
    {
        Throws<ArgumentOutOfRangeException>("weight", () => F.Conv2d(Image, Tensor.Zeros(6, 4, 0, 3)), "(6, 4, 0, 3)");
        Throws<ArgumentOutOfRangeException>("kernel", () => new Conv2d(4, 6, kernel: 0));
        Throws<ArgumentOutOfRangeException>("kernel", () => new Conv2d(4, 6, kernel: (3, -1)));
        Throws<ArgumentOutOfRangeException>("kernel", () => new ConvTranspose2d(4, 6, kernel: 0));
    }

    [Fact]
    public void WrongNumberOfPerDimensionValuesThrows()
    {
        Throws<ArgumentException>("stride", () => F.Conv2d(Image, Weight, stride: (1, 2, 3)), "(1, 2, 3)");
        Throws<ArgumentException>("padding", () => F.Conv2d(Image, Weight, padding: (1, 2, 3)));
        Throws<ArgumentException>("kernel", () => new Conv1d(4, 6, kernel: (3, 3)));
        Throws<ArgumentException>("padding", () => new Conv2d(4, 6, kernel: 3, padding: (1, 1, 1)));
    }

    [Fact]
    public void NegativePaddingThrows()
    {
        Throws<ArgumentOutOfRangeException>("padding", () => F.Conv2d(Image, Weight, padding: -1), "-1");
        Throws<ArgumentOutOfRangeException>("padding", () => F.Conv2d(Image, Weight, padding: Padding.Asymmetric((1, 1), (0, -2))));
        Throws<ArgumentOutOfRangeException>("padding", () => F.ConvTranspose2d(Image, Tensor.Randn(4, 2, 3, 3), padding: (0, -1)));
        Throws<ArgumentOutOfRangeException>("padding", () => new ConvTranspose2d(4, 2, kernel: 3, padding: -1));
        Throws<ArgumentOutOfRangeException>("outputPadding", () => new ConvTranspose2d(4, 2, kernel: 3, stride: 2, outputPadding: -1));
    }

    [Fact]
    public void KernelLargerThanPaddedInputThrows()
    {
        var small = Tensor.Randn(1, 1, 3, 4);
        Throws<ArgumentException>("input", () => F.Conv2d(small, Tensor.Randn(1, 1, 5, 3)), "(1, 1, 3, 4)", "(1, 1, 5, 3)");
        // Dilation 2 makes a 3-tap kernel span 5 > 4.
        Throws<ArgumentException>("input", () => F.Conv1d(Tensor.Randn(1, 1, 4), Tensor.Randn(1, 1, 3), dilation: 2));
        // Padding makes it fit: 3 + 1 + 1 = 5.
        Assert.Equal(new Shape(1, 1, 1, 4), F.Conv2d(small, Tensor.Randn(1, 1, 5, 3), padding: 1).Shape);
        Throws<ArgumentException>("input", () => new Conv2d(1, 1, kernel: 5).Forward(small));
    }

    [Fact]
    public void ChannelsNotDivisibleByGroupsThrow()
    {
        Throws<ArgumentException>("weight", () => F.Conv2d(Image, Tensor.Randn(5, 2, 3, 3), groups: 2), "(5, 2, 3, 3)", "groups = 2");
        Throws<ArgumentException>("weight", () => F.ConvTranspose2d(Tensor.Randn(1, 3, 4, 4), Tensor.Randn(3, 2, 3, 3), groups: 2), "(3, 2, 3, 3)");
        Throws<ArgumentException>("inChannels", () => new Conv2d(3, 4, kernel: 3, groups: 2));
        Throws<ArgumentException>("outChannels", () => new Conv2d(4, 3, kernel: 3, groups: 2));
        Throws<ArgumentException>("outChannels", () => new ConvTranspose2d(4, 3, kernel: 3, groups: 2));
        Throws<ArgumentOutOfRangeException>("inChannels", () => new Conv2d(0, 3, kernel: 3));
        Throws<ArgumentOutOfRangeException>("outChannels", () => new Conv3d(3, 0, kernel: 3));
        Throws<ArgumentOutOfRangeException>("groups", () => new Conv2d(4, 4, kernel: 3, groups: 0));
    }

    [Fact]
    public void WrongInputRankNamesExpectedLayoutAndReceivedShape()
    {
        Throws<ArgumentException>("input", () => F.Conv2d(Tensor.Randn(6, 6), Weight), "(N, C, H, W)", "(6, 6)");
        Throws<ArgumentException>("input", () => F.Conv2d(Tensor.Randn(1, 1, 4, 6, 6), Weight), "(N, C, H, W)", "(1, 1, 4, 6, 6)");
        Throws<ArgumentException>("input", () => F.Conv1d(Image, Tensor.Randn(6, 4, 3)), "(N, C, L)", "(1, 4, 6, 6)");
        Throws<ArgumentException>("input", () => F.Conv3d(Tensor.Randn(4, 6, 6), Tensor.Randn(6, 4, 3, 3, 3)), "(N, C, D, H, W)", "(4, 6, 6)");
        Throws<ArgumentException>("input", () => new Conv2d(4, 6, kernel: 3).Forward(Tensor.Randn(4, 6)), "(N, C, H, W)", "(4, 6)");
        Throws<ArgumentException>("weight", () => F.Conv2d(Image, Tensor.Randn(6, 4, 3)), "(6, 4, 3)");
    }

    [Fact]
    public void InputChannelsMustMatchWeight()
    {
        Throws<ArgumentException>("input", () => F.Conv2d(Tensor.Randn(1, 3, 6, 6), Weight), "(1, 3, 6, 6)", "(6, 4, 3, 3)");
        // With groups the weight holds in_channels/groups: 2 · 2 = 4 expected.
        Throws<ArgumentException>("input", () => F.Conv2d(Image, Tensor.Randn(6, 4, 3, 3), groups: 2), "8");
        Throws<ArgumentException>("input", () => new Conv2d(3, 6, kernel: 3).Forward(Image), "(1, 4, 6, 6)");
        Throws<ArgumentException>("input", () => F.ConvTranspose2d(Image, Tensor.Randn(3, 2, 3, 3)), "(1, 4, 6, 6)", "(3, 2, 3, 3)");
    }

    [Fact]
    public void BiasMustHaveOneValuePerOutputChannel()
    {
        Throws<ArgumentException>("bias", () => F.Conv2d(Image, Weight, Tensor.Randn(5)), "(5)", "(6)");
        Throws<ArgumentException>("bias", () => F.Conv2d(Image, Weight, Tensor.Randn(1, 6)), "(1, 6)");
        // Transposed: out channels = weight dim 1 · groups = 2 · 2.
        Throws<ArgumentException>("bias", () => F.ConvTranspose2d(Image, Tensor.Randn(4, 2, 3, 3), Tensor.Randn(2), groups: 2), "(4)");
    }

    [Fact]
    public void OutputPaddingMustBeSmallerThanStrideOrDilation()
    {
        var weight = Tensor.Randn(4, 2, 3, 3);
        Throws<ArgumentOutOfRangeException>("outputPadding", () => F.ConvTranspose2d(Image, weight, stride: 2, outputPadding: 2));
        Throws<ArgumentOutOfRangeException>("outputPadding", () => F.ConvTranspose2d(Image, weight, outputPadding: (0, 1)));
        Throws<ArgumentOutOfRangeException>("outputPadding", () => new ConvTranspose2d(4, 2, kernel: 3, stride: 2, outputPadding: 2));
        // Allowed when smaller than either: stride 1 but dilation 2.
        Assert.Equal(new Shape(1, 2, 11, 11), F.ConvTranspose2d(Image, weight, outputPadding: 1, dilation: 2).Shape);
    }

    [Fact]
    public void TransposedOutputMustNotBeEmpty()
    {
        Throws<ArgumentException>("input", () => F.ConvTranspose2d(Tensor.Randn(1, 1, 1, 1), Tensor.Randn(1, 1, 1, 1), padding: 1), "(1, 1, 1, 1)");
    }

    [Fact]
    public void BadModuleArgumentsThrowBeforeInitialisingWeights()
    {
        var generator = new Generator(5);
        Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, kernel: 3, padding: (1, 1, 1), generator: generator));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvTranspose2d(4, 6, kernel: 3, outputPadding: 1, generator: generator));
        Assert.Equal(new Generator(5).NextFloat(), generator.NextFloat());
    }
}
