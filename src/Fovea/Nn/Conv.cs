namespace Fovea.Nn;

/// <summary>
/// A convolution layer (MISSION.md §1 CONV): K = outChannels filters of size F·…·C/groups, stride S,
/// padding Valid (the default), Same, Full or explicit. weight: (out, in/groups, k...), bias: (out),
/// initialised as PyTorch does (U(±1/√fan_in)). Conv1d, Conv2d and Conv3d fix the spatial rank.
/// </summary>
public abstract class ConvNd : ConvolutionLayer
{
    private protected ConvNd(int spatialRank, int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride,
        Padding? padding, SpatialSize? dilation, int groups, bool bias, Generator? generator)
        : base(spatialRank, inChannels, outChannels, kernel, stride, dilation, groups, bias, transposed: false, generator,
            (_, _) => (padding ?? Padding.Valid).Validate(spatialRank))
    {
        Padding = padding ?? Padding.Valid;
    }

    public Padding Padding { get; }

    protected override Tensor OnForward(Tensor input) => SpatialRank switch
    {
        1 => F.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups),
        2 => F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups),
        _ => F.Conv3d(input, Weight, Bias, Stride, Padding, Dilation, Groups),
    };

    /// <summary>
    /// relu(this(input)) in one op (<see cref="F.ConvolutionRelu"/>): what <see cref="Sequential"/> runs for this layer
    /// followed by a <see cref="ReLU"/> when neither has forward hooks.
    /// </summary>
    internal Tensor ForwardRelu(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return F.ConvolutionRelu(SpatialRank, input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    private protected override IEnumerable<string> ExtraDescription()
    {
        if (Padding.Kind != Padding.PaddingKind.Valid) yield return $"padding={Padding}";
    }
}

/// <summary>1-D convolution (torch.nn.Conv1d). input: (N, C_in, L) or (C_in, L) -> (N, C_out, L_out).</summary>
public sealed class Conv1d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, Padding? padding = null,
    SpatialSize? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    : ConvNd(1, inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, generator);

/// <summary>2-D convolution (torch.nn.Conv2d). input: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out).</summary>
public sealed class Conv2d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, Padding? padding = null,
    SpatialSize? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    : ConvNd(2, inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, generator);

/// <summary>3-D convolution (torch.nn.Conv3d). input: (N, C_in, D, H, W) or (C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out).</summary>
public sealed class Conv3d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, Padding? padding = null,
    SpatialSize? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    : ConvNd(3, inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, generator);
