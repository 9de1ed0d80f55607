namespace Fovea;

/// <summary>
/// Output size of a sliding window (convolution or pooling) along one dimension:
/// O = floor((I − F_eff + P_start + P_end) / S) + 1, with F_eff = d·(F − 1) + 1 (MISSION.md §2).
/// </summary>
public static class WindowGeometry
{
    public static int OutputSize(int input, int kernel, int stride, int paddingStart, int paddingEnd, int dilation = 1, bool ceilMode = false) =>
        Compute(input, kernel, stride, paddingStart, paddingEnd, dilation, ceilMode, throwIfEmpty: true);

    /// <summary><see cref="OutputSize"/>, but 0 instead of the error when no window fits.</summary>
    internal static int OutputSizeOrZero(int input, int kernel, int stride, int paddingStart, int paddingEnd, int dilation, bool ceilMode) =>
        Compute(input, kernel, stride, paddingStart, paddingEnd, dilation, ceilMode, throwIfEmpty: false);

    private static int Compute(int input, int kernel, int stride, int paddingStart, int paddingEnd, int dilation, bool ceilMode, bool throwIfEmpty)
    {
        if (input < 0) throw new ArgumentOutOfRangeException(nameof(input), $"input size must be >= 0, got {input}.");
        if (kernel <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be > 0, got {kernel}.");
        if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be > 0, got {stride}.");
        if (dilation <= 0) throw new ArgumentOutOfRangeException(nameof(dilation), $"dilation must be > 0, got {dilation}.");
        if (paddingStart < 0 || paddingEnd < 0) throw new ArgumentOutOfRangeException("padding", $"padding must be >= 0, got ({paddingStart}, {paddingEnd}).");
        int effectiveKernel = dilation * (kernel - 1) + 1;
        int span = input + paddingStart + paddingEnd - effectiveKernel;
        // With ceil_mode (pooling), PyTorch lets windows hang past the end, even a first window longer than the padded
        // input (torchvision's GoogLeNet pools a 2x2 map with 3x3 windows at 15x15 input): floor division, then the rule
        // below. Without it, or when not even one window starts inside, the kernel must fit.
        int output = ceilMode ? (int)Math.Floor((double)(span + stride - 1) / stride) + 1 : span < 0 ? 0 : span / stride + 1;
        // PyTorch's rule: the last window must start inside the input or the start padding.
        if (ceilMode && (output - 1) * stride >= input + paddingStart) output--;
        if (output < 1 && !throwIfEmpty) return 0;
        if (output < 1)
            throw new ArgumentException($"kernel {kernel} (effective {effectiveKernel} with dilation {dilation}) is larger than the padded input {input} + {paddingStart} + {paddingEnd} = {input + paddingStart + paddingEnd}{(ceilMode ? " and no window starts inside it" : "")}.", nameof(kernel));
        return output;
    }
}
