using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// Convolution.Forward / BackwardData / BackwardWeight (GEMM lowering with chunked and pointwise paths, direct
/// depthwise loop, fused bias + ReLU) against Convolution.Reference on every spatial size from 1 to 33
/// (2 × the 16 floats of a Vector512, + 1), odd strides, padding, dilation, groups, 1x1 and 1-D/3-D shapes.
/// </summary>
public sealed class ConvolutionKernelTests
{
    private const int LargestSize = 33;

    [Theory]
    [InlineData(1, 1)] // plain 3x3, pad 1
    [InlineData(2, 1)] // stride 2
    [InlineData(1, 2)] // dilation 2
    [InlineData(3, 1)] // stride 3
    public void EveryHeightAndWidthUpTo33(int stride, int dilation)
    {
        for (int size = 1; size <= LargestSize; size++)
        {
            int padding = dilation; // keeps the dilated 3-tap kernel inside the padded input for size 1
            Check(Geometry(2, 3, 4, 1, [size, 5], [3, 3], [stride, stride], [dilation, dilation], [padding, padding], [padding, padding]), $"H={size}");
            Check(Geometry(2, 3, 4, 1, [4, size], [3, 3], [stride, stride], [dilation, dilation], [padding, padding], [padding, padding]), $"W={size}");
        }
    }

    [Theory]
    [InlineData(1, 1, 1)] // depthwise 3x3
    [InlineData(2, 1, 1)] // channel multiplier 2
    [InlineData(1, 2, 1)] // stride 2 (scalar columns)
    [InlineData(1, 1, 2)] // dilation 2
    public void DepthwiseEveryHeightAndWidthUpTo33(int multiplier, int stride, int dilation)
    {
        for (int size = 1; size <= LargestSize; size++)
        {
            int padding = dilation;
            Check(Geometry(2, 3, 3 * multiplier, 3, [size, 6], [3, 3], [stride, stride], [dilation, dilation], [padding, padding], [padding, padding]), $"H={size}");
            Check(Geometry(2, 3, 3 * multiplier, 3, [5, size], [3, 3], [stride, stride], [dilation, dilation], [padding, padding], [padding, padding]), $"W={size}");
        }
    }

