using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// ConvolutionEpilogue (out = act(y·scale[c] + shift[c] (+ residual))) against its plain-loop reference: the whole-tensor
/// pass and the run-at-a-time form on every channel count and plane size from 1 to 33 and on tensors large enough to be
/// split over workers, with and without residual and ReLU, inputs with 0, −0, ±∞ and NaN. Both compute the same roundings
/// in the same order, so the results must be bit-identical. Then Convolution.ForwardWithEpilogue against the reference
/// convolution followed by the reference epilogue.
/// </summary>
public sealed class ConvolutionEpilogueTests
{
    public static TheoryData<int> Channels()
    {
        var data = new TheoryData<int>();
        for (int c = 1; c <= 33; c++) data.Add(c);
        return data;
    }

    private static readonly (bool Residual, bool Relu)[] Variants = [(false, false), (false, true), (true, false), (true, true)];

    /// <summary>Values in [-2, 2) with 0, −0, ±∞ and NaN sprinkled in.</summary>
    private static float[] Inputs(Generator random, int count)
    {
        var values = Values(random, count).Select(v => 2f * v).ToArray();
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        for (int i = 3; i < count; i += 11) values[i] = special[(i / 11) % special.Length];
        return values;
    }

    private static ConvolutionEpilogue Epilogue(Generator random, int batch, int channels, int positions, bool residual, bool relu)
    {
        var scale = Values(random, channels);
        if (channels > 2) (scale[0], scale[1]) = (0f, -1.5f); // a zero factor (∞·0 = NaN) and a negative one
        var shift = Values(random, channels);
        return new ConvolutionEpilogue(scale, shift, residual ? Inputs(random, batch * channels * positions) : ReadOnlyMemory<float>.Empty,
            relu ? ConvolutionActivation.Relu : ConvolutionActivation.None, channels, positions);
    }

    /// <summary>Bit-identical, except that any two NaNs are equal.</summary>
    private static void Identical(float[] expected, float[] actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(float.IsNaN(expected[i]) && float.IsNaN(actual[i])) && BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{label}: element {i} of {expected.Length} is {actual[i]}, reference {expected[i]}.");
    }

