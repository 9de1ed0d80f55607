namespace Fovea.Kernels.Cpu;

/// <summary>
/// Negative log-likelihood: picks -w[t]·input[t] at each position. Layouts as in <see cref="CrossEntropyKernel"/>:
/// input (outer, classes, inner), targets and losses (outer, inner); an empty weight span means all ones.
/// </summary>
internal static class NllLossKernel
{
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight,
        int outer, int classes, int inner, int ignoreIndex, Span<float> losses)
    {
        for (int n = 0; n < outer; n++)
        {
            for (int k = 0; k < inner; k++)
            {
                int position = n * inner + k, target = targets[position];
                losses[position] = target == ignoreIndex ? 0f
                    : -(weight.IsEmpty ? 1f : weight[target]) * input[n * classes * inner + target * inner + k];
            }
        }
    }

    /// <summary>The gradient is -w[t]·upstream at the target class of each position and 0 elsewhere.</summary>
    public static void Backward(ReadOnlySpan<float> upstream, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight,
        int outer, int classes, int inner, int ignoreIndex, Span<float> inputGrad)
    {
        inputGrad.Clear();
        for (int n = 0; n < outer; n++)
        {
            for (int k = 0; k < inner; k++)
            {
                int position = n * inner + k, target = targets[position];
                if (target != ignoreIndex)
                    inputGrad[n * classes * inner + target * inner + k] = -(weight.IsEmpty ? 1f : weight[target]) * upstream[position];
            }
        }
    }
}
