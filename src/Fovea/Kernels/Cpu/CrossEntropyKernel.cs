namespace Fovea.Kernels.Cpu;

/// <summary>
/// Fused log-softmax + negative log-likelihood over the class dimension, with label smoothing and class
/// weights, and its closed-form backward (softmax minus the smoothed one-hot target).
/// Layouts: logits and log-probabilities (outer, classes, inner), i.e. (N, C, d1·d2·...), so the classes of one
/// position lie <c>inner</c> elements apart; targets and losses (outer, inner). An empty weight span means all ones.
/// </summary>
internal static class CrossEntropyKernel
{
    private static double WeightOf(ReadOnlySpan<float> weight, int index) => weight.IsEmpty ? 1.0 : weight[index];

    /// <summary>Numerically stable log-softmax of one position: x_c - (max + log Σ e^(x_c - max)).</summary>
    private static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int offset, int classes, int inner)
    {
        float max = float.NegativeInfinity;
        for (int c = 0; c < classes; c++) max = MathF.Max(max, logits[offset + c * inner]);
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.Exp(logits[offset + c * inner] - max);
        float logSum = max + (float)Math.Log(sum);
        for (int c = 0; c < classes; c++) logProbabilities[offset + c * inner] = logits[offset + c * inner] - logSum;
    }

    /// <summary>
    /// Class-index targets. loss = (1 - ε)·w[t]·(-log p_t) + (ε/C)·Σ_c w[c]·(-log p_c), 0 where t = ignoreIndex.
    /// Also writes the log-probabilities, which the backward pass reuses.
    /// </summary>
    public static void ForwardWithIndices(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight,
        int outer, int classes, int inner, float labelSmoothing, int ignoreIndex, Span<float> losses, Span<float> logProbabilities)
    {
        for (int n = 0; n < outer; n++)
        {
            for (int k = 0; k < inner; k++)
            {
                int offset = n * classes * inner + k, position = n * inner + k;
                LogSoftmax(logits, logProbabilities, offset, classes, inner);
                int target = targets[position];
                if (target == ignoreIndex) { losses[position] = 0f; continue; }
                double loss = -(1.0 - labelSmoothing) * WeightOf(weight, target) * logProbabilities[offset + target * inner];
                // Skipped when ε = 0 so that a -inf log-probability of another class cannot turn 0·inf into NaN.
                if (labelSmoothing > 0)
                {
                    double smooth = 0;
                    for (int c = 0; c < classes; c++) smooth -= WeightOf(weight, c) * logProbabilities[offset + c * inner];
                    loss += labelSmoothing / classes * smooth;
                }
                losses[position] = (float)loss;
            }
        }
    }

    /// <summary>
    /// ∂loss/∂x_c = (1 - ε)·w[t]·(p_c - [c = t]) + (ε/C)·(W·p_c - w[c]) with W = Σ w, times the upstream
    /// gradient of the position; without weights this is p_c - ((1 - ε)·[c = t] + ε/C).
    /// </summary>
    public static void BackwardWithIndices(ReadOnlySpan<float> upstream, ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> weight, int outer, int classes, int inner, float labelSmoothing, int ignoreIndex, Span<float> logitsGrad)
    {
        double totalWeight = 0;
        for (int c = 0; c < classes; c++) totalWeight += WeightOf(weight, c);
        for (int n = 0; n < outer; n++)
        {
            for (int k = 0; k < inner; k++)
            {
                int offset = n * classes * inner + k, position = n * inner + k;
                int target = targets[position];
                if (target == ignoreIndex)
                {
                    for (int c = 0; c < classes; c++) logitsGrad[offset + c * inner] = 0f;
                    continue;
                }
                double scale = upstream[position], targetWeight = WeightOf(weight, target);
                for (int c = 0; c < classes; c++)
                {
                    double probability = Math.Exp(logProbabilities[offset + c * inner]);
                    double grad = (1.0 - labelSmoothing) * targetWeight * (probability - (c == target ? 1.0 : 0.0));
                    if (labelSmoothing > 0) grad += labelSmoothing / classes * (totalWeight * probability - WeightOf(weight, c));
                    logitsGrad[offset + c * inner] = (float)(scale * grad);
                }
            }
        }
    }

    /// <summary>
    /// Class-probability targets (same layout as the logits): loss = -Σ_c w[c]·y'_c·log p_c with the smoothed
    /// target y' = (1 - ε)·y + ε/C. Also writes the log-probabilities.
    /// </summary>
    public static void ForwardWithProbabilities(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weight,
        int outer, int classes, int inner, float labelSmoothing, Span<float> losses, Span<float> logProbabilities)
    {
        for (int n = 0; n < outer; n++)
        {
            for (int k = 0; k < inner; k++)
            {
                int offset = n * classes * inner + k;
                LogSoftmax(logits, logProbabilities, offset, classes, inner);
                double loss = 0;
                for (int c = 0; c < classes; c++)
                {
                    double smoothed = (1.0 - labelSmoothing) * targets[offset + c * inner] + labelSmoothing / classes;
                    loss -= WeightOf(weight, c) * smoothed * logProbabilities[offset + c * inner];
                }
                losses[n * inner + k] = (float)loss;
            }
        }
    }

    /// <summary>
    /// ∂loss/∂x_c = p_c·Σ_j w[j]·y'_j - w[c]·y'_c and ∂loss/∂y_c = -(1 - ε)·w[c]·log p_c, times the upstream
    /// gradient of the position. An empty gradient span is skipped.
    /// </summary>
    public static void BackwardWithProbabilities(ReadOnlySpan<float> upstream, ReadOnlySpan<float> logProbabilities, ReadOnlySpan<float> targets,
        ReadOnlySpan<float> weight, int outer, int classes, int inner, float labelSmoothing, Span<float> logitsGrad, Span<float> targetsGrad)
    {
        for (int n = 0; n < outer; n++)
        {
            for (int k = 0; k < inner; k++)
            {
                int offset = n * classes * inner + k;
                double scale = upstream[n * inner + k], weightedTargetSum = 0;
                for (int c = 0; c < classes; c++)
                    weightedTargetSum += WeightOf(weight, c) * ((1.0 - labelSmoothing) * targets[offset + c * inner] + labelSmoothing / classes);
                for (int c = 0; c < classes; c++)
                {
                    int at = offset + c * inner;
                    if (!logitsGrad.IsEmpty)
                    {
                        double smoothed = (1.0 - labelSmoothing) * targets[at] + labelSmoothing / classes;
                        logitsGrad[at] = (float)(scale * (Math.Exp(logProbabilities[at]) * weightedTargetSum - WeightOf(weight, c) * smoothed));
                    }
                    if (!targetsGrad.IsEmpty)
                        targetsGrad[at] = (float)(-scale * (1.0 - labelSmoothing) * WeightOf(weight, c) * logProbabilities[at]);
                }
            }
        }
    }
}
