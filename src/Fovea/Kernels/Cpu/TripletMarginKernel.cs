namespace Fovea.Kernels.Cpu;

/// <summary>
/// The hinge of the triplet loss on precomputed distances: loss = max(margin + d(A, P) - d_neg, 0) with
/// d_neg = d(A, N), or min(d(A, N), d(P, N)) when the swap distance is given. All spans have one element per triplet.
/// </summary>
internal static class TripletMarginKernel
{
    private static float NegativeDistance(ReadOnlySpan<float> anchorNegative, ReadOnlySpan<float> positiveNegative, int i) =>
        positiveNegative.IsEmpty ? anchorNegative[i] : MathF.Min(anchorNegative[i], positiveNegative[i]);

    public static void Forward(ReadOnlySpan<float> anchorPositive, ReadOnlySpan<float> anchorNegative, ReadOnlySpan<float> positiveNegative,
        float margin, Span<float> losses)
    {
        for (int i = 0; i < losses.Length; i++)
            losses[i] = MathF.Max(margin + anchorPositive[i] - NegativeDistance(anchorNegative, positiveNegative, i), 0f);
    }

    /// <summary>
    /// The hinge passes the gradient where margin + d(A, P) - d_neg ≥ 0 (PyTorch's clamp_min); the minimum sends it
    /// to the smaller distance, half to each on a tie (PyTorch's minimum).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> upstream, ReadOnlySpan<float> anchorPositive, ReadOnlySpan<float> anchorNegative,
        ReadOnlySpan<float> positiveNegative, float margin, Span<float> anchorPositiveGrad, Span<float> anchorNegativeGrad,
        Span<float> positiveNegativeGrad)
    {
        for (int i = 0; i < upstream.Length; i++)
        {
            bool active = margin + anchorPositive[i] - NegativeDistance(anchorNegative, positiveNegative, i) >= 0f;
            float grad = active ? upstream[i] : 0f;
            anchorPositiveGrad[i] = grad;
            if (positiveNegative.IsEmpty) { anchorNegativeGrad[i] = -grad; continue; }
            float toAnchorNegative = anchorNegative[i] < positiveNegative[i] ? 1f : anchorNegative[i] > positiveNegative[i] ? 0f : 0.5f;
            anchorNegativeGrad[i] = -grad * toAnchorNegative;
            positiveNegativeGrad[i] = -grad * (1f - toAnchorNegative);
        }
    }
}
