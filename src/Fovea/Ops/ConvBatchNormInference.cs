using Fovea.Kernels.Cpu;
using ConvolutionKernel = Fovea.Kernels.Cpu.Convolution;

namespace Fovea;

// Inference-time fusion of convolution → batch norm (eval, running statistics) → [+ residual] → [ReLU], what PyTorch users
// get from torch.ao.quantization.fuse_modules / fuse_conv_bn_eval: one pass over the convolution's output instead of a
// batch-norm pass, an add and a ReLU, each with its own output tensor.
public static partial class F
{
    /// <summary>
    /// act(batch_norm(conv(input), running statistics) + residual) in one op, for inference ONLY: it records no autograd
    /// node, so it must only be called when no gradient is needed (<see cref="Autograd.IsEnabled"/> false, or no tensor
    /// argument requires grad); otherwise it throws InvalidOperationException. The batch norm is folded into the
    /// convolution's output as y·scale[c] + shift[c] with, computed in double and rounded to float,
    /// scale[c] = γ[c]/√(running_var[c] + eps) and shift[c] = β[c] − running_mean[c]·scale[c] + bias[c]·scale[c]
    /// (γ = 1 and β = 0 without normWeight/normBias, no bias term without a convolution bias): the values of the unfused
    /// ops (<see cref="Conv2d"/>, <see cref="BatchNorm"/> with training false, +, <see cref="Relu"/>) up to float rounding.
    /// input, weight, bias, stride, padding, dilation, groups: as <see cref="Conv1d"/>/<see cref="Conv2d"/>/<see cref="Conv3d"/>
    /// (validated the same way); runningMean, runningVar, normWeight, normBias: (C_out). residual: null, or added before
    /// the activation; of the output's shape it is added in the same pass, of any other shape it broadcasts as in
    /// <c>+</c> (a separate add).
    /// </summary>
    internal static Tensor ConvolutionBatchNormInference(int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        SpatialSize? stride, Padding? padding, SpatialSize? dilation, int groups,
        Tensor runningMean, Tensor runningVar, Tensor? normWeight, Tensor? normBias, float eps, Tensor? residual = null, bool relu = false)
    {
        string opName = $"Conv{spatialRank}d";
        var setup = ConvolutionSetup.Resolve(opName, spatialRank, input, weight, bias, stride, padding, dilation, groups);
        var outputShape = setup.OutputShape(input);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        CheckChannelTensor(runningMean, nameof(runningMean), setup.OutChannels, outputShape);
        CheckChannelTensor(runningVar, nameof(runningVar), setup.OutChannels, outputShape);
        CheckChannelTensor(normWeight, nameof(normWeight), setup.OutChannels, outputShape);
        CheckChannelTensor(normBias, nameof(normBias), setup.OutChannels, outputShape);
        if (!(eps >= 0) || !float.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm: eps must be finite and >= 0, got {eps}.");
        if (Autograd.IsEnabled && new[] { input, weight, bias, normWeight, normBias, residual }.Any(t => t is not null && t.RequiresGrad))
            throw new InvalidOperationException($"{opName} + BatchNorm inference fusion records no gradient: call it under Autograd.NoGrad() or with no argument requiring grad.");

        var (scale, shift) = FoldedBatchNorm(bias, runningMean, runningVar, normWeight, normBias, eps);
        // A residual of another shape broadcasts: fuse the rest, then add and activate as the unfused ops do.
        bool fuseResidual = residual is not null && residual.Shape == outputShape;
        var activation = relu && (residual is null || fuseResidual) ? ConvolutionActivation.Relu : ConvolutionActivation.None;

        var output = ConvArguments.WithBatch(input, setup.Batched, x =>
        {
            var geometry = setup.Geometry(x.Shape[0]);
            var epilogue = new ConvolutionEpilogue(scale, shift, fuseResidual ? residual!.Data : ReadOnlyMemory<float>.Empty, activation,
                setup.OutChannels, geometry.Output.Product);
            var data = Tensor.NewStorage(geometry.OutputSize);
            ConvolutionKernel.ForwardWithEpilogue(geometry, x.Data, weight.Data, epilogue, data);
            return new Tensor(data, setup.BatchedOutputShape(x.Shape[0]));
        });
        if (residual is null || fuseResidual) return output;
        output = output + residual;
        return relu ? Relu(output) : output;
    }

    /// <summary>The eval batch norm (and the convolution's bias) as a per-channel scale and shift, in double, rounded once.</summary>
    private static (float[] Scale, float[] Shift) FoldedBatchNorm(Tensor? bias, Tensor runningMean, Tensor runningVar,
        Tensor? normWeight, Tensor? normBias, float eps)
    {
        int channels = runningMean.Size;
        var (scale, shift) = (new float[channels], new float[channels]);
        var mean = runningMean.ReadOnlySpan;
        var variance = runningVar.ReadOnlySpan;
        for (int c = 0; c < channels; c++)
        {
            double factor = (normWeight is null ? 1.0 : normWeight.ReadOnlySpan[c]) / Math.Sqrt((double)variance[c] + eps);
            double offset = (normBias is null ? 0.0 : normBias.ReadOnlySpan[c]) - mean[c] * factor;
            if (bias is not null) offset += bias.ReadOnlySpan[c] * factor;
            (scale[c], shift[c]) = ((float)factor, (float)offset);
        }
        return (scale, shift);
    }
}
