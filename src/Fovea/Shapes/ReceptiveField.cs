namespace Fovea;

/// <summary>
/// The receptive field R and the jump J of one position of a layer's output along one spatial dimension:
/// R input positions (pixels) influence it, and neighbouring positions are J input positions apart.
/// </summary>
public readonly record struct ReceptiveFieldStep(int Field, int Jump);

/// <summary>
/// Receptive fields of stacked windows (MISSION.md §2): R_k = 1 + Σ_{j=1..k} (F_j − 1)·Π_{i=0..j−1} S_i with
/// S_0 = 1, computed layer by layer as R_k = R_{k−1} + (F_k − 1)·J_{k−1} and J_k = J_{k−1}·S_k (J_0 = 1, R_0 = 1),
/// where J is the jump, the product of the strides so far. A dilated filter counts as F = d·(F − 1) + 1.
/// Pooling layers are windows too and count like convolutions. Padding does not change R: positions in the
/// padding count as part of the field.
/// </summary>
public static class ReceptiveField
{
    /// <summary>The input itself: each position sees one pixel; neighbours are one pixel apart.</summary>
    public static ReceptiveFieldStep Input => new(1, 1);

    /// <summary>R and J after a window of size <paramref name="kernel"/>, stride S and dilation d applied to <paramref name="previous"/>.</summary>
    public static ReceptiveFieldStep Next(ReceptiveFieldStep previous, int kernel, int stride, int dilation = 1)
    {
        CheckWindow(kernel, stride, dilation);
        CheckStep(previous);
        int effectiveKernel = checked(dilation * (kernel - 1) + 1);
        return new ReceptiveFieldStep(checked(previous.Field + (effectiveKernel - 1) * previous.Jump), checked(previous.Jump * stride));
    }

    /// <summary>
    /// R and J after a transposed convolution. One output position is reached from at most
    /// ceil(F_eff / S) neighbouring input positions, so R grows by (ceil(F_eff / S) − 1)·J; output
    /// positions are J / S input pixels apart. Null when J / S is not a whole number of pixels (the
    /// following fields would not be whole numbers either).
    /// </summary>
    public static ReceptiveFieldStep? NextTransposed(ReceptiveFieldStep previous, int kernel, int stride, int dilation = 1)
    {
        CheckWindow(kernel, stride, dilation);
        CheckStep(previous);
        if (previous.Jump % stride != 0) return null;
        int effectiveKernel = checked(dilation * (kernel - 1) + 1);
        int inputSpan = (effectiveKernel + stride - 1) / stride;
        return new ReceptiveFieldStep(checked(previous.Field + (inputSpan - 1) * previous.Jump), previous.Jump / stride);
    }

    /// <summary>
    /// R_k and J_k after each layer of a chain of windows (kernels[k], strides[k], dilations[k]; dilations
    /// default to 1). Element k − 1 of the result is layer k's.
    /// </summary>
    public static IReadOnlyList<ReceptiveFieldStep> Chain(IReadOnlyList<int> kernels, IReadOnlyList<int> strides, IReadOnlyList<int>? dilations = null)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(strides);
        if (strides.Count != kernels.Count)
            throw new ArgumentException($"strides has {strides.Count} values, kernels has {kernels.Count}: give one stride per layer.", nameof(strides));
        if (dilations is not null && dilations.Count != kernels.Count)
            throw new ArgumentException($"dilations has {dilations.Count} values, kernels has {kernels.Count}: give one dilation per layer.", nameof(dilations));
        var steps = new ReceptiveFieldStep[kernels.Count];
        var current = Input;
        for (int k = 0; k < kernels.Count; k++)
        {
            int dilation = dilations?[k] ?? 1;
            CheckWindow(kernels[k], strides[k], dilation, $"layer {k + 1}: ");
            current = Next(current, kernels[k], strides[k], dilation);
            steps[k] = current;
        }
        return steps;
    }

    private static void CheckWindow(int kernel, int stride, int dilation, string context = "")
    {
        if (kernel <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"{context}kernel must be > 0, got {kernel}.");
        if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), $"{context}stride must be > 0, got {stride}.");
        if (dilation <= 0) throw new ArgumentOutOfRangeException(nameof(dilation), $"{context}dilation must be > 0, got {dilation}.");
    }

    private static void CheckStep(ReceptiveFieldStep step)
    {
        if (step.Field <= 0 || step.Jump <= 0)
            throw new ArgumentOutOfRangeException("previous", $"a receptive field and a jump are >= 1, got R = {step.Field}, J = {step.Jump}.");
    }
}
