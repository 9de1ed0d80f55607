using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// MaxPool and AvgPool (parallel over planes; vectorised 2x2 stride-2 max pool) against their references, bit for
/// bit: values, argmax indices (ties, NaN and −∞ included) and gradients, on every size from 1 to 33 in each spatial
/// dimension and on strided, padded, dilated, ceil-mode and adaptive windows.
/// </summary>
public sealed class PoolingKernelTests
{
    private const int LargestSize = 33;

    [Fact]
    public void TwoByTwoStrideTwoEveryHeightAndWidthUpTo33()
    {
        for (int size = 2; size <= LargestSize; size++)
        {
            CheckSliding(3, [1, size, 7], [1, 2, 2], [1, 2, 2], [1, 1, 1], [0, 0, 0], ceilMode: false, $"H={size}");
            CheckSliding(2, [1, size, size], [1, 2, 2], [1, 2, 2], [1, 1, 1], [0, 0, 0], ceilMode: true, $"ceil {size}x{size}");
            // Rows wide enough for the vectorised backward (16 outputs), odd input width: odd heights leave a last row in no window.
            CheckSliding(2, [1, size, 33], [1, 2, 2], [1, 2, 2], [1, 1, 1], [0, 0, 0], ceilMode: false, $"H={size} wide");
        }
        // The vectors run along output columns: every output width from 1 to 33 (input widths 2 to 67).
        for (int size = 2; size <= 2 * LargestSize + 1; size++)
            CheckSliding(3, [1, 6, size], [1, 2, 2], [1, 2, 2], [1, 1, 1], [0, 0, 0], ceilMode: false, $"W={size}");
        // Depth slices of a 3-D pool with a 1x2x2 window take the same path.
        CheckSliding(2, [3, 9, 40], [1, 2, 2], [1, 2, 2], [1, 1, 1], [0, 0, 0], ceilMode: false, "3-D 1x2x2");
    }

