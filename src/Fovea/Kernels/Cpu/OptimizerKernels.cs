using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The production optimizer updates, tested against <see cref="Reference"/>: the same per-element arithmetic, in the
/// same order (so the results are identical), but run as TensorPrimitives passes over blocks of
/// <see cref="Block"/> elements that stay in L1, and split over the worker threads for large parameters.
/// </summary>
internal static partial class OptimizerKernels
{
    private const int Block = 1024;

    /// <summary>SGD (see <see cref="Reference.SgdStep"/>). An empty <paramref name="momentumBuffer"/> means no momentum.</summary>
    public static void SgdStep(Memory<float> parameter, ReadOnlyMemory<float> grad, Memory<float> momentumBuffer, bool firstStep,
        float learningRate, float momentum, float dampening, float weightDecay, bool nesterov)
    {
        float keep = 1f - dampening;
        bool withMomentum = !momentumBuffer.IsEmpty;
        ForBlocks(parameter.Length, (start, length) =>
        {
            var p = parameter.Span.Slice(start, length);
            var g = grad.Span.Slice(start, length);
            Span<float> direction = stackalloc float[length];
            // d = g + λ·θ
            if (weightDecay != 0f) TensorPrimitives.MultiplyAdd(p, weightDecay, g, direction);
            else g.CopyTo(direction);
            if (withMomentum)
            {
                var buffer = momentumBuffer.Span.Slice(start, length);
                // b = d on the first step, else μ·b + (1 − τ)·d
                if (firstStep) direction.CopyTo(buffer);
                else
                {
                    TensorPrimitives.Multiply(buffer, momentum, buffer);
                    TensorPrimitives.MultiplyAdd(direction, keep, buffer, buffer);
                }
                // d = d + μ·b (Nesterov) or b
                if (nesterov) TensorPrimitives.MultiplyAdd(buffer, momentum, direction, direction);
                else buffer.CopyTo(direction);
            }
            // θ = θ − lr·d
            TensorPrimitives.MultiplyAdd(direction, -learningRate, p, p);
        });
    }

    /// <summary>Adam / AdamW (see <see cref="Reference.AdamStep"/>). An empty <paramref name="maxSecondMoment"/> means no AMSGrad.</summary>
    public static void AdamStep(Memory<float> parameter, ReadOnlyMemory<float> grad, Memory<float> firstMoment, Memory<float> secondMoment,
        Memory<float> maxSecondMoment, float step, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool decoupledWeightDecay)
    {
        // Scalars in double, as PyTorch computes them in Python floats (and as the reference does).
        double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
        float stepSize = (float)(learningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float decayFactor = (float)(1 - (double)learningRate * weightDecay);
        float oneMinusBeta1 = (float)(1 - (double)beta1), oneMinusBeta2 = (float)(1 - (double)beta2);
        bool amsgrad = !maxSecondMoment.IsEmpty;
        ForBlocks(parameter.Length, (start, length) =>
        {
            var p = parameter.Span.Slice(start, length);
            var m = firstMoment.Span.Slice(start, length);
            var v = secondMoment.Span.Slice(start, length);
            Span<float> g = stackalloc float[length];
            Span<float> scratch = stackalloc float[length];
            grad.Span.Slice(start, length).CopyTo(g);
            if (decoupledWeightDecay) TensorPrimitives.Multiply(p, decayFactor, p);
            else if (weightDecay != 0f) TensorPrimitives.MultiplyAdd(p, weightDecay, g, g);
            // m = m·β1 + (1 − β1)·g
            TensorPrimitives.Multiply(m, beta1, m);
            TensorPrimitives.MultiplyAdd(g, oneMinusBeta1, m, m);
            // v = v·β2 + ((1 − β2)·g)·g
            TensorPrimitives.Multiply(g, oneMinusBeta2, scratch);
            TensorPrimitives.Multiply(scratch, g, scratch);
            TensorPrimitives.Multiply(v, beta2, v);
            TensorPrimitives.Add(v, scratch, v);
            ReadOnlySpan<float> second = v;
            if (amsgrad)
            {
                var max = maxSecondMoment.Span.Slice(start, length);
                TensorPrimitives.Max(max, v, max);
                second = max;
            }
            // θ = θ − stepSize·(m / (√v / √(1 − β2^t) + ε))
            TensorPrimitives.Sqrt(second, scratch);
            TensorPrimitives.Divide(scratch, biasCorrection2Sqrt, scratch);
            TensorPrimitives.Add(scratch, eps, scratch);
            TensorPrimitives.Divide(m, scratch, scratch);
            TensorPrimitives.MultiplyAdd(scratch, -stepSize, p, p);
        });
    }

    /// <summary>body(start, length) for consecutive blocks of at most <see cref="Block"/> elements, the blocks split over threads.</summary>
    private static void ForBlocks(int length, Action<int, int> body)
    {
        int blocks = (length + Block - 1) / Block;
        WorkSplit.For(blocks, Block, (first, end) =>
        {
            for (int block = first; block < end; block++)
            {
                int start = block * Block;
                body(start, Math.Min(Block, length - start));
            }
        });
    }
}
