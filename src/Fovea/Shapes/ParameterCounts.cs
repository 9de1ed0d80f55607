namespace Fovea;

/// <summary>
/// Number of parameters of each layer kind (MISSION.md §1, "model complexity" in §2), as formulas of the
/// layer's hyperparameters. They equal <c>Module.ParameterCount()</c> of the corresponding Fovea (and
/// PyTorch) layers. Kernels are given per spatial dimension, so one formula covers 1-, 2- and 3-D layers.
/// </summary>
public static class ParameterCounts
{
    /// <summary>
    /// CONV: K filters of F_1·…·F_d·C/groups weights plus one bias each: (F·F·C/groups + 1)·K in 2-D.
    /// <paramref name="kernelSize"/> holds one F per spatial dimension, e.g. [5, 5].
    /// </summary>
    public static long Convolution(int inChannels, int outChannels, IReadOnlyList<int> kernelSize, int groups = 1, bool bias = true)
    {
        long filterSize = FilterSize(inChannels, outChannels, kernelSize, groups);
        return (filterSize + (bias ? 1 : 0)) * outChannels;
    }

    /// <summary>
    /// Transposed convolution: weight (C_in, K/groups, F...) and one bias per output channel,
    /// C_in·(K/groups)·Π F + K, the same number as the convolution it transposes.
    /// </summary>
    public static long TransposedConvolution(int inChannels, int outChannels, IReadOnlyList<int> kernelSize, int groups = 1, bool bias = true) =>
        Convolution(inChannels, outChannels, kernelSize, groups, bias);

    /// <summary>POOL (max, average, adaptive): 0 parameters.</summary>
    public static long Pooling() => 0;

    /// <summary>FC: every input connected to every output, plus one bias per output: (N_in + 1)·N_out.</summary>
    public static long Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        CheckPositive(inFeatures, nameof(inFeatures));
        CheckPositive(outFeatures, nameof(outFeatures));
        return ((long)inFeatures + (bias ? 1 : 0)) * outFeatures;
    }

    /// <summary>Batch norm: γ and β per channel, 2C trainable parameters when affine (else 0).</summary>
    public static long BatchNorm(int numFeatures, bool affine = true)
    {
        CheckPositive(numFeatures, nameof(numFeatures));
        return affine ? 2L * numFeatures : 0;
    }

    /// <summary>
    /// Batch norm buffers (state, not trained): running mean and variance per channel and the batch
    /// counter, 2C + 1 when running statistics are tracked (else 0).
    /// </summary>
    public static long BatchNormBuffers(int numFeatures, bool trackRunningStats = true)
    {
        CheckPositive(numFeatures, nameof(numFeatures));
        return trackRunningStats ? 2L * numFeatures + 1 : 0;
    }

    /// <summary>Weights per output channel of a convolution: Π F · C/groups, after checking the arguments.</summary>
    internal static long FilterSize(int inChannels, int outChannels, IReadOnlyList<int> kernelSize, int groups)
    {
        ArgumentNullException.ThrowIfNull(kernelSize);
        CheckPositive(inChannels, nameof(inChannels));
        CheckPositive(outChannels, nameof(outChannels));
        CheckPositive(groups, nameof(groups));
        if (kernelSize.Count == 0) throw new ArgumentException("kernelSize needs one value per spatial dimension, got none.", nameof(kernelSize));
        if (kernelSize.Any(f => f <= 0))
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"kernelSize must be > 0 in every dimension, got {Shape.Format(kernelSize.ToArray())}.");
        if (inChannels % groups != 0) throw new ArgumentException($"inChannels = {inChannels} is not divisible by groups = {groups}.", nameof(inChannels));
        if (outChannels % groups != 0) throw new ArgumentException($"outChannels = {outChannels} is not divisible by groups = {groups}.", nameof(outChannels));
        long size = inChannels / groups;
        foreach (int f in kernelSize) size = checked(size * f);
        return size;
    }

    internal static void CheckPositive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, $"{name} must be > 0, got {value}.");
    }
}
