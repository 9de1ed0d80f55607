using Fovea.Kernels.Cpu;

namespace Fovea;

/// <summary>
/// A convolution's arguments after validation (the checks of Conv1d/2d/3d, shared with the fused inference op
/// <see cref="F.ConvolutionBatchNormInference"/>): whether the input is batched, the channel counts and the per-dimension
/// input, kernel, output, stride, dilation and start padding sizes. Weight: (C_out, C_in/groups, k...).
/// </summary>
internal sealed record ConvolutionSetup(bool Batched, int InChannels, int OutChannels, int Groups, int[] InputSpatial, int[] Kernel,
    int[] OutputSpatial, int[] Strides, int[] Dilations, int[] PaddingStart)
{
    /// <summary>
    /// Checks every argument before any work (stride, dilation, groups, padding, ranks, channel counts, bias, kernel not
    /// larger than the padded input), throwing ArgumentException naming the argument and the shapes, and resolves the
    /// padding and output sizes (<see cref="Padding.Resolve"/>, <see cref="WindowGeometry.OutputSize"/>).
    /// </summary>
    public static ConvolutionSetup Resolve(string opName, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        SpatialSize? stride, Padding? padding, SpatialSize? dilation, int groups)
    {
        var strides = (stride ?? 1).Expand(spatialRank, nameof(stride));
        var dilations = (dilation ?? 1).Expand(spatialRank, nameof(dilation));
        ConvArguments.CheckGroups(groups);
        padding ??= Padding.Valid;
        padding.Validate(spatialRank);
        bool batched = ConvArguments.CheckRanks(opName, spatialRank, input, weight, "out_channels, in_channels/groups");

        int outChannels = weight.Shape[0], inChannels = weight.Shape[1] * groups;
        if (outChannels % groups != 0)
            throw new ArgumentException($"{opName}: out_channels = {outChannels} (weight shape {weight.Shape}) is not divisible by groups = {groups}.", nameof(weight));
        int channelAxis = batched ? 1 : 0;
        if (input.Shape[channelAxis] != inChannels)
            throw new ArgumentException($"{opName}: input of shape {input.Shape} has {input.Shape[channelAxis]} channels, but weight of shape {weight.Shape} with groups = {groups} expects {inChannels} (in_channels/groups = {weight.Shape[1]} times {groups}).", nameof(input));
        ConvArguments.CheckBias(opName, bias, outChannels);

        var inputSpatial = ConvArguments.Tail(input.Shape, channelAxis + 1);
        var kernel = ConvArguments.Tail(weight.Shape, 2);
        var paddingStart = new int[spatialRank];
        var outputSpatial = new int[spatialRank];
        for (int i = 0; i < spatialRank; i++)
        {
            var (start, end) = padding.Resolve(i, inputSpatial[i], kernel[i], strides[i], dilations[i]);
            int effectiveKernel = dilations[i] * (kernel[i] - 1) + 1;
            if (effectiveKernel > inputSpatial[i] + start + end)
                throw new ArgumentException($"{opName}: kernel {Shape.Format(kernel)} (dilation {Shape.Format(dilations)}) is larger than the padded input along {ConvArguments.SpatialNames(spatialRank)[i]}: {effectiveKernel} > {inputSpatial[i]} + {start} + {end} (input shape {input.Shape}, weight shape {weight.Shape}, padding {padding}).", nameof(input));
            paddingStart[i] = start;
            outputSpatial[i] = WindowGeometry.OutputSize(inputSpatial[i], kernel[i], strides[i], start, end, dilations[i]);
        }
        return new ConvolutionSetup(batched, inChannels, outChannels, groups, inputSpatial, kernel, outputSpatial, strides, dilations, paddingStart);
    }

    /// <summary>The canonical 3-D geometry for a batch of <paramref name="batch"/> samples.</summary>
    public ConvolutionGeometry Geometry(int batch) =>
        ConvArguments.Geometry(batch, InChannels, OutChannels, Groups, InputSpatial, Kernel, OutputSpatial, Strides, Dilations, PaddingStart);

    /// <summary>The output's shape for a batch of <paramref name="batch"/> samples: (N, C_out, spatial...).</summary>
    public Shape BatchedOutputShape(int batch) => new([batch, OutChannels, .. OutputSpatial]);

    /// <summary>The op's output shape for <paramref name="input"/>: (N, C_out, spatial...), or (C_out, spatial...) unbatched.</summary>
    public Shape OutputShape(Tensor input) => Batched ? BatchedOutputShape(input.Shape[0]) : new([OutChannels, .. OutputSpatial]);
}
