namespace Fovea;

// Transposed convolution ("deconvolution"): the adjoint of a convolution, used to upsample
// (GAN generators, decoders). Its forward pass is a convolution's input gradient, so it shares
// the convolution kernels. padding, outputPadding and groups have PyTorch's meaning.
public static partial class F
{
    /// <summary>
    /// 1-D transposed convolution (torch.nn.functional.conv_transpose1d). input: (N, C_in, L) or (C_in, L);
    /// weight: (C_in, C_out/groups, kL); bias: (C_out). See <see cref="ConvTranspose2d"/>.
    /// </summary>
    public static Tensor ConvTranspose1d(Tensor input, Tensor weight, Tensor? bias = null, SpatialSize? stride = null,
        SpatialSize? padding = null, SpatialSize? outputPadding = null, int groups = 1, SpatialSize? dilation = null) =>
        ConvolutionTransposed("ConvTranspose1d", 1, input, weight, bias, stride, padding, outputPadding, groups, dilation);

    /// <summary>
    /// 2-D transposed convolution (torch.nn.functional.conv_transpose2d). input: (N, C_in, H, W) or (C_in, H, W);
    /// weight: (C_in, C_out/groups, kH, kW); bias: (C_out). Output size per dimension:
    /// (I − 1)·S − 2·P + d·(F − 1) + outputPadding + 1. <paramref name="padding"/> removes P positions
    /// from each end of the full output; <paramref name="outputPadding"/> adds positions at the end
    /// (it must be smaller than the stride or the dilation).
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, SpatialSize? stride = null,
        SpatialSize? padding = null, SpatialSize? outputPadding = null, int groups = 1, SpatialSize? dilation = null) =>
        ConvolutionTransposed("ConvTranspose2d", 2, input, weight, bias, stride, padding, outputPadding, groups, dilation);

    /// <summary>
    /// 3-D transposed convolution (torch.nn.functional.conv_transpose3d). input: (N, C_in, D, H, W) or (C_in, D, H, W);
    /// weight: (C_in, C_out/groups, kD, kH, kW); bias: (C_out). See <see cref="ConvTranspose2d"/>.
    /// </summary>
    public static Tensor ConvTranspose3d(Tensor input, Tensor weight, Tensor? bias = null, SpatialSize? stride = null,
        SpatialSize? padding = null, SpatialSize? outputPadding = null, int groups = 1, SpatialSize? dilation = null) =>
        ConvolutionTransposed("ConvTranspose3d", 3, input, weight, bias, stride, padding, outputPadding, groups, dilation);

    /// <summary>
    /// The N-dimensional transposed convolution. With the geometry of the convolution that maps the
    /// (larger) output back onto the input, forward = that convolution's input gradient, the input
    /// gradient = that convolution's forward, and the weight gradient = its weight gradient with the
    /// roles of input and output gradient swapped.
    /// </summary>
    private static Tensor ConvolutionTransposed(string opName, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        SpatialSize? stride, SpatialSize? padding, SpatialSize? outputPadding, int groups, SpatialSize? dilation)
    {
        var strides = (stride ?? 1).Expand(spatialRank, nameof(stride));
        var paddings = (padding ?? 0).Expand(spatialRank, nameof(padding), minimum: 0);
        var outputPaddings = (outputPadding ?? 0).Expand(spatialRank, nameof(outputPadding), minimum: 0);
        var dilations = (dilation ?? 1).Expand(spatialRank, nameof(dilation));
        ConvArguments.CheckGroups(groups);
        for (int i = 0; i < spatialRank; i++)
            if (outputPaddings[i] >= strides[i] && outputPaddings[i] >= dilations[i])
                throw new ArgumentOutOfRangeException(nameof(outputPadding), $"{opName}: outputPadding {Shape.Format(outputPaddings)} must be smaller than either stride {Shape.Format(strides)} or dilation {Shape.Format(dilations)} in every dimension.");
        bool batched = ConvArguments.CheckRanks(opName, spatialRank, input, weight, "in_channels, out_channels/groups");

        int inChannels = weight.Shape[0], outChannels = weight.Shape[1] * groups;
        if (inChannels % groups != 0)
            throw new ArgumentException($"{opName}: in_channels = {inChannels} (weight shape {weight.Shape}) is not divisible by groups = {groups}.", nameof(weight));
        int channelAxis = batched ? 1 : 0;
        if (input.Shape[channelAxis] != inChannels)
            throw new ArgumentException($"{opName}: input of shape {input.Shape} has {input.Shape[channelAxis]} channels, but weight of shape {weight.Shape} expects {inChannels} (its dimension 0).", nameof(input));
        ConvArguments.CheckBias(opName, bias, outChannels);

        var inputSpatial = ConvArguments.Tail(input.Shape, channelAxis + 1);
        var kernel = ConvArguments.Tail(weight.Shape, 2);
        var outputSpatial = new int[spatialRank];
        for (int i = 0; i < spatialRank; i++)
        {
            outputSpatial[i] = (inputSpatial[i] - 1) * strides[i] - 2 * paddings[i] + dilations[i] * (kernel[i] - 1) + outputPaddings[i] + 1;
            if (outputSpatial[i] <= 0 || inputSpatial[i] <= 0)
                throw new ArgumentException($"{opName}: the output would have size {outputSpatial[i]} along {ConvArguments.SpatialNames(spatialRank)[i]} (input shape {input.Shape}, weight shape {weight.Shape}, stride {Shape.Format(strides)}, padding {Shape.Format(paddings)}, dilation {Shape.Format(dilations)}, outputPadding {Shape.Format(outputPaddings)}); it must be > 0.", nameof(input));
        }

        return ConvArguments.WithBatch(input, batched, x =>
        {
            // The adjoint convolution reads this op's output (its "input", outChannels channels) and
            // produces this op's input (its "output", inChannels channels); weight (inChannels, outChannels/groups, k...)
            // is exactly that convolution's (out, in/groups, k...) weight.
            var geometry = ConvArguments.Geometry(x.Shape[0], outChannels, inChannels, groups,
                outputSpatial, kernel, inputSpatial, strides, dilations, paddings);
            var (xData, weightData) = (x.Detach(), weight.Detach());
            var output = ConvArguments.BackwardData(geometry, xData, weightData, bias?.Detach(), new Shape([x.Shape[0], outChannels, .. outputSpatial]));
            var xShape = x.Shape;
            Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
            return Tensor.Record(output, opName.ToLowerInvariant(), inputs, grad =>
            [
                x.RequiresGrad ? ConvArguments.Forward(geometry, grad, weightData, null, xShape) : null,
                weight.RequiresGrad ? ConvArguments.BackwardWeight(geometry, grad, xData, weightData.Shape) : null,
                .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? ConvArguments.BiasGradient(grad) : null],
            ]);
        });
    }
}
