using Fovea.Nn;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Nn;

/// <summary>
/// Kaiming and Xavier initialisation: gains and fans against PyTorch (tools/golden/init.py), sample statistics on
/// large tensors, and reproducibility from a seed.
/// </summary>
public sealed class InitKaimingXavierTests
{
    // (64, 32, 3, 3): fan_in = 32·9 = 288, fan_out = 64·9 = 576; 18432 samples.
    private static readonly int[] ConvShape = [64, 32, 3, 3];

    public static TheoryData<string, float?> GainCases() => new()
    {
        { "linear", null }, { "conv1d", null }, { "conv2d", null }, { "conv3d", null }, { "conv_transpose1d", null },
        { "conv_transpose2d", null }, { "conv_transpose3d", null }, { "sigmoid", null }, { "tanh", null }, { "relu", null },
        { "leaky_relu", null }, { "selu", null },
    };

    [Theory]
    [MemberData(nameof(GainCases))]
    public void GainEqualsPyTorchsCalculateGain(string nonlinearity, float? param)
    {
        var golden = GoldenCase.Load("init", "gains");
        golden.Compare(nonlinearity, Tensor.FromArray([Init.CalculateGain(nonlinearity, param)]), 1e-7f, 0f);
    }

    [Theory]
    [InlineData(0f, "leaky_relu_0")]
    [InlineData(0.2f, "leaky_relu_0.2")]
    [InlineData(2.23606797749979f, "leaky_relu_2.23607")]
    public void LeakyReluGainUsesTheSlope(float slope, string key) =>
        GoldenCase.Load("init", "gains").Compare(key, Tensor.FromArray([Init.CalculateGain("leaky_relu", slope)]), 1e-7f, 0f);

    [Theory]
    [InlineData(new[] { 7, 5 }, "7x5")]
    [InlineData(new[] { 64, 32, 3, 3 }, "64x32x3x3")]
    [InlineData(new[] { 8, 3, 2, 4, 5 }, "8x3x2x4x5")]
    [InlineData(new[] { 16, 4, 9 }, "16x4x9")]
    public void FansEqualPyTorchs(int[] shape, string key)
    {
        var (fanIn, fanOut) = Init.Fans(new Shape(shape));
        Assert.Equal(GoldenCase.Load("init", "fans")[key].ToArray(), new float[] { fanIn, fanOut });
    }

    [Fact]
    public void UnknownNonlinearityIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
        Assert.Contains("swish", error.Message);
        Assert.Throws<ArgumentException>(() => Init.KaimingNormal(Tensor.Zeros(4, 4), nonlinearity: "Relu"));
        Assert.Throws<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros(4)));
    }

    /// <summary>Checks mean ≈ 0 and std ≈ expected (within 2%, about 4 standard errors at this size); returns the largest |x|.</summary>
    private static float CheckStatistics(Tensor tensor, double expectedStd)
    {
        var values = tensor.ReadOnlySpan;
        double sum = 0, squares = 0, largest = 0;
        foreach (float v in values) { sum += v; squares += (double)v * v; largest = Math.Max(largest, Math.Abs(v)); }
        double mean = sum / values.Length, std = Math.Sqrt(squares / values.Length - mean * mean);
        Assert.InRange(mean, -4 * expectedStd / Math.Sqrt(values.Length), 4 * expectedStd / Math.Sqrt(values.Length));
        Assert.InRange(std, 0.98 * expectedStd, 1.02 * expectedStd);
        return (float)largest;
    }

    [Theory]
    [InlineData(FanMode.FanIn, "relu", 0f, 288)]
    [InlineData(FanMode.FanOut, "relu", 0f, 576)]
    [InlineData(FanMode.FanIn, "leaky_relu", 0.2f, 288)]
    [InlineData(FanMode.FanOut, "tanh", 0f, 576)]
    public void KaimingUniformHasTheRightBoundAndSpread(FanMode mode, string nonlinearity, float a, int fan)
    {
        var tensor = Init.KaimingUniform(Tensor.Zeros(ConvShape), a, mode, nonlinearity, new Generator(1));
        double std = Init.CalculateGain(nonlinearity, a) / Math.Sqrt(fan), bound = Math.Sqrt(3) * std;
        float largest = CheckStatistics(tensor, std);
        Assert.InRange(largest, 0.995 * bound, bound);
    }

    [Theory]
    [InlineData(FanMode.FanIn, "relu", 0f, 288)]
    [InlineData(FanMode.FanOut, "leaky_relu", 0f, 576)]
    [InlineData(FanMode.FanIn, "selu", 0f, 288)]
    public void KaimingNormalHasTheRightSpread(FanMode mode, string nonlinearity, float a, int fan) =>
        CheckStatistics(Init.KaimingNormal(Tensor.Zeros(ConvShape), a, mode, nonlinearity, new Generator(2)),
            Init.CalculateGain(nonlinearity, a) / Math.Sqrt(fan));

    [Theory]
    [InlineData(1f)]
    [InlineData(1.4142135f)]
    public void XavierHasTheRightBoundAndSpread(float gain)
    {
        double std = gain * Math.Sqrt(2.0 / (288 + 576)), bound = Math.Sqrt(3) * std;
        float largest = CheckStatistics(Init.XavierUniform(Tensor.Zeros(ConvShape), gain, new Generator(3)), std);
        Assert.InRange(largest, 0.995 * bound, bound);
        CheckStatistics(Init.XavierNormal(Tensor.Zeros(ConvShape), gain, new Generator(4)), std);
        // Linear weight (out, in) = (300, 500): no receptive field.
        CheckStatistics(Init.XavierNormal(Tensor.Zeros(300, 500), gain, new Generator(5)), gain * Math.Sqrt(2.0 / 800));
    }

    [Fact]
    public void KaimingUniformWithSlopeRootFiveIsPyTorchsLayerDefault()
    {
        // PyTorch's Linear/Conv default, kaiming_uniform(a = √5), has bound 1/√fan_in, as DefaultLayerInit uses.
        var tensor = Init.KaimingUniform(Tensor.Zeros(ConvShape), a: MathF.Sqrt(5f), generator: new Generator(6));
        float largest = CheckStatistics(tensor, 1 / Math.Sqrt(3 * 288));
        Assert.InRange(largest, 0.995 / Math.Sqrt(288), 1 / Math.Sqrt(288) * (1 + 1e-6));
    }

    [Fact]
    public void SameSeedGivesTheSameWeights()
    {
        Func<Generator, Tensor>[] initialisers =
        [
            g => Init.KaimingUniform(Tensor.Zeros(8, 6), generator: g),
            g => Init.KaimingNormal(Tensor.Zeros(8, 6), mode: FanMode.FanOut, nonlinearity: "relu", generator: g),
            g => Init.XavierUniform(Tensor.Zeros(8, 6), generator: g),
            g => Init.XavierNormal(Tensor.Zeros(8, 6), gain: 2f, generator: g),
        ];
        foreach (var initialise in initialisers)
        {
            var first = initialise(new Generator(42)).ToArray();
            Assert.Equal(first, initialise(new Generator(42)).ToArray());
            Assert.NotEqual(first, initialise(new Generator(43)).ToArray());
        }
    }

    [Fact]
    public void ZerosOnesAndEmptyTensors()
    {
        Assert.All(Init.Ones(Tensor.Zeros(3, 2)).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Init.Zeros(Tensor.Ones(3, 2)).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(0, Init.KaimingUniform(Tensor.Zeros(0, 4)).Size);
        Assert.Equal(0, Init.XavierNormal(Tensor.Zeros(4, 0)).Size);
    }
}