    public static TheoryData<int, int, int, int> Windows()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int kernel in new[] { 1, 2, 3, 4 })
            foreach (int stride in new[] { 1, 2, 3 })
                foreach (int dilation in new[] { 1, 2 })
                    for (int padding = 0; padding <= kernel / 2; padding++)
                        data.Add(kernel, stride, padding, dilation);
        return data;
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void StridesPaddingDilationAndCeilMode(int kernel, int stride, int padding, int dilation)
    {
        foreach (bool ceilMode in new[] { false, true })
            foreach (int size in new[] { 1, 2, 5, 16, 17, 33 })
            {
                if (dilation * (kernel - 1) + 1 > size + 2 * padding) continue;
                CheckSliding(2, [1, size, 9], [1, kernel, kernel], [1, stride, stride], [1, dilation, dilation], [0, padding, padding], ceilMode, $"H={size}");
                CheckSliding(2, [1, 7, size], [1, kernel, kernel], [1, stride, stride], [1, dilation, dilation], [0, padding, padding], ceilMode, $"W={size}");
            }
    }

    [Fact]
    public void OneAndThreeSpatialDimensionsAndAdaptiveBins()
    {
        for (int length = 1; length <= LargestSize; length++)
            CheckSliding(4, [1, 1, length], [1, 1, Math.Min(3, length)], [1, 1, 2], [1, 1, 1], [0, 0, 0], ceilMode: false, $"1-D L={length}");
        CheckSliding(2, [5, 6, 7], [2, 3, 2], [2, 1, 2], [1, 1, 2], [1, 1, 0], ceilMode: true, "3-D");
        foreach (int output in new[] { 1, 3, 5, 7 })
            Check(PoolWindows.Adaptive(3, [1, 11, 13], [1, output, output + 1]), $"adaptive {output}");
    }

    [Theory]
    [InlineData(3, 2, 1)] // ResNet's stem pool
    [InlineData(3, 1, 1)]
    [InlineData(2, 1, 0)]
    [InlineData(4, 3, 2)]
    [InlineData(5, 2, 0)]
    public void SeparableWindowsEveryWidthUpTo70(int kernel, int stride, int padding)
    {
        // The two-pass kernel: vectors along output columns (regular interior windows read from the row's stride phases),
        // scalar clipped windows at the borders; every output width past two vectors of 16 plus a remainder.
        for (int size = Math.Max(kernel - 2 * padding, 1); size <= 70; size++)
            foreach (bool ceilMode in new[] { false, true })
                CheckSliding(2, [1, 5, size], [1, kernel, kernel], [1, stride, stride], [1, 1, 1], [0, padding, padding], ceilMode, $"W={size}");
        CheckSliding(1, [1, 37, 41], [1, kernel, kernel], [1, stride, stride], [1, 1, 1], [0, padding, padding], ceilMode: false, "one plane");
        // A 3-D pool whose depth windows are single slices takes the same path.
        CheckSliding(2, [3, 9, 40], [1, kernel, kernel], [1, stride, stride], [1, 1, 1], [0, padding, padding], ceilMode: false, "3-D");
    }

    [Fact]
    public void PlanesSplitOverThreads()
    {
        // Enough planes and elements for several workers.
        CheckSliding(96, [1, 40, 40], [1, 2, 2], [1, 2, 2], [1, 1, 1], [0, 0, 0], ceilMode: false, "2x2 stride 2");
        CheckSliding(40, [1, 30, 31], [1, 3, 3], [1, 2, 2], [1, 1, 1], [0, 1, 1], ceilMode: false, "3x3 stride 2 pad 1");
    }

    private static void CheckSliding(int planes, int[] input, int[] kernel, int[] stride, int[] dilation, int[] padding, bool ceilMode, string label)
    {
        var output = new int[3];
        for (int i = 0; i < 3; i++)
            output[i] = WindowGeometry.OutputSize(input[i], kernel[i], stride[i], padding[i], padding[i], dilation[i], ceilMode);
        Check(PoolWindows.Sliding(planes, input, output, kernel, stride, dilation, padding, padding), $"{label} kernel {string.Join('x', kernel)} stride {string.Join('x', stride)} padding {padding[1]} dilation {dilation[1]} ceil {ceilMode}");
    }

    private static void Check(PoolWindows windows, string label)
    {
        int inputSize = windows.Planes * windows.InputPlaneSize, outputSize = windows.Planes * windows.OutputPlaneSize;
        var random = new Generator((ulong)(inputSize * 7 + outputSize));
        // Quarter steps in [-2, 2): many ties (and exact zeros, as after a ReLU); a few NaN and −∞.
        var x = new float[inputSize];
        for (int i = 0; i < x.Length; i++)
        {
            int pick = (int)(random.NextUInt64() % 64);
            x[i] = pick == 0 ? float.NaN : pick == 1 ? float.NegativeInfinity : MathF.Round(4f * (2f * random.NextFloat() - 1f) * 2f) / 4f;
        }
        var gradOutput = Values(random, outputSize);

        var (expected, expectedArgmax) = (new float[outputSize], new int[outputSize]);
        MaxPool.Reference.Forward(x, expected, expectedArgmax, windows);
        var (actual, actualArgmax) = (new float[outputSize], new int[outputSize]);
        Array.Fill(actual, -1f);
        MaxPool.Forward(x, actual, actualArgmax, windows);
        Equal(expected, actual, "max forward " + label);
        Assert.True(expectedArgmax.AsSpan().SequenceEqual(actualArgmax), "max argmax " + label);
        var withoutArgmax = new float[outputSize];
        MaxPool.Forward(x, withoutArgmax, Memory<int>.Empty, windows);
        Equal(expected, withoutArgmax, "max forward without argmax " + label);

        var expectedGrad = new float[inputSize];
        MaxPool.Reference.Backward(gradOutput, expectedArgmax, expectedGrad, windows.Planes, windows.InputPlaneSize, windows.OutputPlaneSize);
        var actualGrad = Enumerable.Repeat(float.NaN, inputSize).ToArray();
        MaxPool.Backward(gradOutput, actualArgmax, actualGrad, windows);
        Equal(expectedGrad, actualGrad, "max backward " + label);

        foreach (bool countIncludePad in new[] { true, false })
        {
            var finite = x.Select(v => float.IsFinite(v) ? v : 0.5f).ToArray();
            var average = new float[outputSize];
            AvgPool.Reference.Forward(finite, average, windows, countIncludePad, null);
            var fast = Enumerable.Repeat(float.NaN, outputSize).ToArray();
            AvgPool.Forward(finite, fast, windows, countIncludePad, null);
            Equal(average, fast, $"avg forward (count_include_pad {countIncludePad}) " + label);
            var averageGrad = new float[inputSize];
            AvgPool.Reference.Backward(gradOutput, averageGrad, windows, countIncludePad, null);
            var fastGrad = Enumerable.Repeat(float.NaN, inputSize).ToArray();
            AvgPool.Backward(gradOutput, fastGrad, windows, countIncludePad, null);
            Equal(averageGrad, fastGrad, $"avg backward (count_include_pad {countIncludePad}) " + label);
        }
    }
}
