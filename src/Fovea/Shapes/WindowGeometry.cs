namespace Fovea;

/// <summary>
/// Output size of a sliding window (convolution or pooling) along one dimension:
/// O = floor((I − F_eff + P_start + P_end) / S) + 1, with F_eff = d·(F − 1) + 1 (MISSION.md §2).
/// </summary>
public static class WindowGeometry
{
    public static int OutputSize(int input, int kernel, int stride, int paddingStart, int paddingEnd, int dilation = 1, bool ceilMode = false)
    {
        if (input < 0) throw new ArgumentOutOfRangeException(nameof(input), $"input size must be >= 0, got {input}.");
        if (kernel <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be > 0, got {kernel}.");
        if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be > 0, got {stride}.");
        if (dilation <= 0) throw new ArgumentOutOfRangeException(nameof(dilation), $"dilation must be > 0, got {dilation}.");
        if (paddingStart < 0 || paddingEnd < 0) throw new ArgumentOutOfRangeException("padding", $"padding must be >= 0, got ({paddingStart}, {paddingEnd}).");
        int effectiveKernel = dilation * (kernel - 1) + 1;
        int span = input + paddingStart + paddingEnd - effectiveKernel;
        if (span < 0)
            throw new ArgumentException($"kernel {kernel} (effective {effectiveKernel} with dilation {dilation}) is larger than the padded input {input} + {paddingStart} + {paddingEnd} = {input + paddingStart + paddingEnd}.", nameof(kernel));
        if (!ceilMode) return span / stride + 1;
        int output = (span + stride - 1) / stride + 1;
        // PyTorch's rule: the last window must start inside the input or the start padding.
        if ((output - 1) * stride >= input + paddingStart) output--;
        return output;
    }
}
