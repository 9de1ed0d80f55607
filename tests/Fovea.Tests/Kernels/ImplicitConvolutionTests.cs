using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.ConvolutionKernelTests;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// The implicit-GEMM forward convolution (padded phase planes read in place, weights unpacked) against
/// Convolution.Reference: every height and width from 1 to 33 (2 × a Vector512's 16 floats + 1), stride 1 and 2,
/// kernels 1 to 7 with even and odd, symmetric and asymmetric padding, output channel counts around the 6-row tile,
/// enough input channels for several passes over the taps, and 1 to 3 worker threads (splits by channels and by positions);
/// each with bias + ReLU and with a whole epilogue (scale, shift, residual, ReLU).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class ImplicitConvolutionTests
{
    public static TheoryData<int, int, int> Windows()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int stride in new[] { 1, 2 })
            foreach (var (kernel, padding) in new[] { (1, 0), (2, 1), (3, 1), (3, 0), (5, 2), (7, 3) })
                data.Add(stride, kernel, padding);
        return data;
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void EveryHeightAndWidthUpTo33(int stride, int kernel, int padding)
    {
        for (int size = 1; size <= 33; size++)
        {
            if (size + 2 * padding < kernel) continue;
            // Asymmetric padding (start ≠ end) on one side, the other as given; 1 to 7 output channels (below and across 6).
            CheckImplicit(Geometry(1, 2, 1 + size % 7, 1, [size, 9], [kernel, kernel], [stride, stride], [1, 1], [padding, padding],
                [padding, Math.Max(0, padding - 1)]), $"H={size}");
            CheckImplicit(Geometry(2, 3, 1 + (size + 3) % 7, 1, [8, size], [kernel, kernel], [stride, stride], [1, 1],
                [Math.Max(0, padding - 1), padding], [padding, padding]), $"W={size}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ResNetShapesOverWorkers(int threads)
    {
        int saved = CpuThreads.Count;
        try
        {
            CpuThreads.Count = threads;
            // Deep layers (split by channels, several passes over the taps) and wide ones (split by positions).
            CheckImplicit(Geometry(1, 67, 13, 1, [7, 7], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "7x7, 603 taps");
            CheckImplicit(Geometry(1, 64, 20, 1, [13, 14], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1]), "stride 2 to 7x7");
            CheckImplicit(Geometry(1, 3, 16, 1, [61, 67], [7, 7], [2, 2], [1, 1], [3, 3], [3, 3]), "7x7 stride 2 stem");
            // Enough output channels that a band holds fewer rows than the image: several bands, the last one shorter.
            CheckImplicit(Geometry(1, 4, 64, 1, [110, 100], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "bands of 40, 40 and 30 rows");
            CheckImplicit(Geometry(1, 8, 9, 1, [35, 33], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "3x3 wide");
            CheckImplicit(Geometry(2, 24, 32, 1, [13, 11], [1, 1], [2, 2], [1, 1], [0, 0], [0, 0]), "1x1 stride 2");
            // Through the dispatch at batch 1.
            var g = Geometry(1, 16, 24, 1, [14, 14], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]);
            Assert.True(Convolution.Implicit.Computes(g) && Convolution.Implicit.Pays(g));
            Check(g, "dispatched");
        }
        finally { CpuThreads.Count = saved; }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void PaddingWiderThanTheKernel(int stride)
    {
        // Output rows and columns that read only padding; input columns and rows no output reads.
        for (int size = 1; size <= 9; size++)
        {
            CheckImplicit(Geometry(1, 2, 5, 1, [size, size + 2], [3, 3], [stride, stride], [1, 1], [4, 0], [0, 4]), $"start 4 / end 0, {size}");
            CheckImplicit(Geometry(1, 2, 7, 1, [size + 3, size], [3, 2], [stride, stride], [1, 1], [0, 5], [5, 1]), $"start 0 / end 5, {size}");
        }
    }

    [Fact]
    public void PaysAtBatchOneAndOnWideLayersAtLargerBatches()
    {
        int saved = CpuThreads.Count;
        try
        {
            CpuThreads.Count = 2;
            Assert.True(Convolution.Implicit.Pays(Geometry(8, 3, 64, 1, [224, 224], [7, 7], [2, 2], [1, 1], [3, 3], [3, 3])), "7x7 stem");
            Assert.True(Convolution.Implicit.Pays(Geometry(64, 6, 16, 1, [14, 14], [5, 5], [1, 1], [1, 1], [0, 0], [0, 0])), "LeNet conv2");
            Assert.False(Convolution.Implicit.Pays(Geometry(16, 128, 256, 1, [28, 28], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1])), "to 14x14");
            Assert.False(Convolution.Implicit.Pays(Geometry(16, 256, 512, 1, [14, 14], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1])), "to 7x7");
            Assert.False(Convolution.Implicit.Pays(Geometry(16, 512, 512, 1, [7, 7], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1])), "7x7");
            Assert.False(Convolution.Implicit.Pays(Geometry(16, 256, 512, 1, [14, 14], [1, 1], [2, 2], [1, 1], [0, 0], [0, 0])), "1x1 stride 2");
            // Fewer images than workers: always, except an unpadded 1x1 stride-1 layer (the lowering multiplies its input in place).
            Assert.True(Convolution.Implicit.Pays(Geometry(1, 512, 512, 1, [7, 7], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1])), "7x7, one image");
            Assert.True(Convolution.Implicit.Pays(Geometry(1, 256, 512, 1, [14, 14], [1, 1], [2, 2], [1, 1], [0, 0], [0, 0])), "1x1 stride 2, one image");
            Assert.False(Convolution.Implicit.Pays(Geometry(1, 256, 64, 1, [56, 56], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0])), "1x1, one image");
        }
        finally { CpuThreads.Count = saved; }
    }

    [Fact]
    public void RejectsWhatItDoesNotCompute()
    {
        Assert.False(Convolution.Implicit.Computes(Geometry(1, 4, 4, 2, [9, 9], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1])));
        Assert.False(Convolution.Implicit.Computes(Geometry(1, 4, 4, 1, [9, 9], [3, 3], [1, 1], [2, 2], [2, 2], [2, 2])));
        Assert.False(Convolution.Implicit.Computes(Geometry(1, 4, 4, 1, [9, 9], [3, 3], [3, 3], [1, 1], [1, 1], [1, 1])));
        Assert.False(Convolution.Implicit.Computes(Geometry(1, 4, 4, 1, [9, 9], [3, 3], [1, 2], [1, 1], [1, 1], [1, 1])));
        Assert.False(Convolution.Implicit.Computes(Geometry(1, 4, 4, 1, [5, 9, 9], [3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1])));
    }

    /// <summary>The implicit forward kernel called directly, without and with bias + ReLU and with an epilogue, against the reference.</summary>
    private static void CheckImplicit(ConvolutionGeometry g, string label)
    {
        Assert.True(Convolution.Implicit.Computes(g), label);
        CheckForward(g, "implicit " + label, Convolution.Implicit.Forward);

        // With a folded batch norm, a residual and ReLU applied to each row as it leaves the grid.
        var random = new Generator((ulong)(g.InputSize * 11 + g.WeightSize));
        var (x, w) = (Values(random, g.InputSize), Values(random, g.WeightSize));
        var (scale, shift, residual) = (Values(random, g.OutChannels), Values(random, g.OutChannels), Values(random, g.OutputSize));
        var epilogue = new ConvolutionEpilogue(scale, shift, residual, ConvolutionActivation.Relu, g.OutChannels, g.Output.Product);
        var workspace = new float[g.WorkspaceSize];
        var (expected, magnitude) = (new float[g.OutputSize], new float[g.OutputSize]);
        Convolution.Reference.Forward(g, x, w, expected, workspace);
        Convolution.Reference.Forward(g, Abs(x), Abs(w), magnitude, workspace);
        ConvolutionEpilogue.Reference.Apply(epilogue, expected, g.Batch);
        var magnitudeEpilogue = new ConvolutionEpilogue(Abs(scale), Abs(shift), Abs(residual), ConvolutionActivation.None, g.OutChannels, g.Output.Product);
        ConvolutionEpilogue.Reference.Apply(magnitudeEpilogue, magnitude, g.Batch);
        var actual = NaNs(g.OutputSize);
        Convolution.Implicit.Forward(g, x, w, epilogue, actual);
        Close(expected, actual, magnitude, $"implicit forward + epilogue {label} [{g}]");
    }
}
