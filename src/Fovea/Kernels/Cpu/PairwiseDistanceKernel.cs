namespace Fovea.Kernels.Cpu;

/// <summary>
/// Row-wise p-norm distance ||x1 - x2 + eps||_p (PyTorch's pairwise_distance). x1, x2: (rows, length) row-major;
/// distances: (rows). p is &gt; 0 or +∞.
/// </summary>
internal static class PairwiseDistanceKernel
{
    public static void Forward(ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, int rows, int length, float p, float eps,
        Span<float> distances)
    {
        for (int r = 0; r < rows; r++)
        {
            int offset = r * length;
            double accumulated = 0;
            for (int i = 0; i < length; i++)
            {
                double magnitude = Math.Abs(x1[offset + i] - x2[offset + i] + eps);
                if (float.IsPositiveInfinity(p)) accumulated = Math.Max(accumulated, magnitude);
                else accumulated += p == 1f ? magnitude : p == 2f ? magnitude * magnitude : Math.Pow(magnitude, p);
            }
            distances[r] = (float)(float.IsPositiveInfinity(p) || p == 1f ? accumulated
                : p == 2f ? Math.Sqrt(accumulated) : Math.Pow(accumulated, 1.0 / p));
        }
    }

    /// <summary>
    /// With v = x1 - x2 + eps and d = ||v||_p: ∂d/∂x1 = sign(v)·|v|^(p-1) / d^(p-1) (0 where d = 0), sign(v) for
    /// p = 1, and for p = ∞ sign(v) shared equally by the elements where |v| = d. ∂d/∂x2 = -∂d/∂x1.
    /// An empty gradient span is skipped.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> upstream, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> distances,
        int rows, int length, float p, float eps, Span<float> grad1, Span<float> grad2)
    {
        for (int r = 0; r < rows; r++)
        {
            int offset = r * length;
            double distance = distances[r], scale = upstream[r];
            int maxima = 0;
            if (float.IsPositiveInfinity(p))
                for (int i = 0; i < length; i++)
                    if (Math.Abs(x1[offset + i] - x2[offset + i] + eps) == distances[r]) maxima++;
            for (int i = 0; i < length; i++)
            {
                float difference = x1[offset + i] - x2[offset + i] + eps;
                double magnitude = Math.Abs(difference), sign = Math.Sign(difference), derivative;
                if (float.IsPositiveInfinity(p)) derivative = magnitude == distances[r] ? sign / maxima : 0;
                else if (p == 1f) derivative = sign;
                else if (distance == 0) derivative = 0;
                else if (p == 2f) derivative = difference / distance;
                else derivative = sign * Math.Pow(magnitude, p - 1) / Math.Pow(distance, p - 1);
                float grad = (float)(scale * derivative);
                if (!grad1.IsEmpty) grad1[offset + i] = grad;
                if (!grad2.IsEmpty) grad2[offset + i] = -grad;
            }
        }
    }
}
