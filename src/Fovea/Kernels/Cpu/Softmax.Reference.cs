using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

internal static partial class Softmax
{
    /// <summary>
    /// Reference softmax / log-softmax kernels (single-threaded; the fast kernels of <see cref="Softmax"/> are tested against them). The tensor is viewed as (outer, length, inner) and the
    /// op runs along the middle axis: element (o, a, i) sits at (o·length + a)·inner + i. Numerically
    /// stable: the maximum of each slice is subtracted before exponentiating.
    /// </summary>
    internal static class Reference
    {
        /// <summary>
        /// y = softmax(x) or, with <paramref name="log"/>, y = log_softmax(x) = (x − max) − log Σ e^(x − max),
        /// subtracted in that order (as PyTorch does) so that large inputs lose no precision.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, int outer, int length, int inner, bool log)
        {
            if (length == 0) return;
            if (inner == 1)
            {
                // Contiguous slices (softmax over the last dimension): vectorised.
                for (int o = 0; o < outer; o++)
                {
                    var row = x.Slice(o * length, length);
                    var result = y.Slice(o * length, length);
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, result);
                    TensorPrimitives.Exp(result, result);
                    float sum = TensorPrimitives.Sum(result);
                    if (log)
                    {
                        TensorPrimitives.Subtract(row, max, result);
                        TensorPrimitives.Subtract(result, MathF.Log(sum), result);
                    }
                    else TensorPrimitives.Divide(result, sum, result);
                }
                return;
            }
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int start = o * length * inner + i;
                    float max = float.NegativeInfinity;
                    for (int a = 0, k = start; a < length; a++, k += inner) max = MathF.Max(max, x[k]);
                    float sum = 0;
                    for (int a = 0, k = start; a < length; a++, k += inner)
                    {
                        float e = MathF.Exp(x[k] - max);
                        sum += e;
                        if (!log) y[k] = e;
                    }
                    if (log)
                    {
                        float logSum = MathF.Log(sum);
                        for (int a = 0, k = start; a < length; a++, k += inner) y[k] = x[k] - max - logSum;
                    }
                    else
                        for (int a = 0, k = start; a < length; a++, k += inner) y[k] /= sum;
                }
        }

        /// <summary>
        /// From the output y: softmax gradInput = y ⊙ (g − Σ g·y); log-softmax gradInput = g − e^y · Σ g.
        /// </summary>
        public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> gradOutput, Span<float> gradInput, int outer, int length, int inner, bool log)
        {
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int start = o * length * inner + i;
                    float total = 0;
                    for (int a = 0, k = start; a < length; a++, k += inner) total += log ? gradOutput[k] : gradOutput[k] * y[k];
                    if (log)
                        for (int a = 0, k = start; a < length; a++, k += inner) gradInput[k] = gradOutput[k] - MathF.Exp(y[k]) * total;
                    else
                        for (int a = 0, k = start; a < length; a++, k += inner) gradInput[k] = y[k] * (gradOutput[k] - total);
                }
        }
    }
}
