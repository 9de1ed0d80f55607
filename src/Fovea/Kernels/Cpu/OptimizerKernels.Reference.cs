namespace Fovea.Kernels.Cpu;

internal static partial class OptimizerKernels
{
    /// <summary>
    /// Reference in-place parameter updates of the optimizers, one pass over each parameter, element by element, in
    /// the order of PyTorch's single-tensor implementations (torch/optim/sgd.py, adam.py, adamw.py). All spans have
    /// the parameter's length. The block-vectorised kernels of <see cref="OptimizerKernels"/> compute the same
    /// operations in the same order and are tested against these.
    /// </summary>
    internal static class Reference
    {
        /// <summary>
        /// SGD: d = g + λ·θ; with momentum μ the buffer b = d on the first step (no dampening), else
        /// b = μ·b + (1 - τ)·d; d = d + μ·b (Nesterov) or b; θ = θ - lr·d.
        /// An empty <paramref name="momentumBuffer"/> means no momentum.
        /// </summary>
        public static void SgdStep(Span<float> parameter, ReadOnlySpan<float> grad, Span<float> momentumBuffer, bool firstStep,
            float learningRate, float momentum, float dampening, float weightDecay, bool nesterov)
        {
            float keep = 1f - dampening;
            for (int i = 0; i < parameter.Length; i++)
            {
                float direction = grad[i];
                if (weightDecay != 0f) direction += weightDecay * parameter[i];
                if (!momentumBuffer.IsEmpty)
                {
                    float buffer = firstStep ? direction : momentum * momentumBuffer[i] + keep * direction;
                    momentumBuffer[i] = buffer;
                    direction = nesterov ? direction + momentum * buffer : buffer;
                }
                parameter[i] += -learningRate * direction;
            }
        }

        /// <summary>
        /// Adam / AdamW at step t (1-based): with decoupled weight decay θ = θ·(1 - lr·λ) first, otherwise g = g + λ·θ;
        /// m = β1·m + (1 - β1)·g; v = β2·v + (1 - β2)·g²; v̂ = max(v̂, v) with AMSGrad;
        /// θ = θ - lr/(1 - β1^t) · m / (√v / √(1 - β2^t) + ε). An empty <paramref name="maxSecondMoment"/> means no AMSGrad.
        /// </summary>
        public static void AdamStep(Span<float> parameter, ReadOnlySpan<float> grad, Span<float> firstMoment, Span<float> secondMoment,
            Span<float> maxSecondMoment, float step, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool decoupledWeightDecay)
        {
            // Scalars in double, as PyTorch computes them in Python floats.
            double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
            float stepSize = (float)(learningRate / biasCorrection1);
            float biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);
            float decayFactor = (float)(1 - (double)learningRate * weightDecay);
            float oneMinusBeta1 = (float)(1 - (double)beta1), oneMinusBeta2 = (float)(1 - (double)beta2);
            for (int i = 0; i < parameter.Length; i++)
            {
                float g = grad[i];
                if (decoupledWeightDecay) parameter[i] *= decayFactor;
                else if (weightDecay != 0f) g += weightDecay * parameter[i];
                float m = firstMoment[i] = firstMoment[i] * beta1 + oneMinusBeta1 * g;
                float v = secondMoment[i] = secondMoment[i] * beta2 + oneMinusBeta2 * g * g;
                if (!maxSecondMoment.IsEmpty) v = maxSecondMoment[i] = MathF.Max(maxSecondMoment[i], v);
                float denominator = MathF.Sqrt(v) / biasCorrection2Sqrt + eps;
                parameter[i] += -stepSize * (m / denominator);
            }
        }
    }
}