    private static void Check(int batch, int channels, int positions, bool residual, bool relu, ulong seed)
    {
        var random = new Generator(seed);
        var epilogue = Epilogue(random, batch, channels, positions, residual, relu);
        var output = Inputs(random, batch * channels * positions);
        string label = $"N={batch} C={channels} P={positions} residual={residual} relu={relu}";

        var expected = (float[])output.Clone();
        ConvolutionEpilogue.Reference.Apply(epilogue, expected, batch);

        var whole = (float[])output.Clone();
        epilogue.Apply(whole, batch);
        Identical(expected, whole, "whole tensor " + label);

        // Run at a time, as a kernel that writes an output row at a time calls it: runs of 1 to 7 positions.
        var runs = (float[])output.Clone();
        int length = 1;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < positions; p += length, length = length % 7 + 1)
                {
                    int count = Math.Min(length, positions - p);
                    epilogue.Apply(runs.AsSpan((n * channels + c) * positions + p, count), n, c, p);
                }
        Identical(expected, runs, "runs " + label);
    }

    [Theory]
    [MemberData(nameof(Channels))]
    public void EveryChannelCountAndPlaneSizeUpTo33(int channels)
    {
        for (int positions = 1; positions <= 33; positions++)
            foreach (var (residual, relu) in Variants)
                Check(2, channels, positions, residual, relu, (ulong)(channels * 100 + positions));
    }

    [Fact]
    public void TensorsLargeEnoughToSplitOverWorkers()
    {
        foreach (var (residual, relu) in Variants)
        {
            Check(3, 64, 56 * 56, residual, relu, 1);   // ResNet-18's first stage at batch 3
            Check(1, 7, 20_011, residual, relu, 2);     // few planes, odd length
        }
    }

    [Fact]
    public void ReluFollowsTheReluKernelOnSpecialValues()
    {
        // scale 1, shift 0: the epilogue is a plain ReLU, and must keep Activations' rule (NaN passes, −0 gives +0).
        float[] x = [0f, -0f, 1.5f, -1.5f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon];
        var relu = new float[x.Length];
        Activations.Reference.ReluForward(x, relu);
        var epilogue = new ConvolutionEpilogue(new float[] { 1f }, new float[] { 0f }, ReadOnlyMemory<float>.Empty, ConvolutionActivation.Relu, 1, x.Length);
        var fast = (float[])x.Clone();
        epilogue.Apply(fast, 1);
        Identical(relu, fast, "fast");
        var reference = (float[])x.Clone();
        ConvolutionEpilogue.Reference.Apply(epilogue, reference, 1);
        Identical(relu, reference, "reference");
        Assert.True(float.IsNaN(fast[6]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(fast[1])); // +0
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        float[] two = [1f, 2f];
        var none = ReadOnlyMemory<float>.Empty;
        Assert.Throws<ArgumentOutOfRangeException>("channels", () => new ConvolutionEpilogue(two, two, none, ConvolutionActivation.None, 0, 4));
        Assert.Throws<ArgumentException>("scale", () => new ConvolutionEpilogue(new float[3], two, none, ConvolutionActivation.None, 2, 4));
        Assert.Throws<ArgumentException>("shift", () => new ConvolutionEpilogue(two, new float[1], none, ConvolutionActivation.None, 2, 4));
        Assert.Throws<ArgumentException>("residual", () => new ConvolutionEpilogue(two, two, new float[7], ConvolutionActivation.None, 2, 4));
        var epilogue = new ConvolutionEpilogue(two, two, new float[16], ConvolutionActivation.Relu, 2, 4);
        Assert.Throws<ArgumentException>("output", () => epilogue.Apply(new float[16], 1)); // the residual holds 2 samples
        Assert.Throws<ArgumentException>("output", () => epilogue.Apply(new float[15], 2));
        Assert.Throws<ArgumentOutOfRangeException>("channel", () => epilogue.Apply(new float[2], 0, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>("positionOffset", () => epilogue.Apply(new float[2], 0, 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => epilogue.Apply(new float[2], 2, 1, 0)); // sample outside the residual

        var g = ConvolutionKernelTests.Geometry(2, 3, 2, 1, [5, 5], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]);
        var wrongPositions = new ConvolutionEpilogue(two, two, none, ConvolutionActivation.None, 2, 24);
        Assert.Throws<ArgumentException>("epilogue", () =>
            Convolution.ForwardWithEpilogue(g, new float[g.InputSize], new float[g.WeightSize], wrongPositions, new float[g.OutputSize]));
        var oneSampleResidual = new ConvolutionEpilogue(two, two, new float[50], ConvolutionActivation.None, 2, 25);
        Assert.Throws<ArgumentException>("epilogue", () =>
            Convolution.ForwardWithEpilogue(g, new float[g.InputSize], new float[g.WeightSize], oneSampleResidual, new float[g.OutputSize]));
    }

    public static TheoryData<string> Geometries() => new() { "3x3", "3x3 stride 2", "1x1", "grouped", "depthwise", "winograd", "one sample in bands", "1-D" };

    private static ConvolutionGeometry GeometryNamed(string name) => name switch
    {
        "3x3" => ConvolutionKernelTests.Geometry(2, 3, 5, 1, [9, 7], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]),
        "3x3 stride 2" => ConvolutionKernelTests.Geometry(3, 4, 6, 1, [11, 10], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1]),
        "1x1" => ConvolutionKernelTests.Geometry(2, 8, 12, 1, [7, 9], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]),
        "grouped" => ConvolutionKernelTests.Geometry(2, 4, 6, 2, [8, 9], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]),
        "depthwise" => ConvolutionKernelTests.Geometry(2, 6, 6, 6, [9, 8], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]),
        "winograd" => ConvolutionKernelTests.Geometry(2, Convolution.Winograd.MinimumChannels, Convolution.Winograd.MinimumChannels + 3, 1,
            [17, 12], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]),
        "one sample in bands" => ConvolutionKernelTests.Geometry(1, 16, 33, 1, [40, 37], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]),
        _ => ConvolutionKernelTests.Geometry(2, 3, 4, 1, [33], [3], [1], [1], [1], [1]),
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ForwardWithEpilogueMatchesTheReference(string name)
    {
        var g = GeometryNamed(name);
        var random = new Generator((ulong)(g.InputSize * 7 + g.WeightSize));
        var (x, w) = (Values(random, g.InputSize), Values(random, g.WeightSize));
        var workspace = new float[g.WorkspaceSize];
        var convolution = new float[g.OutputSize];
        var convolutionMagnitude = new float[g.OutputSize];
        Convolution.Reference.Forward(g, x, w, convolution, workspace);
        Convolution.Reference.Forward(g, Abs(x), Abs(w), convolutionMagnitude, workspace);
        int positions = g.Output.Product;
        foreach (var (residual, relu) in Variants)
        {
            var epilogue = Epilogue(random, g.Batch, g.OutChannels, positions, residual, relu);
            // Inputs() put non-finite values in the residual; keep this comparison about the convolution's rounding.
            var finiteResidual = epilogue.Residual.ToArray().Select(v => float.IsFinite(v) ? v : 0.5f).ToArray();
            epilogue = new ConvolutionEpilogue(epilogue.Scale, epilogue.Shift, residual ? finiteResidual : ReadOnlyMemory<float>.Empty,
                epilogue.Activation, g.OutChannels, positions);
            var expected = (float[])convolution.Clone();
            ConvolutionEpilogue.Reference.Apply(epilogue, expected, g.Batch);
            // The bound: the same epilogue on magnitudes (|y|·|scale| + |shift| + |residual|), no ReLU.
            var magnitude = (float[])convolutionMagnitude.Clone();
            ConvolutionEpilogue.Reference.Apply(new ConvolutionEpilogue(Abs(epilogue.Scale.ToArray()), Abs(epilogue.Shift.ToArray()),
                residual ? Abs(finiteResidual) : ReadOnlyMemory<float>.Empty, ConvolutionActivation.None, g.OutChannels, positions), magnitude, g.Batch);
            var actual = Enumerable.Repeat(float.NaN, g.OutputSize).ToArray(); // every element must be written
            Convolution.ForwardWithEpilogue(g, x, w, epilogue, actual);
            Close(expected, actual, magnitude, $"{name} residual={residual} relu={relu} [{g}]", relative: name == "winograd" ? 4e-5 : 1e-5);
        }
    }
}
