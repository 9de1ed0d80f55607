namespace Fovea.Nn;

/// <summary>
/// A transposed convolution layer (the adjoint of a convolution; upsamples by the stride).
/// weight: (in, out/groups, k...), bias: (out). padding and outputPadding have PyTorch's meaning:
/// output size (I − 1)·S − 2·P + d·(F − 1) + outputPadding + 1 per dimension.
/// </summary>
public abstract class ConvTransposeNd : ConvolutionLayer
{
    private protected ConvTransposeNd(int spatialRank, int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride,
        SpatialSize? padding, SpatialSize? outputPadding, int groups, bool bias, SpatialSize? dilation, Generator? generator)
        : base(spatialRank, inChannels, outChannels, kernel, stride, dilation, groups, bias, transposed: true, generator,
            (strides, dilations) => CheckPaddings(spatialRank, padding, outputPadding, strides, dilations))
    {
        (Padding, OutputPadding) = CheckPaddings(spatialRank, padding, outputPadding, Stride, Dilation);
    }

    /// <summary>padding and outputPadding per dimension, >= 0, outputPadding smaller than the stride or the dilation (PyTorch's rule).</summary>
    private static (int[] Padding, int[] OutputPadding) CheckPaddings(int spatialRank, SpatialSize? padding, SpatialSize? outputPadding,
        int[] stride, int[] dilation)
    {
        var paddings = (padding ?? 0).Expand(spatialRank, nameof(padding), minimum: 0);
        var outputPaddings = (outputPadding ?? 0).Expand(spatialRank, nameof(outputPadding), minimum: 0);
        for (int i = 0; i < spatialRank; i++)
            if (outputPaddings[i] >= stride[i] && outputPaddings[i] >= dilation[i])
                throw new ArgumentOutOfRangeException(nameof(outputPadding), $"outputPadding {Tuple(outputPaddings)} must be smaller than either stride {Tuple(stride)} or dilation {Tuple(dilation)} in every dimension.");
        return (paddings, outputPaddings);
    }

    public int[] Padding { get; }
    public int[] OutputPadding { get; }

    protected override Tensor OnForward(Tensor input) => SpatialRank switch
    {
        1 => F.ConvTranspose1d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation),
        2 => F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation),
        _ => F.ConvTranspose3d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation),
    };

    private protected override IEnumerable<string> ExtraDescription()
    {
        if (Padding.Any(p => p != 0)) yield return $"padding={Tuple(Padding)}";
        if (OutputPadding.Any(p => p != 0)) yield return $"output_padding={Tuple(OutputPadding)}";
    }
}

/// <summary>1-D transposed convolution (torch.nn.ConvTranspose1d). input: (N, C_in, L) or (C_in, L).</summary>
public sealed class ConvTranspose1d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, SpatialSize? padding = null,
    SpatialSize? outputPadding = null, int groups = 1, bool bias = true, SpatialSize? dilation = null, Generator? generator = null)
    : ConvTransposeNd(1, inChannels, outChannels, kernel, stride, padding, outputPadding, groups, bias, dilation, generator);

/// <summary>2-D transposed convolution (torch.nn.ConvTranspose2d). input: (N, C_in, H, W) or (C_in, H, W).</summary>
public sealed class ConvTranspose2d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, SpatialSize? padding = null,
    SpatialSize? outputPadding = null, int groups = 1, bool bias = true, SpatialSize? dilation = null, Generator? generator = null)
    : ConvTransposeNd(2, inChannels, outChannels, kernel, stride, padding, outputPadding, groups, bias, dilation, generator);

/// <summary>3-D transposed convolution (torch.nn.ConvTranspose3d). input: (N, C_in, D, H, W) or (C_in, D, H, W).</summary>
public sealed class ConvTranspose3d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, SpatialSize? padding = null,
    SpatialSize? outputPadding = null, int groups = 1, bool bias = true, SpatialSize? dilation = null, Generator? generator = null)
    : ConvTransposeNd(3, inChannels, outChannels, kernel, stride, padding, outputPadding, groups, bias, dilation, generator);
