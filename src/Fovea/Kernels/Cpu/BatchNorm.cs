using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The production batch-normalisation kernels, tested against <see cref="Reference"/>. x: (N, C, S). Statistics and
/// gradient sums are split over channels (each worker owns whole channels, so no partial sums are shared); the
/// elementwise passes over the N·C planes. Each plane is reduced with float vector accumulators and the planes of
/// a channel are added in double.
/// </summary>
internal static partial class BatchNorm
{
    /// <summary>Per-channel mean and biased variance (Σ(x − mean)² / M), in two passes.</summary>
    public static void MeanVariance(ReadOnlyMemory<float> x, int batch, int channels, int spatial, double[] mean, double[] variance)
    {
        int count = batch * spatial;
        WorkSplit.For(channels, (long)count * 2, (start, end) =>
        {
            var values = x.Span;
            for (int c = start; c < end; c++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++) sum += TensorPrimitives.Sum(values.Slice((n * channels + c) * spatial, spatial));
                double m = sum / count, squares = 0;
                for (int n = 0; n < batch; n++) squares += SumOfProducts(values.Slice((n * channels + c) * spatial, spatial), (float)m, default);
                mean[c] = m;
                variance[c] = squares / count;
            }
        });
    }

    /// <summary>
    /// y = x·scale[c] + shift[c], then + residual (same layout as x; empty: none), then max(y, 0) when <paramref name="relu"/>.
    /// Each plane goes through the three steps while it is in cache; each step is the same operation (and rounding) as the
    /// separate ops, so the result equals batch norm, add, ReLU run one after the other.
    /// </summary>
    public static void Affine(ReadOnlyMemory<float> x, int batch, int channels, int spatial, float[] scale, float[] shift, Memory<float> y,
        ReadOnlyMemory<float> residual = default, bool relu = false) =>
        WorkSplit.For(batch * channels, spatial, (start, end) =>
        {
            for (int plane = start; plane < end; plane++)
            {
                int c = plane % channels;
                var target = y.Span.Slice(plane * spatial, spatial);
                // One pass (x·scale, rounded, + shift: the same roundings as a multiply then an add).
                ScaleShift(x.Span.Slice(plane * spatial, spatial), scale[c], shift[c], target);
                if (!residual.IsEmpty) TensorPrimitives.Add(target, residual.Span.Slice(plane * spatial, spatial), target);
                if (relu) TensorPrimitives.Max(target, 0f, target); // as Activations.ReluForward: NaN stays NaN
            }
        });

    /// <summary>y = x·scale + shift, unfused (the product is rounded before the add, as in two separate passes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> y)
    {
        int i = 0, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            ref float from = ref MemoryMarshal.GetReference(x);
            ref float to = ref MemoryMarshal.GetReference(y);
            var (factor, offset) = (new Vector<float>(scale), new Vector<float>(shift));
            for (; i + lanes <= x.Length; i += lanes)
                (Vector.LoadUnsafe(ref from, (nuint)i) * factor + offset).StoreUnsafe(ref to, (nuint)i);
        }
        for (; i < x.Length; i++) y[i] = x[i] * scale + shift;
    }

    /// <summary>Per channel Σ g and Σ g·x̂ with x̂ = (x − mean)·invStd: the gradients of β and γ.</summary>
    public static void GradientSums(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gradOutput, int batch, int channels, int spatial,
        float[] mean, float[] invStd, double[] sumGrad, double[] sumGradNormalized) =>
        WorkSplit.For(channels, (long)batch * spatial * 2, (start, end) =>
        {
            var values = x.Span;
            var gradients = gradOutput.Span;
            for (int c = start; c < end; c++)
            {
                double g = 0, gx = 0;
                for (int n = 0; n < batch; n++)
                {
                    int offset = (n * channels + c) * spatial;
                    var planeGradient = gradients.Slice(offset, spatial);
                    g += TensorPrimitives.Sum(planeGradient);
                    gx += SumOfProducts(values.Slice(offset, spatial), mean[c], planeGradient);
                }
                sumGrad[c] = g;
                sumGradNormalized[c] = gx * invStd[c];
            }
        });

    /// <summary>
    /// Gradient of x: γ·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M) with batch statistics, γ·invStd·g with fixed ones,
    /// evaluated per plane as a·g + (b·x + d) with the per-channel constants folded in. An empty weight means γ = 1.
    /// </summary>
    public static void InputGradient(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gradOutput, int batch, int channels, int spatial,
        float[] mean, float[] invStd, float[] weight, double[] sumGrad, double[] sumGradNormalized, bool batchStatistics, Memory<float> gradInput)
    {
        int count = batch * spatial;
        WorkSplit.For(batch * channels, spatial * 2, (start, end) =>
        {
            for (int plane = start; plane < end; plane++)
            {
                int c = plane % channels;
                float scale = invStd[c] * (weight.Length == 0 ? 1f : weight[c]);
                float meanGrad = batchStatistics ? (float)(sumGrad[c] / count) : 0f;
                float meanGradNormalized = batchStatistics ? (float)(sumGradNormalized[c] / count) : 0f;
                // scale·(g − meanGrad − (x − mean)·invStd·meanGradNormalized) = scale·g + (slope·x + offset)
                float slope = -scale * invStd[c] * meanGradNormalized;
                float offset = -scale * meanGrad - slope * mean[c];
                var target = gradInput.Span.Slice(plane * spatial, spatial);
                TensorPrimitives.Multiply(x.Span.Slice(plane * spatial, spatial), slope, target);
                TensorPrimitives.Add(target, offset, target);
                TensorPrimitives.MultiplyAdd(gradOutput.Span.Slice(plane * spatial, spatial), scale, target, target);
            }
        });
    }

    /// <summary>
    /// Σ (x − center)·weight, or Σ (x − center)² when <paramref name="weight"/> is empty, with float vector accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SumOfProducts(ReadOnlySpan<float> x, float center, ReadOnlySpan<float> weight)
    {
        bool squares = weight.IsEmpty;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ws = ref squares ? ref xs : ref MemoryMarshal.GetReference(weight);
        int i = 0, n = x.Length;
        float total = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var sum = Vector512<float>.Zero;
            var c = Vector512.Create(center);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var deviation = Vector512.LoadUnsafe(ref xs, (nuint)i) - c;
                sum += deviation * (squares ? deviation : Vector512.LoadUnsafe(ref ws, (nuint)i));
            }
            total = Vector512.Sum(sum);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var sum = Vector256<float>.Zero;
            var c = Vector256.Create(center);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var deviation = Vector256.LoadUnsafe(ref xs, (nuint)i) - c;
                sum += deviation * (squares ? deviation : Vector256.LoadUnsafe(ref ws, (nuint)i));
            }
            total = Vector256.Sum(sum);
        }
        for (; i < n; i++)
        {
            float deviation = Unsafe.Add(ref xs, i) - center;
            total += deviation * (squares ? deviation : Unsafe.Add(ref ws, i));
        }
        return total;
    }
}
