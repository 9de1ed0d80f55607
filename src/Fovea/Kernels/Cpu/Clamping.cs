namespace Fovea.Kernels.Cpu;

/// <summary>Clamping to [low, high] and its gradient mask.</summary>
internal static class Clamping
{
    /// <summary>
    /// output = min(max(x, low), high), as torch.clamp: NaN stays NaN, and when low &gt; high every
    /// element becomes high.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, float low, float high, Span<float> output)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (v < low) v = low;
            if (v > high) v = high;
            output[i] = v;
        }
    }

    /// <summary>gradInput = grad where low &lt;= x &lt;= high (bounds included, as in PyTorch), else 0.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> grad, float low, float high, Span<float> gradInput)
    {
        for (int i = 0; i < x.Length; i++)
            gradInput[i] = x[i] >= low && x[i] <= high ? grad[i] : 0f;
    }
}
