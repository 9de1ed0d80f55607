using Fovea.Kernels.Cpu;
using static Fovea.PoolingSetup;

namespace Fovea;

// Average pooling (torch.nn.functional.avg_pool1d/2d/3d). One N-D implementation; the 1d/2d/3d names only
// turn their arguments into per-dimension arrays.
public static partial class F
{
    /// <summary>
    /// Mean over sliding windows. x: (N, C, L) or (C, L). stride defaults to kernel, padding to
    /// <see cref="Padding.Valid"/>. Padding is zeros; with <paramref name="countIncludePad"/> the padded
    /// positions count in the divisor (up to the end padding, as in PyTorch; this holds for
    /// <see cref="Padding.Same"/> and <see cref="Padding.Full"/> too), otherwise only input positions do.
    /// Explicit padding must be at most kernel/2 (PyTorch's rule).
    /// </summary>
    public static Tensor AvgPool1d(Tensor input, int kernel, int? stride = null, Padding? padding = null, bool ceilMode = false, bool countIncludePad = true) =>
        AvgPoolNd("AvgPool1d", input, [kernel], Repeat(stride, 1), padding, ceilMode, countIncludePad, null);

    /// <summary>Average pooling of x: (N, C, H, W) or (C, H, W) with a square window; <paramref name="divisorOverride"/> replaces
    /// the divisor of every window. See <see cref="AvgPool1d"/>.</summary>
    public static Tensor AvgPool2d(Tensor input, int kernel, int? stride = null, Padding? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNd("AvgPool2d", input, Repeat(kernel, 2), Repeat(stride, 2), padding, ceilMode, countIncludePad, divisorOverride);

    /// <summary>Average pooling of x: (N, C, H, W) or (C, H, W) with per-dimension sizes. See <see cref="AvgPool2d(Tensor, int, int?, Padding?, bool, bool, int?)"/>.</summary>
    public static Tensor AvgPool2d(Tensor input, (int Height, int Width) kernel, (int Height, int Width)? stride = null, Padding? padding = null,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNd("AvgPool2d", input, Sizes(kernel), Sizes(stride), padding, ceilMode, countIncludePad, divisorOverride);

    /// <summary>Average pooling of x: (N, C, D, H, W) or (C, D, H, W) with a cubic window. See <see cref="AvgPool2d(Tensor, int, int?, Padding?, bool, bool, int?)"/>.</summary>
    public static Tensor AvgPool3d(Tensor input, int kernel, int? stride = null, Padding? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNd("AvgPool3d", input, Repeat(kernel, 3), Repeat(stride, 3), padding, ceilMode, countIncludePad, divisorOverride);

    /// <summary>Average pooling of x: (N, C, D, H, W) or (C, D, H, W) with per-dimension sizes. See <see cref="AvgPool2d(Tensor, int, int?, Padding?, bool, bool, int?)"/>.</summary>
    public static Tensor AvgPool3d(Tensor input, (int Depth, int Height, int Width) kernel, (int Depth, int Height, int Width)? stride = null,
        Padding? padding = null, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNd("AvgPool3d", input, Sizes(kernel), Sizes(stride), padding, ceilMode, countIncludePad, divisorOverride);

    /// <summary>The avg pool of every spatial rank: kernel and stride have one entry per spatial dimension.</summary>
    internal static Tensor AvgPoolNd(string opName, Tensor input, int[] kernel, int[]? stride, Padding? padding, bool ceilMode,
        bool countIncludePad, int? divisorOverride)
    {
        CheckDivisorOverride(opName, divisorOverride);
        var (windows, outputShape) = Sliding(opName, input, kernel, stride ?? kernel, padding ?? Padding.Valid, Repeat(1, kernel.Length), ceilMode);
        return AverageOverWindows(opName, input, windows, outputShape, countIncludePad, divisorOverride);
    }

    internal static void CheckDivisorOverride(string opName, int? divisorOverride)
    {
        if (divisorOverride == 0)
            throw new ArgumentOutOfRangeException(nameof(divisorOverride), $"{opName}: divisorOverride must not be 0.");
    }

    /// <summary>Mean over each window (sliding or adaptive); the gradient is spread evenly over the window.</summary>
    internal static Tensor AverageOverWindows(string opName, Tensor input, PoolWindows windows, Shape outputShape, bool countIncludePad, int? divisorOverride)
    {
        var output = Tensor.NewStorage(outputShape.Size);
        AvgPool.Forward(input.Data, output, windows, countIncludePad, divisorOverride);
        var inputShape = input.Shape;
        return Tensor.Record(new Tensor(output, outputShape), opName, [input], grad =>
        {
            var gradInput = Tensor.NewStorage(inputShape.Size);
            AvgPool.Backward(grad.Data, gradInput, windows, countIncludePad, divisorOverride);
            return [new Tensor(gradInput, inputShape)];
        });
    }
}
