using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.ConvolutionKernelTests;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// VolumeColumns.VolumeToColumns against VolumeColumns.Reference entry for entry, for the stride-2-along-the-width path
/// that splits each input row into its even and odd columns (and the other paths beside it): every input width from 1 to
/// 35 (odd widths leave one even column unpaired; 32+ columns use whole vectors of the split), a ResNet-like stem, dilation,
/// even kernels, asymmetric padding, 3-D, rows wider than the stack buffer, bands of output rows, and samples side by side
/// (column offset and leading dimension larger than one band).
/// </summary>
public sealed class VolumeColumnsKernelTests
{
    [Theory]
    [InlineData(7, 2, 3, 1)] // the ResNet stem's taps
    [InlineData(3, 2, 1, 1)] // 3x3 stride 2 down-sampling
    [InlineData(2, 2, 0, 1)] // even kernel, unpadded
    [InlineData(3, 2, 2, 2)] // dilation 2: every tap reads the even columns
    [InlineData(4, 2, 1, 3)] // odd dilation: taps alternate between even and odd columns
    [InlineData(1, 2, 0, 1)] // 1-wide kernel: the gathering loop
    [InlineData(3, 3, 1, 1)] // stride 3: the gathering loop
    [InlineData(3, 1, 1, 1)] // stride 1
    public void EveryWidthUpTo35(int kernel, int stride, int padding, int dilation)
    {
        for (int width = 1; width <= 35; width++)
        {
            if (width + 2 * padding < dilation * (kernel - 1) + 1) continue;
            Check(Geometry(1, 3, 4, 1, [9, width], [3, kernel], [2, stride], [1, dilation], [1, padding], [1, padding]), $"W={width}");
        }
    }

    [Fact]
    public void StemAsymmetricPaddingThreeDimensionsAndWideRows()
    {
        Check(Geometry(1, 3, 64, 1, [45, 58], [7, 7], [2, 2], [1, 1], [3, 3], [3, 3]), "stem");
        Check(Geometry(1, 2, 4, 1, [11, 21], [3, 5], [2, 2], [1, 1], [0, 4], [2, 0]), "asymmetric padding");
        Check(Geometry(1, 2, 4, 1, [5, 7, 19], [3, 3, 3], [2, 1, 2], [1, 1, 1], [1, 1, 1], [1, 1, 1]), "3-D");
        Check(Geometry(1, 2, 4, 2, [6, 9, 17], [2, 3, 4], [1, 2, 2], [2, 1, 1], [1, 0, 2], [0, 1, 1]), "3-D grouped, depth dilation");
        Check(Geometry(1, 1, 2, 1, [3, 4099], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1]), "rows wider than the stack buffer");
    }

    /// <summary>
    /// Lowers the geometry whole (one band), in bands of every height from 1 to 3 output rows, and with two samples side by
    /// side, each against the reference column matrix; entries outside the lowered block must stay untouched.
    /// </summary>
    private static void Check(ConvolutionGeometry g, string label)
    {
        var random = new Generator((ulong)(g.Input.Product * 31 + g.Kernel.Product));
        int volumeSize = g.InChannelsPerGroup * g.Input.Product, rows = g.ColumnRows, positions = g.ColumnCount;
        var (first, second) = (Values(random, volumeSize), Values(random, volumeSize));
        var (expectedFirst, expectedSecond) = (new float[rows * positions], new float[rows * positions]);
        VolumeColumns.Reference.VolumeToColumns(g, first, expectedFirst);
        VolumeColumns.Reference.VolumeToColumns(g, second, expectedSecond);
        var taps = new VolumeColumns.TapTable(g);
        int outputRows = g.Output.Depth * g.Output.Height, width = g.Output.Width;
        foreach (int bandRows in new[] { outputRows, 1, 2, 3 })
            for (int firstRow = 0; firstRow < outputRows; firstRow += bandRows)
            {
                int endRow = Math.Min(outputRows, firstRow + bandRows), band = (endRow - firstRow) * width;
                // Two samples side by side, a sentinel column after them: (rows, 2·band + 1).
                int leadingDimension = 2 * band + 1;
                var columns = new float[rows * leadingDimension];
                Array.Fill(columns, float.NaN);
                VolumeColumns.VolumeToColumns(g, taps, first, columns, leadingDimension, 0, firstRow, endRow);
                VolumeColumns.VolumeToColumns(g, taps, second, columns, leadingDimension, band, firstRow, endRow);
                for (int row = 0; row < rows; row++)
                {
                    string where = $"{label} [{g}] rows [{firstRow}, {endRow}) tap row {row}";
                    var line = columns.AsSpan(row * leadingDimension, leadingDimension);
                    Equal(expectedFirst.AsSpan(row * positions + firstRow * width, band), line[..band], where + " sample 0");
                    Equal(expectedSecond.AsSpan(row * positions + firstRow * width, band), line.Slice(band, band), where + " sample 1");
                    Assert.True(float.IsNaN(line[2 * band]), $"{where}: wrote past its block.");
                }
            }
    }
}
