namespace Fovea.Kernels.Cpu;

internal static partial class BatchNorm
{
    /// <summary>
    /// Reference batch-normalisation kernels. x: (N, C, S) where S is the product of the spatial sizes
    /// (1 for (N, C) input), so BatchNorm1d and BatchNorm2d share them. Statistics are per channel over
    /// the M = N·S values of that channel, accumulated in double. Single-threaded; the fast kernels of
    /// <see cref="BatchNorm"/> are tested against them.
    /// </summary>
    internal static class Reference
    {
        /// <summary>Per-channel mean and biased variance (Σ(x − mean)² / M), in two passes.</summary>
        public static void MeanVariance(ReadOnlySpan<float> x, int batch, int channels, int spatial, Span<double> mean, Span<double> variance)
        {
            int count = batch * spatial;
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++)
                    foreach (float v in x.Slice((n * channels + c) * spatial, spatial)) sum += v;
                double m = sum / count, squares = 0;
                for (int n = 0; n < batch; n++)
                    foreach (float v in x.Slice((n * channels + c) * spatial, spatial)) squares += (v - m) * (v - m);
                mean[c] = m;
                variance[c] = squares / count;
            }
        }

        /// <summary>
        /// y = x·scale[c] + shift[c] (scale = γ/√(var + ε), shift = β − mean·scale), then + residual (same layout as x;
        /// empty: none), then max(y, 0) when <paramref name="relu"/> (NaN stays NaN, as ReLU's kernel).
        /// </summary>
        public static void Affine(ReadOnlySpan<float> x, int batch, int channels, int spatial, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y,
            ReadOnlySpan<float> residual = default, bool relu = false)
        {
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < channels; c++)
                {
                    int offset = (n * channels + c) * spatial;
                    float a = scale[c], b = shift[c];
                    for (int s = offset; s < offset + spatial; s++)
                    {
                        float value = x[s] * a + b;
                        if (!residual.IsEmpty) value += residual[s];
                        y[s] = relu ? MathF.Max(value, 0f) : value;
                    }
                }
        }

        /// <summary>Per channel Σ g and Σ g·x̂ with x̂ = (x − mean)·invStd: the gradients of β and γ.</summary>
        public static void GradientSums(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOutput, int batch, int channels, int spatial,
            ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<double> sumGrad, Span<double> sumGradNormalized)
        {
            sumGrad.Clear();
            sumGradNormalized.Clear();
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < channels; c++)
                {
                    int offset = (n * channels + c) * spatial;
                    double g = 0, gx = 0;
                    for (int s = offset; s < offset + spatial; s++)
                    {
                        g += gradOutput[s];
                        gx += gradOutput[s] * (x[s] - mean[c]) * invStd[c];
                    }
                    sumGrad[c] += g;
                    sumGradNormalized[c] += gx;
                }
        }

        /// <summary>
        /// Gradient of x. With batch statistics (training) the statistics depend on x too:
        /// dx = γ·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M); with fixed (running) statistics dx = γ·invStd·g.
        /// <paramref name="weight"/> is empty when the layer has no affine weight (γ = 1).
        /// </summary>
        public static void InputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOutput, int batch, int channels, int spatial,
            ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, ReadOnlySpan<float> weight, ReadOnlySpan<double> sumGrad,
            ReadOnlySpan<double> sumGradNormalized, bool batchStatistics, Span<float> gradInput)
        {
            int count = batch * spatial;
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < channels; c++)
                {
                    int offset = (n * channels + c) * spatial;
                    float scale = invStd[c] * (weight.IsEmpty ? 1f : weight[c]);
                    float meanGrad = batchStatistics ? (float)(sumGrad[c] / count) : 0f;
                    float meanGradNormalized = batchStatistics ? (float)(sumGradNormalized[c] / count) : 0f;
                    for (int s = offset; s < offset + spatial; s++)
                    {
                        float normalized = (x[s] - mean[c]) * invStd[c];
                        gradInput[s] = scale * (gradOutput[s] - meanGrad - normalized * meanGradNormalized);
                    }
                }
        }
    }
}
