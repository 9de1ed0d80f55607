using Fovea.Kernels.Cpu;

namespace Fovea;

// Convolution (MISSION.md §1 CONV): K filters of size F·F·C slide over the input with stride S
// after zero padding P, giving an O·O·K output. 1-D, 2-D and 3-D share one implementation.
public static partial class F
{
    /// <summary>
    /// 1-D convolution (torch.nn.functional.conv1d). input: (N, C_in, L) or (C_in, L);
    /// weight: (C_out, C_in/groups, kL); bias: (C_out). Padding defaults to Valid.
    /// </summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, SpatialSize? stride = null,
        Padding? padding = null, SpatialSize? dilation = null, int groups = 1) =>
        Convolution("Conv1d", 1, input, weight, bias, stride, padding, dilation, groups);

    /// <summary>
    /// 2-D convolution (torch.nn.functional.conv2d). input: (N, C_in, H, W) or (C_in, H, W);
    /// weight: (C_out, C_in/groups, kH, kW); bias: (C_out). Padding defaults to Valid.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, SpatialSize? stride = null,
        Padding? padding = null, SpatialSize? dilation = null, int groups = 1) =>
        Convolution("Conv2d", 2, input, weight, bias, stride, padding, dilation, groups);

    /// <summary>
    /// 3-D convolution (torch.nn.functional.conv3d). input: (N, C_in, D, H, W) or (C_in, D, H, W);
    /// weight: (C_out, C_in/groups, kD, kH, kW); bias: (C_out). Padding defaults to Valid.
    /// </summary>
    public static Tensor Conv3d(Tensor input, Tensor weight, Tensor? bias = null, SpatialSize? stride = null,
        Padding? padding = null, SpatialSize? dilation = null, int groups = 1) =>
        Convolution("Conv3d", 3, input, weight, bias, stride, padding, dilation, groups);

    /// <summary>
    /// The N-dimensional convolution behind Conv1d/2d/3d. Each spatial dimension is padded by
    /// <see cref="Padding.Resolve"/> and has <see cref="WindowGeometry.OutputSize"/> outputs
    /// (Valid drops an incomplete last window). Lowered to vol2col + GEMM per sample and group.
    /// </summary>
    /// <summary>
    /// relu(conv(input)) in one op, for a layer followed by a ReLU (<see cref="Nn.Sequential"/> fuses the pair): the ReLU
    /// is applied as the convolution writes its output, and its gradient masks the output gradient in a pooled scratch
    /// buffer, so neither the pre-activation tensor nor its gradient is allocated. Same values as the two ops.
    /// </summary>
    internal static Tensor ConvolutionRelu(int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        SpatialSize? stride, Padding? padding, SpatialSize? dilation, int groups) =>
        Convolution($"Conv{spatialRank}d", spatialRank, input, weight, bias, stride, padding, dilation, groups, ConvolutionActivation.Relu);

    private static Tensor Convolution(string opName, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        SpatialSize? stride, Padding? padding, SpatialSize? dilation, int groups,
        ConvolutionActivation activation = ConvolutionActivation.None)
    {
        var setup = ConvolutionSetup.Resolve(opName, spatialRank, input, weight, bias, stride, padding, dilation, groups);

        return ConvArguments.WithBatch(input, setup.Batched, x =>
        {
            var geometry = setup.Geometry(x.Shape[0]);
            var (xData, weightData) = (x.Detach(), weight.Detach());
            var output = ConvArguments.Forward(geometry, xData, weightData, bias?.Detach(), setup.BatchedOutputShape(x.Shape[0]), activation);
            var xShape = x.Shape;
            Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
            bool relu = activation == ConvolutionActivation.Relu;
            return Tensor.Record(output, relu ? opName.ToLowerInvariant() + "_relu" : opName.ToLowerInvariant(), inputs, grad =>
                // With the fused ReLU the convolution's output gradient is grad where output > 0, else 0 (ReLU's rule on
                // its input, which output > 0 reproduces, NaN included), in pooled scratch.
                relu ? WithReluMaskedGradient(output.Data, grad, Gradients) : Gradients(grad.Data));

            // gradients of (x, weight, bias?) from the gradient of the convolution's output
            Tensor?[] Gradients(ReadOnlyMemory<float> gradOutput) =>
            [
                x.RequiresGrad ? ConvArguments.BackwardData(geometry, gradOutput, weightData, null, xShape) : null,
                weight.RequiresGrad ? ConvArguments.BackwardWeight(geometry, xData, gradOutput, weightData.Shape) : null,
                .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? ConvArguments.BiasGradient(gradOutput, output.Shape) : null],
            ];
        });
    }
}
