using System.Globalization;

namespace Fovea.Nn;

/// <summary>
/// What convolutions and transposed convolutions share (PyTorch's _ConvNd): channels, kernel size,
/// stride, dilation, groups, the "weight" and optional "bias" parameters and their default
/// initialisation. The weight is (out, in/groups, k...) for a convolution and (in, out/groups, k...)
/// for a transposed one; bias is (out). A convolution has (F·F·C/groups + 1)·K parameters with bias.
/// </summary>
public abstract class ConvolutionLayer : Module, IWindowLayer
{
    private protected ConvolutionLayer(int spatialRank, int inChannels, int outChannels, SpatialSize kernel,
        SpatialSize? stride, SpatialSize? dilation, int groups, bool bias, bool transposed, Generator? generator,
        Action<int[], int[]> validateOthers)
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be > 0, got {inChannels}.");
        if (outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outChannels), $"outChannels must be > 0, got {outChannels}.");
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be > 0, got {groups}.");
        if (inChannels % groups != 0) throw new ArgumentException($"inChannels = {inChannels} is not divisible by groups = {groups}.", nameof(inChannels));
        if (outChannels % groups != 0) throw new ArgumentException($"outChannels = {outChannels} is not divisible by groups = {groups}.", nameof(outChannels));
        SpatialRank = spatialRank;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernel.Expand(spatialRank, nameof(kernel));
        Stride = (stride ?? 1).Expand(spatialRank, nameof(stride));
        Dilation = (dilation ?? 1).Expand(spatialRank, nameof(dilation));
        Groups = groups;
        // The subclass's own hyperparameters (padding...) are checked here, before any parameter is made.
        validateOthers(Stride, Dilation);
        Transposed = transposed;
        int[] weightShape = transposed
            ? [inChannels, outChannels / groups, .. KernelSize]
            : [outChannels, inChannels / groups, .. KernelSize];
        Weight = RegisterParameter("weight", Tensor.Zeros(weightShape));
        Bias = bias ? RegisterParameter("bias", Tensor.Zeros(outChannels)) : null;
        Init.DefaultLayerInit(Weight, Bias, generator);
    }

    /// <summary>Number of spatial dimensions: 1, 2 or 3.</summary>
    public int SpatialRank { get; }
    public int InChannels { get; }
    public int OutChannels { get; }
    /// <summary>One kernel size per spatial dimension.</summary>
    public int[] KernelSize { get; }
    public int[] Stride { get; }
    public int[] Dilation { get; }
    public int Groups { get; }
    public bool Transposed { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    /// <summary>The filter window (kernel, stride, dilation), whatever the input; transposed for a transposed convolution.</summary>
    public SlidingWindow WindowFor(Shape input) => new(KernelSize, Stride, Dilation, Transposed);

    /// <summary>The hyperparameters after kernel_size and stride, PyTorch-style (only those not at their default).</summary>
    private protected abstract IEnumerable<string> ExtraDescription();

    /// <summary>PyTorch's repr, e.g. <c>Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=same)</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string> { $"{InChannels}", $"{OutChannels}", $"kernel_size={Tuple(KernelSize)}", $"stride={Tuple(Stride)}" };
        parts.AddRange(ExtraDescription());
        if (Dilation.Any(d => d != 1)) parts.Add($"dilation={Tuple(Dilation)}");
        if (Groups != 1) parts.Add($"groups={Groups}");
        if (Bias is null) parts.Add("bias=False");
        return $"{GetType().Name}({string.Join(", ", parts)})";
    }

    /// <summary>A Python tuple: (5, 5), or (5,) for one value.</summary>
    private protected static string Tuple(IReadOnlyList<int> values) =>
        values.Count == 1 ? $"({values[0].ToString(CultureInfo.InvariantCulture)},)" : Shape.Format(values.ToArray());
}
