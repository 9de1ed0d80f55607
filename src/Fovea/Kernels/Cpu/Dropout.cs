namespace Fovea.Kernels.Cpu;

/// <summary>Reference inverted-dropout mask.</summary>
internal static class Dropout
{
    /// <summary>mask[i] = 1/(1 − p) with probability 1 − p (kept), else 0 (dropped); p = 1 drops everything.</summary>
    public static void FillMask(Span<float> mask, float p, Generator generator)
    {
        float keptValue = p < 1f ? 1f / (1f - p) : 0f;
        for (int i = 0; i < mask.Length; i++) mask[i] = generator.NextFloat() >= p ? keptValue : 0f;
    }
}
