namespace Fovea.Kernels.Cpu;

/// <summary>
/// Reference kernels of the elementwise losses. Every span has one element per loss element (weights are
/// expanded to the input's shape by the caller; an empty weight span means 1). Backward kernels write
/// upstream · derivative; an empty gradient span means that gradient is not wanted.
/// </summary>
internal static class PointwiseLossKernels
{
    // ---- mean squared error: (x - y)² ----

    public static void SquaredErrorForward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss)
    {
        for (int i = 0; i < loss.Length; i++)
        {
            float difference = input[i] - target[i];
            loss[i] = difference * difference;
        }
    }

    public static void SquaredErrorBackward(ReadOnlySpan<float> upstream, ReadOnlySpan<float> input, ReadOnlySpan<float> target,
        Span<float> inputGrad, Span<float> targetGrad)
    {
        for (int i = 0; i < upstream.Length; i++)
        {
            float grad = 2f * (input[i] - target[i]) * upstream[i];
            if (!inputGrad.IsEmpty) inputGrad[i] = grad;
            if (!targetGrad.IsEmpty) targetGrad[i] = -grad;
        }
    }

    // ---- smooth L1 (beta > 0): 0.5·d²/beta where |d| < beta, |d| - 0.5·beta elsewhere; beta = 0 is |d| ----

    public static void SmoothL1Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, float beta)
    {
        for (int i = 0; i < loss.Length; i++)
        {
            float magnitude = MathF.Abs(input[i] - target[i]);
            loss[i] = magnitude < beta ? 0.5f * magnitude * magnitude / beta : magnitude - 0.5f * beta;
        }
    }

    public static void SmoothL1Backward(ReadOnlySpan<float> upstream, ReadOnlySpan<float> input, ReadOnlySpan<float> target,
        Span<float> inputGrad, Span<float> targetGrad, float beta)
    {
        for (int i = 0; i < upstream.Length; i++)
        {
            float difference = input[i] - target[i];
            // Inside the quadratic zone the slope is d/beta; outside it is sign(d) (0 at d = 0 when beta = 0, like |d|).
            float slope = MathF.Abs(difference) < beta ? difference / beta : MathF.Sign(difference);
            float grad = slope * upstream[i];
            if (!inputGrad.IsEmpty) inputGrad[i] = grad;
            if (!targetGrad.IsEmpty) targetGrad[i] = -grad;
        }
    }

    // ---- binary cross-entropy on probabilities: -w·(y·log x + (1 - y)·log(1 - x)), each log clamped at -100 ----

    private const double LogFloor = -100;
    // PyTorch divides by max(x(1 - x), 1e-12) so that x = 0 or 1 gives a large finite gradient, not inf.
    private const float ProbabilityProductFloor = 1e-12f;

    public static void BinaryCrossEntropyForward(ReadOnlySpan<float> probability, ReadOnlySpan<float> target, ReadOnlySpan<float> weight,
        Span<float> loss)
    {
        for (int i = 0; i < loss.Length; i++)
        {
            double x = probability[i], y = target[i];
            // Logs in double: 1 - x is exact there, which keeps log(1 - x) accurate for x near 1 (PyTorch uses log1p(-x)).
            double logX = Math.Max(Math.Log(x), LogFloor), logOneMinusX = Math.Max(Math.Log(1 - x), LogFloor);
            double value = (y - 1) * logOneMinusX - y * logX;
            loss[i] = (float)(weight.IsEmpty ? value : value * weight[i]);
        }
    }

    public static void BinaryCrossEntropyBackward(ReadOnlySpan<float> upstream, ReadOnlySpan<float> probability, ReadOnlySpan<float> target,
        ReadOnlySpan<float> weight, Span<float> probabilityGrad, Span<float> targetGrad)
    {
        for (int i = 0; i < upstream.Length; i++)
        {
            float x = probability[i], scale = weight.IsEmpty ? upstream[i] : upstream[i] * weight[i];
            if (!probabilityGrad.IsEmpty)
                probabilityGrad[i] = scale * (x - target[i]) / MathF.Max((1f - x) * x, ProbabilityProductFloor);
            // ∂/∂y = log(1 - x) - log x = -logit(x), unclamped as in PyTorch.
            if (!targetGrad.IsEmpty)
                targetGrad[i] = scale * (float)Math.Log((1.0 - x) / x);
        }
    }

    // ---- binary cross-entropy on logits: w·((1 - y)·x + (1 + (p - 1)·y)·softplus(-x)), p the positive weight ----

    /// <summary>log(1 + e^z) without overflow: max(z, 0) + log(1 + e^-|z|).</summary>
    private static double Softplus(double z) => Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));

    public static void BinaryCrossEntropyWithLogitsForward(ReadOnlySpan<float> logit, ReadOnlySpan<float> target, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> positiveWeight, Span<float> loss)
    {
        for (int i = 0; i < loss.Length; i++)
        {
            double x = logit[i], y = target[i];
            double logWeight = positiveWeight.IsEmpty ? 1 : 1 + (positiveWeight[i] - 1) * y;
            double value = (1 - y) * x + logWeight * Softplus(-x);
            loss[i] = (float)(weight.IsEmpty ? value : value * weight[i]);
        }
    }

    public static void BinaryCrossEntropyWithLogitsBackward(ReadOnlySpan<float> upstream, ReadOnlySpan<float> logit, ReadOnlySpan<float> target,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> positiveWeight, Span<float> logitGrad, Span<float> targetGrad)
    {
        for (int i = 0; i < upstream.Length; i++)
        {
            double x = logit[i], y = target[i], p = positiveWeight.IsEmpty ? 1 : positiveWeight[i];
            double scale = weight.IsEmpty ? upstream[i] : upstream[i] * (double)weight[i];
            double sigmoid = 1 / (1 + Math.Exp(-x));
            // ∂/∂x = (p·y + 1 - y)·σ(x) - p·y, which is σ(x) - y without a positive weight.
            if (!logitGrad.IsEmpty) logitGrad[i] = (float)(scale * ((p * y + 1 - y) * sigmoid - p * y));
            // ∂/∂y = -x + (p - 1)·softplus(-x).
            if (!targetGrad.IsEmpty) targetGrad[i] = (float)(scale * (-x + (p - 1) * Softplus(-x)));
        }
    }
}
