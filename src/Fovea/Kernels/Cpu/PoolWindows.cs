namespace Fovea.Kernels.Cpu;

/// <summary>The input positions First, First + Step, ... below End that one window covers along one axis,
/// and the window's length counting padding (the avg-pool divisor with count_include_pad).</summary>
internal readonly record struct AxisWindow(int First, int End, int Step, int PaddedLength)
{
    public int Count => First < End ? (End - First + Step - 1) / Step : 0;
}

/// <summary>
/// Every pooling window of an input viewed as (planes, D, H, W) with planes = N·C. Pools of spatial
/// rank 1 and 2 are lifted to rank 3 by leading axes of size 1 (one window of size 1), so one set of
/// kernels serves 1-D, 2-D and 3-D pools, sliding or adaptive. Built by the op layer; kernels only read it.
/// </summary>
internal sealed class PoolWindows
{
    public const int Rank = 3;

    private PoolWindows(int planes, int[] input, AxisWindow[][] axes)
    {
        Planes = planes;
        Input = input;
        Axes = axes;
        IsTwoByTwoStrideTwo = IsUnitAxis(axes[0]) && IsPairAxis(axes[1]) && IsPairAxis(axes[2]);
    }

    public int Planes { get; }
    /// <summary>Input size per lifted axis [D, H, W].</summary>
    public int[] Input { get; }
    /// <summary>Axes[axis][outputIndex]: the window of that output position along that axis.</summary>
    public AxisWindow[][] Axes { get; }

    public int InputPlaneSize => Input[0] * Input[1] * Input[2];

    /// <summary>
    /// Every H and W window is [2i, 2i + 2) and every D window is [i, i + 1): the 2x2, stride-2, unpadded pool
    /// that most networks use, which the fast kernels vectorise.
    /// </summary>
    public bool IsTwoByTwoStrideTwo { get; }

    private static bool IsUnitAxis(AxisWindow[] axis)
    {
        for (int i = 0; i < axis.Length; i++)
            if (axis[i].First != i || axis[i].End != i + 1) return false;
        return true;
    }

    private static bool IsPairAxis(AxisWindow[] axis)
    {
        for (int i = 0; i < axis.Length; i++)
            if (axis[i].First != 2 * i || axis[i].End != 2 * i + 2 || axis[i].Step != 1) return false;
        return true;
    }
    public int OutputPlaneSize => Axes[0].Length * Axes[1].Length * Axes[2].Length;

    /// <summary>
    /// Sliding windows: output i starts at i·stride − paddingStart and covers kernel positions spaced by
    /// dilation. Positions in padding are dropped (max pool: padding is −∞ and never wins; avg pool: it
    /// adds zero). The padded length stops at the end padding, as in PyTorch's avg_pool.
    /// </summary>
    public static PoolWindows Sliding(int planes, int[] input, int[] output, int[] kernel, int[] stride, int[] dilation,
        int[] paddingStart, int[] paddingEnd)
    {
        var axes = new AxisWindow[Rank][];
        for (int axis = 0; axis < Rank; axis++)
        {
            axes[axis] = new AxisWindow[output[axis]];
            for (int i = 0; i < output[axis]; i++)
            {
                int start = i * stride[axis] - paddingStart[axis];
                int end = Math.Min(start + (kernel[axis] - 1) * dilation[axis] + 1, input[axis]);
                int first = start;
                // Step over padding in whole dilation steps so that the window stays on its own grid.
                while (first < 0) first += dilation[axis];
                int paddedEnd = Math.Min(start + (kernel[axis] - 1) * dilation[axis] + 1, input[axis] + paddingEnd[axis]);
                axes[axis][i] = new AxisWindow(first, end, dilation[axis], paddedEnd - start);
            }
        }
        return new PoolWindows(planes, input, axes);
    }

    /// <summary>
    /// Adaptive bins: output i of an axis of input size I and output size O covers
    /// [floor(i·I/O), ceil((i+1)·I/O)), PyTorch's bins (they overlap when O does not divide I).
    /// </summary>
    public static PoolWindows Adaptive(int planes, int[] input, int[] output)
    {
        var axes = new AxisWindow[Rank][];
        for (int axis = 0; axis < Rank; axis++)
        {
            axes[axis] = new AxisWindow[output[axis]];
            for (int i = 0; i < output[axis]; i++)
            {
                int start = (int)((long)i * input[axis] / output[axis]);
                int end = (int)(((long)(i + 1) * input[axis] + output[axis] - 1) / output[axis]);
                axes[axis][i] = new AxisWindow(start, end, 1, end - start);
            }
        }
        return new PoolWindows(planes, input, axes);
    }
}
