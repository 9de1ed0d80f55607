using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.ConvolutionKernelTests;

namespace Fovea.Tests.Kernels;

/// <summary>
/// Convolutions of fewer samples than worker threads, which split each sample into bands of output rows (the GEMM
/// lowering) or of tile rows (Winograd), one task per band: batch 1 and batch &lt; threads, with 3 and 4 workers
/// (bands that do not divide the rows evenly), odd spatial sizes, groups and the pointwise case, fast against reference.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class SmallBatchConvolutionTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 1)]
    [InlineData(4, 3)]
    public void LoweringSplitsSamplesIntoBands(int threads, int batch)
    {
        WithThreads(threads, () =>
        {
            // Through the dispatch (2-D layers of one group go to the implicit kernel) and the lowering's forward called directly.
            foreach (var (g, label) in new[]
            {
                (Geometry(batch, 3, 8, 1, [61, 67], [7, 7], [2, 2], [1, 1], [3, 3], [3, 3]), "7x7 stride 2 (a ResNet stem)"),
                (Geometry(batch, 9, 12, 1, [37, 29], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1]), "3x3 stride 2"),
                (Geometry(batch, 8, 12, 2, [33, 35], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "3x3 groups 2"),
                (Geometry(batch, 16, 32, 1, [41, 39], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]), "1x1 pointwise"),
                (Geometry(batch, 5, 7, 1, [6, 19, 21], [3, 3, 3], [1, 2, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]), "3-D"),
                // Rows too short for more than one band of the minimum width: one band each, its output channels split in blocks.
                (Geometry(batch, 64, 50, 1, [7, 7], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "7x7 deep"),
                (Geometry(batch, 32, 66, 2, [7, 5], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "7x5 deep, groups 2"),
                (Geometry(batch, 64, 40, 1, [13, 14], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1]), "stride 2 to 7x7 deep"),
            })
            {
                Check(g, label);
                CheckLoweredForward(g, label);
            }
        });
    }

    /// <summary>The GEMM lowering's forward pass (bias and ReLU included) called directly, against the reference.</summary>
    private static void CheckLoweredForward(ConvolutionGeometry g, string label) =>
        CheckForward(g, "lowered " + label, Convolution.LoweredForward, withBiasOnly: true);

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 1)]
    [InlineData(4, 3)]
    public void WinogradSplitsSamplesIntoTileRowBands(int threads, int batch)
    {
        WithThreads(threads, () =>
        {
            CheckWinograd(Geometry(batch, 16, 17, 1, [45, 38], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "odd height");
            CheckWinograd(Geometry(batch, 17, 16, 1, [30, 51], [3, 3], [1, 1], [1, 1], [0, 0], [0, 0]), "unpadded, odd width");
            CheckWinograd(Geometry(batch, 32, 33, 1, [13, 15], [3, 3], [1, 1], [1, 1], [1, 1], [1, 1]), "few tiles");
            // Through the dispatch, with enough tiles for Winograd.
            var g = Geometry(batch, Convolution.Winograd.MinimumChannels, Convolution.Winograd.MinimumChannels + 1, 1, [29, 27], [3, 3],
                [1, 1], [1, 1], [1, 1], [1, 1]);
            Assert.True(Convolution.Winograd.Computes(g) && Convolution.Winograd.Pays(g));
            Check(g, "dispatched");
        });
    }

    private static void WithThreads(int threads, Action body)
    {
        int saved = CpuThreads.Count;
        try
        {
            CpuThreads.Count = threads;
            body();
        }
        finally { CpuThreads.Count = saved; }
    }
}
