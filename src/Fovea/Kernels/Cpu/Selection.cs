namespace Fovea.Kernels.Cpu;

/// <summary>Elementwise choice between two same-shaped arrays by a 0/nonzero condition (torch.where).</summary>
internal static class Selection
{
    /// <summary>output[i] = condition[i] != 0 ? x[i] : y[i]. A NaN condition counts as true (nonzero).</summary>
    public static void Where(ReadOnlySpan<float> condition, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> output)
    {
        for (int i = 0; i < output.Length; i++) output[i] = condition[i] != 0 ? x[i] : y[i];
    }
}
