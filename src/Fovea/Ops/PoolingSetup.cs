using Fovea.Kernels.Cpu;

namespace Fovea;

/// <summary>
/// Argument checks and window geometry shared by every pooling op of every spatial rank (1, 2, 3):
/// inputs are (N, C, *spatial) or unbatched (C, *spatial); per-dimension arguments are arrays of
/// length spatialRank.
/// </summary>
internal static class PoolingSetup
{
    private static readonly string[] SpatialNames = ["L", "H, W", "D, H, W"];

    /// <summary>"(N, C, H, W) or (C, H, W)" for error messages.</summary>
    public static string ExpectedLayout(int spatialRank) =>
        $"(N, C, {SpatialNames[spatialRank - 1]}) or (C, {SpatialNames[spatialRank - 1]})";

    /// <summary>The same value for every spatial dimension.</summary>
    public static int[] Repeat(int value, int spatialRank) => Enumerable.Repeat(value, spatialRank).ToArray();
    public static int[]? Repeat(int? value, int spatialRank) => value is int v ? Repeat(v, spatialRank) : null;
    public static int[] Sizes((int Height, int Width) value) => [value.Height, value.Width];
    public static int[]? Sizes((int Height, int Width)? value) => value is { } v ? Sizes(v) : null;
    public static int[] Sizes((int Depth, int Height, int Width) value) => [value.Depth, value.Height, value.Width];
    public static int[]? Sizes((int Depth, int Height, int Width)? value) => value is { } v ? Sizes(v) : null;

    /// <summary>
    /// Checks kernel, stride, dilation (> 0, one per dimension) and padding (1 or spatialRank entries;
    /// explicit padding at most half the kernel, PyTorch's rule). Same and Full are the mission's modes
    /// and may pad more: their padding is −∞ for max pooling and zeros for avg pooling.
    /// </summary>
    public static void ValidateArguments(string opName, int spatialRank, int[] kernel, int[] stride, Padding padding, int[] dilation)
    {
        CheckPositive(opName, nameof(kernel), kernel, spatialRank);
        CheckPositive(opName, nameof(stride), stride, spatialRank);
        CheckPositive(opName, nameof(dilation), dilation, spatialRank);
        ArgumentNullException.ThrowIfNull(padding);
        padding.Validate(spatialRank);
        if (padding.Kind != Padding.PaddingKind.Explicit) return;
        for (int i = 0; i < spatialRank; i++)
        {
            var (start, end) = padding.Resolve(i, 0, kernel[i], stride[i], dilation[i]);
            if (start > kernel[i] / 2 || end > kernel[i] / 2)
                throw new ArgumentException(
                    $"{opName}: padding {padding} should be at most half of the kernel size {Shape.Format(kernel)} in every dimension (dimension {i}: padding ({start}, {end}), kernel {kernel[i]}). Use Padding.Same or Padding.Full for larger padding.",
                    nameof(padding));
        }
    }

    private static void CheckPositive(string opName, string name, int[] values, int spatialRank)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Length != spatialRank)
            throw new ArgumentException($"{opName}: {name} has {values.Length} entries {Shape.Format(values)}; a {spatialRank}-D pool needs {spatialRank}.", name);
        foreach (int v in values)
            if (v <= 0) throw new ArgumentOutOfRangeException(name, $"{opName}: {name} must be > 0 in every dimension, got {Shape.Format(values)}.");
    }

    /// <summary>
    /// Checks that <paramref name="input"/> is (N, C, *spatial) or (C, *spatial) and splits it into
    /// planes (N·C, or C) and the spatial sizes.
    /// </summary>
    public static (int Planes, int[] Spatial) SplitInput(string opName, Tensor input, int spatialRank)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != spatialRank + 1 && input.Rank != spatialRank + 2)
            throw new ArgumentException($"{opName}: input has shape {input.Shape}, expected {ExpectedLayout(spatialRank)}.", nameof(input));
        int leading = input.Rank - spatialRank, planes = 1;
        for (int i = 0; i < leading; i++) planes *= input.Shape[i];
        return (planes, input.Shape.Dims[leading..].ToArray());
    }

    /// <summary>The input's leading (N, C) or (C) dimensions followed by <paramref name="spatialOutput"/>.</summary>
    public static Shape OutputShape(Tensor input, int[] spatialOutput) =>
        new([.. input.Shape.Dims[..(input.Rank - spatialOutput.Length)], .. spatialOutput]);

    /// <summary>Pads a per-dimension array on the left with <paramref name="fill"/> up to the kernels' rank 3.</summary>
    public static int[] Lift(int[] values, int fill)
    {
        var lifted = Enumerable.Repeat(fill, PoolWindows.Rank).ToArray();
        values.CopyTo(lifted, PoolWindows.Rank - values.Length);
        return lifted;
    }

    /// <summary>
    /// Validates everything, resolves the padding per dimension (<see cref="Padding.Resolve"/>), sizes the
    /// output (<see cref="WindowGeometry.OutputSize"/>, which applies PyTorch's ceil_mode rule) and builds the windows. A
    /// kernel larger than the padded input is an error, except with ceil_mode when a window still starts inside it.
    /// </summary>
    public static (PoolWindows Windows, Shape OutputShape) Sliding(string opName, Tensor input, int[] kernel, int[] stride,
        Padding padding, int[] dilation, bool ceilMode)
    {
        int spatialRank = kernel.Length;
        ValidateArguments(opName, spatialRank, kernel, stride, padding, dilation);
        var (planes, spatial) = SplitInput(opName, input, spatialRank);
        var (output, start, end) = (new int[spatialRank], new int[spatialRank], new int[spatialRank]);
        for (int i = 0; i < spatialRank; i++)
        {
            (start[i], end[i]) = padding.Resolve(i, spatial[i], kernel[i], stride[i], dilation[i]);
            int effectiveKernel = dilation[i] * (kernel[i] - 1) + 1, paddedInput = spatial[i] + start[i] + end[i];
            // With ceil_mode a window may hang past the end (PyTorch), as long as one starts inside: WindowGeometry checks that.
            if (effectiveKernel > paddedInput && (!ceilMode || WindowGeometry.OutputSizeOrZero(spatial[i], kernel[i], stride[i], start[i], end[i], dilation[i], ceilMode: true) < 1))
                throw new ArgumentException(
                    $"{opName}: kernel {Shape.Format(kernel)} (effective size {effectiveKernel} in dimension {i}) is larger than the padded input (size {spatial[i]} + padding {start[i]} + {end[i]} = {paddedInput}); input shape {input.Shape}.",
                    nameof(kernel));
            output[i] = WindowGeometry.OutputSize(spatial[i], kernel[i], stride[i], start[i], end[i], dilation[i], ceilMode);
        }
        var windows = PoolWindows.Sliding(planes, Lift(spatial, 1), Lift(output, 1), Lift(kernel, 1), Lift(stride, 1),
            Lift(dilation, 1), Lift(start, 0), Lift(end, 0));
        return (windows, OutputShape(input, output));
    }
}
