namespace Fovea;

/// <summary>
/// A layer that slides a window over the spatial dimensions of its input: convolutions, transposed
/// convolutions and pooling. <c>Module.Summary</c> reads the window to follow the receptive field and
/// the jump from layer to layer without knowing the layer types.
/// </summary>
public interface IWindowLayer
{
    /// <summary>
    /// The window used on an input of shape <paramref name="input"/> ((N, C, spatial...) or (C, spatial...)).
    /// Null when the windows are not all alike (adaptive pooling to a size that does not divide the input).
    /// </summary>
    SlidingWindow? WindowFor(Shape input);
}

/// <summary>
/// Kernel size F, stride S and dilation d per spatial dimension (outermost first) of a sliding window.
/// <see cref="Transposed"/>: the window belongs to a transposed convolution, which moves S output
/// positions per input position instead of S input positions per output position.
/// </summary>
public sealed class SlidingWindow
{
    public SlidingWindow(IReadOnlyList<int> kernel, IReadOnlyList<int> stride, IReadOnlyList<int> dilation, bool transposed = false)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(stride);
        ArgumentNullException.ThrowIfNull(dilation);
        if (kernel.Count == 0) throw new ArgumentException("kernel needs at least one spatial dimension.", nameof(kernel));
        if (stride.Count != kernel.Count || dilation.Count != kernel.Count)
            throw new ArgumentException($"kernel {Shape.Format(kernel.ToArray())}, stride {Shape.Format(stride.ToArray())} and dilation {Shape.Format(dilation.ToArray())} must have one value per spatial dimension each.", nameof(stride));
        CheckPositive(kernel, nameof(kernel));
        CheckPositive(stride, nameof(stride));
        CheckPositive(dilation, nameof(dilation));
        (Kernel, Stride, Dilation, Transposed) = (kernel.ToArray(), stride.ToArray(), dilation.ToArray(), transposed);
    }

    public IReadOnlyList<int> Kernel { get; }
    public IReadOnlyList<int> Stride { get; }
    public IReadOnlyList<int> Dilation { get; }
    public bool Transposed { get; }
    public int SpatialRank => Kernel.Count;

    /// <summary>d·(F − 1) + 1 along spatial dimension <paramref name="dimension"/>: the span a dilated filter covers.</summary>
    public int EffectiveKernel(int dimension) => Dilation[dimension] * (Kernel[dimension] - 1) + 1;

    private static void CheckPositive(IReadOnlyList<int> values, string name)
    {
        if (values.Any(v => v <= 0))
            throw new ArgumentOutOfRangeException(name, $"{name} must be > 0 in every dimension, got {Shape.Format(values.ToArray())}.");
    }

    public override string ToString() =>
        $"{(Transposed ? "transposed " : "")}window(kernel={Shape.Format(Kernel.ToArray())}, stride={Shape.Format(Stride.ToArray())}, dilation={Shape.Format(Dilation.ToArray())})";
}