    [Fact]
    public void PointwiseEverySizeUpTo33()
    {
        for (int size = 1; size <= LargestSize; size++)
        {
            Check(Geometry(1, 5, 3, 1, [size, size], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]), $"one sample {size}x{size}");
            Check(Geometry(3, 4, 6, 2, [size, 3], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]), $"three samples, groups 2, {size}x3");
        }
    }

    public static TheoryData<int, int, int, int> Windows()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int kernel in new[] { 1, 2, 3, 5 })
            foreach (int stride in new[] { 1, 2, 3 })
                foreach (int padding in new[] { 0, 1, 2 })
                    foreach (int dilation in new[] { 1, 2 })
                        data.Add(kernel, stride, padding, dilation);
        return data;
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void StridesPaddingAndDilation(int kernel, int stride, int padding, int dilation)
    {
        var random = new Generator((ulong)(kernel * 1000 + stride * 100 + padding * 10 + dilation));
        foreach (int groups in new[] { 1, 2, 4 })
        {
            int height = 4 + (int)(random.NextUInt64() % 9), width = 4 + (int)(random.NextUInt64() % 9);
            if (dilation * (kernel - 1) + 1 > Math.Min(height, width) + 2 * padding) continue;
            // Asymmetric padding: the end gets one less (as Padding.Same can give).
            int end = Math.Max(0, padding - 1);
            if (dilation * (kernel - 1) + 1 > Math.Min(height, width) + padding + end) end = padding;
            Check(Geometry(3, 4, 8, groups, [height, width], [kernel, kernel], [stride, stride], [dilation, dilation], [padding, padding], [end, end]),
                $"groups {groups} {height}x{width}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void OneAndThreeSpatialDimensions(int stride)
    {
        for (int length = 1; length <= LargestSize; length++)
            Check(Geometry(2, 3, 4, 1, [length], [3], [stride], [1], [1], [1]), $"1-D L={length}");
        Check(Geometry(2, 4, 6, 2, [5, 6, 7], [3, 2, 3], [stride, 1, stride], [1, 2, 1], [1, 0, 1], [1, 1, 0]), "3-D grouped");
        Check(Geometry(2, 3, 6, 3, [4, 7, 9], [3, 3, 3], [1, stride, 1], [1, 1, 2], [1, 1, 2], [1, 1, 2]), "3-D depthwise");
        Check(Geometry(2, 4, 5, 1, [3, 4, 5], [1, 1, 1], [1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0]), "3-D pointwise");
        // A 1x3x3 kernel over a one-slice volume padded in depth: several output slices, so not Winograd's 2-D case.
        var padded = Geometry(1, 32, 32, 1, [1, 5, 6], [1, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]);
        Assert.False(Convolution.Winograd.Computes(padded));
        Check(padded, "3-D depth-padded 1x3x3");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void BatchesLargeEnoughToSplitOverThreads(int groups)
    {
        // Enough work for several tasks and several samples per column chunk.
        Check(Geometry(9, 8, 8, groups, [12, 13], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "3x3");
        Check(Geometry(5, 8, 16, groups, [20, 20], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]), "1x1");
        Check(Geometry(7, 8, 16, 8, [17, 19], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "depthwise");
        // One sample whose column matrix is larger than a chunk: the output is written in place.
        Check(Geometry(2, 16, 4, 1, [72, 72], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "large image");
        // A 3-D image lowered in bands of output rows that end inside a depth slice.
        Check(Geometry(1, 16, 3, 1, [9, 7, 11], [3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]), "large 3-D image");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 0, 0)]
    [InlineData(3, 2, 2)]
    [InlineData(2, 1, 0)] // padding only at the start (output one smaller)
    public void WinogradEveryHeightAndWidthUpTo33(int batch, int paddingStart, int paddingEnd)
    {
        // Winograd F(2x2, 3x3) forward and input gradient called directly (production uses it from MinimumChannels on),
        // odd and even sizes (partial tiles).
        for (int size = 1; size <= LargestSize; size++)
        {
            if (size + paddingStart + paddingEnd < 3) continue;
            CheckWinograd(Geometry(batch, 16, 17, 1, [size, 5], [3, 3], [1, 1], [1, 1], [paddingStart, paddingStart], [paddingEnd, paddingEnd]), $"H={size}");
            CheckWinograd(Geometry(batch, 17, 16, 1, [4, size], [3, 3], [1, 1], [1, 1], [paddingStart, paddingStart], [paddingEnd, paddingEnd]), $"W={size}");
        }
    }

    [Fact]
    public void WinogradLargeImagesBatchesAndDispatch()
    {
        // Images with more tiles than a chunk (bands of tile rows), and many small images per chunk over several workers.
        CheckWinograd(Geometry(2, 16, 16, 1, [100, 95], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "bands");
        CheckWinograd(Geometry(12, 32, 24, 1, [9, 10], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "small images");
        // Through Convolution.Forward / BackwardData with enough channels to choose Winograd.
        var g = Geometry(2, Convolution.Winograd.MinimumChannels, Convolution.Winograd.MinimumChannels + 3, 1, [17, 12], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]);
        Assert.True(Convolution.Winograd.Computes(g) && Convolution.Winograd.Pays(g));
        Check(g, "dispatched");
        // Too few tiles to amortise the filter transform (a deep layer at batch 1): the lowering takes it.
        var few = Geometry(1, Convolution.Winograd.MinimumChannels, Convolution.Winograd.MinimumChannels, 1, [7, 7], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]);
        Assert.True(Convolution.Winograd.Computes(few) && !Convolution.Winograd.Pays(few));
        Check(few, "few tiles, lowered");
    }

    /// <summary>A forward kernel with <see cref="Convolution.Forward"/>'s signature (one of its paths, called directly).</summary>
    internal delegate void ForwardKernel(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
        ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation);

    /// <summary>
    /// One forward path against the reference: without bias (unless <paramref name="withBiasOnly"/>), then with bias and ReLU.
    /// <paramref name="relative"/>: looser when the path rounds more than a plain sum of products.
    /// </summary>
    internal static void CheckForward(ConvolutionGeometry g, string label, ForwardKernel forward, bool withBiasOnly = false, double relative = 1e-5)
    {
        var random = new Generator((ulong)(g.InputSize * 13 + g.WeightSize));
        var (x, w, b) = (Values(random, g.InputSize), Values(random, g.WeightSize), Values(random, g.OutChannels));
        var workspace = new float[g.WorkspaceSize];
        var (expected, magnitude) = (new float[g.OutputSize], new float[g.OutputSize]);
        Convolution.Reference.Forward(g, x, w, expected, workspace);
        Convolution.Reference.Forward(g, Abs(x), Abs(w), magnitude, workspace);
        float[] actual;
        if (!withBiasOnly)
        {
            actual = NaNs(g.OutputSize);
            forward(g, x, w, ReadOnlyMemory<float>.Empty, actual, ConvolutionActivation.None);
            Close(expected, actual, magnitude, $"forward {label} [{g}]", relative);
        }
        Convolution.Reference.AddBias(b, expected, g.Batch, g.OutChannels, g.Output.Product);
        Convolution.Reference.AddBias(Abs(b), magnitude, g.Batch, g.OutChannels, g.Output.Product);
        for (int i = 0; i < expected.Length; i++) expected[i] = Math.Max(expected[i], 0f);
        actual = NaNs(g.OutputSize);
        forward(g, x, w, b, actual, ConvolutionActivation.Relu);
        Close(expected, actual, magnitude, $"forward + bias + ReLU {label} [{g}]", relative);
    }

    /// <summary>Winograd forward (with bias and ReLU) and input gradient against the reference.</summary>
    internal static void CheckWinograd(ConvolutionGeometry g, string label)
    {
        Assert.True(Convolution.Winograd.Computes(g) && Convolution.Winograd.ComputesInputGradient(g), label);
        label = $"Winograd {label}";
        // The transforms (factors ½, sums of up to 16 terms) round more than a plain sum of products.
        CheckForward(g, label, Convolution.Winograd.Forward, withBiasOnly: true, relative: 4e-5);
        var random = new Generator((ulong)(g.InputSize * 13 + g.WeightSize));
        var (w, dy) = (Values(random, g.WeightSize), Values(random, g.OutputSize));
        var workspace = new float[g.WorkspaceSize];
        label = $"{label} [{g}]";
        var expected = new float[g.InputSize];
        var magnitude = new float[g.InputSize];
        Convolution.Reference.BackwardData(g, dy, w, expected, workspace);
        Convolution.Reference.BackwardData(g, Abs(dy), Abs(w), magnitude, workspace);
        var actual = NaNs(g.InputSize);
        Convolution.Winograd.BackwardData(g, dy, w, actual);
        Close(expected, actual, magnitude, "backward data " + label, relative: 4e-5);
    }

    [Theory]
    [InlineData(1, 5, 2)] // LeNet's first layer
    [InlineData(3, 3, 1)]
    [InlineData(2, 1, 0)]
    [InlineData(1, 2, 1)] // even kernel, asymmetric padding below
    public void DirectEveryHeightAndWidthUpTo33(int inChannels, int kernel, int padding)
    {
        // The direct forward loop called directly, every output channel count of a 4-channel block and beyond.
        foreach (int outChannels in new[] { 1, 3, 4, 6, 9 })
            for (int size = 1; size <= LargestSize; size++)
            {
                if (size + 2 * padding < kernel) continue;
                CheckDirect(Geometry(2, inChannels, outChannels, 1, [size, 7], [kernel, kernel], [1, 1], [1, 1], [padding, padding], [padding, Math.Max(0, padding - 1)]), $"H={size}");
                CheckDirect(Geometry(2, inChannels, outChannels, 1, [6, size], [kernel, kernel], [1, 1], [1, 1], [padding, padding], [Math.Max(0, padding - 1), padding]), $"W={size}");
            }
        // Through the dispatch: LeNet's first layer over a batch split across workers.
        var lenet = Geometry(64, 1, 6, 1, [28, 28], [5, 5], [1, 1], [1, 1], [2, 2], [2, 2]);
        Assert.True(Convolution.Direct.Computes(lenet) && Convolution.Direct.Pays(lenet));
        CheckDirect(lenet, "LeNet conv1, direct");
    }

    /// <summary>The direct forward loop (with bias and ReLU) against the reference.</summary>
    private static void CheckDirect(ConvolutionGeometry g, string label)
    {
        Assert.True(Convolution.Direct.Computes(g), label);
        CheckForward(g, "direct " + label, Convolution.Direct.Forward);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 33)]
    [InlineData(64, 6, 784)] // LeNet's first layer, split over workers
    public void BiasAndBiasGradientMatchTheReference(int batch, int channels, int positions)
    {
        var random = new Generator((ulong)(batch * channels * positions));
        var (bias, values) = (Values(random, channels), Values(random, batch * channels * positions));
        var expected = (float[])values.Clone();
        Convolution.Reference.AddBias(bias, expected, batch, channels, positions);
        var actual = (float[])values.Clone();
        Convolution.AddBias(bias, actual, batch, channels, positions);
        Equal(expected, actual, "add bias");

        var (expectedGradient, magnitude, actualGradient) = (new float[channels], new float[channels], NaNs(channels));
        Convolution.Reference.BiasGradient(values, expectedGradient, batch, channels, positions);
        Convolution.Reference.BiasGradient(Abs(values), magnitude, batch, channels, positions);
        Convolution.BiasGradient(values, actualGradient, batch, channels, positions);
        Close(expectedGradient, actualGradient, magnitude, "bias gradient");
    }

    [Fact]
    public void LeNetLayers()
    {
        Check(Geometry(64, 1, 6, 1, [28, 28], [5, 5], [1, 1], [1, 1], [2, 2], [2, 2]), "conv1");
        Check(Geometry(64, 6, 16, 1, [14, 14], [5, 5], [1, 1], [1, 1], [0, 0], [0, 0]), "conv2");
    }

    /// <summary>The canonical geometry of a convolution with per-dimension (1 to 3) sizes and start/end padding.</summary>
    internal static ConvolutionGeometry Geometry(int batch, int inChannels, int outChannels, int groups, int[] input, int[] kernel,
        int[] stride, int[] dilation, int[] paddingStart, int[] paddingEnd)
    {
        var output = new int[input.Length];
        for (int i = 0; i < input.Length; i++)
            output[i] = (input[i] + paddingStart[i] + paddingEnd[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1;
        return new ConvolutionGeometry(batch, inChannels, outChannels, groups, Extent3.FromSpatial(input, 1), Extent3.FromSpatial(kernel, 1),
            Extent3.FromSpatial(output, 1), Extent3.FromSpatial(stride, 1), Extent3.FromSpatial(dilation, 1), Extent3.FromSpatial(paddingStart, 0));
    }

    /// <summary>All three kernels, with and without bias and fused ReLU, fast against reference.</summary>
    internal static void Check(ConvolutionGeometry g, string label)
    {
        try { CheckKernels(g, label); }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{label} [{g}]: {e.Message}", e);
        }
    }

    private static void CheckKernels(ConvolutionGeometry g, string label)
    {
        var random = new Generator((ulong)(g.InputSize * 31 + g.WeightSize));
        var (x, w, b, dy) = (Values(random, g.InputSize), Values(random, g.WeightSize), Values(random, g.OutChannels), Values(random, g.OutputSize));
        var workspace = new float[g.WorkspaceSize];
        label = $"{label} [{g}]";

        var expected = new float[g.OutputSize];
        var magnitude = new float[g.OutputSize];
        Convolution.Reference.Forward(g, x, w, expected, workspace);
        Convolution.Reference.Forward(g, Abs(x), Abs(w), magnitude, workspace);
        var actual = NaNs(g.OutputSize);
        Convolution.Forward(g, x, w, ReadOnlyMemory<float>.Empty, actual);
        Close(expected, actual, magnitude, "forward " + label);

        Convolution.Reference.AddBias(b, expected, g.Batch, g.OutChannels, g.Output.Product);
        Convolution.Reference.AddBias(Abs(b), magnitude, g.Batch, g.OutChannels, g.Output.Product);
        for (int i = 0; i < expected.Length; i++) expected[i] = Math.Max(expected[i], 0f);
        actual = NaNs(g.OutputSize);
        Convolution.Forward(g, x, w, b, actual, ConvolutionActivation.Relu);
        Close(expected, actual, magnitude, "forward + bias + ReLU " + label);

        expected = new float[g.InputSize];
        magnitude = new float[g.InputSize];
        Convolution.Reference.BackwardData(g, dy, w, expected, workspace);
        Convolution.Reference.BackwardData(g, Abs(dy), Abs(w), magnitude, workspace);
        actual = NaNs(g.InputSize);
        Convolution.BackwardData(g, dy, w, actual);
        Close(expected, actual, magnitude, "backward data " + label);

        expected = new float[g.WeightSize];
        magnitude = new float[g.WeightSize];
        Convolution.Reference.BackwardWeight(g, x, dy, expected, workspace);
        Convolution.Reference.BackwardWeight(g, Abs(x), Abs(dy), magnitude, workspace);
        actual = NaNs(g.WeightSize);
        Convolution.BackwardWeight(g, x, dy, actual);
        Close(expected, actual, magnitude, "backward weight " + label);
    }

    internal static float[] NaNs(int count)
    {
        var values = new float[count];
        Array.Fill(values, float.NaN);
        return values;
    }
}
