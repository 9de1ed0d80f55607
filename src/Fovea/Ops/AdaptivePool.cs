using Fovea.Kernels.Cpu;
using static Fovea.PoolingSetup;

namespace Fovea;

// Adaptive pooling (torch.nn.functional.adaptive_avg_pool2d / adaptive_max_pool2d): the output size is
// given and the windows follow from it (bins [floor(i·I/O), ceil((i+1)·I/O))).
public static partial class F
{
    /// <summary>Mean of each adaptive bin. x: (N, C, H, W) or (C, H, W) -> (N, C, outputHeight, outputWidth).</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputHeight, int outputWidth)
    {
        var (windows, outputShape) = Adaptive("AdaptiveAvgPool2d", input, [outputHeight, outputWidth]);
        return AverageOverWindows("AdaptiveAvgPool2d", input, windows, outputShape, countIncludePad: true, divisorOverride: null);
    }

    /// <summary>Mean of each adaptive bin with a square output (outputSize × outputSize).</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => AdaptiveAvgPool2d(input, outputSize, outputSize);

    /// <summary>Max of each adaptive bin (gradient to the first maximum). x: (N, C, H, W) or (C, H, W) -> (N, C, outputHeight, outputWidth).</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputHeight, int outputWidth)
    {
        var (windows, outputShape) = Adaptive("AdaptiveMaxPool2d", input, [outputHeight, outputWidth]);
        return MaxOverWindows("AdaptiveMaxPool2d", input, windows, outputShape);
    }

    /// <summary>Max of each adaptive bin with a square output (outputSize × outputSize).</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputSize) => AdaptiveMaxPool2d(input, outputSize, outputSize);

    internal static void CheckAdaptiveOutputSize(string opName, int[] outputSize)
    {
        foreach (int size in outputSize)
            if (size <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), $"{opName}: output size must be > 0 in every dimension, got {Shape.Format(outputSize)}.");
    }

    private static (PoolWindows Windows, Shape OutputShape) Adaptive(string opName, Tensor input, int[] outputSize)
    {
        CheckAdaptiveOutputSize(opName, outputSize);
        var (planes, spatial) = SplitInput(opName, input, outputSize.Length);
        if (spatial.Any(size => size == 0))
            throw new ArgumentException($"{opName}: input has shape {input.Shape}; every spatial dimension must be non-empty.", nameof(input));
        return (PoolWindows.Adaptive(planes, Lift(spatial, 1), Lift(outputSize, 1)), OutputShape(input, outputSize));
    }
}
