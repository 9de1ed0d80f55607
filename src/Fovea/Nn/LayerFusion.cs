namespace Fovea.Nn;

/// <summary>
/// Runs a convolution → batch norm → [+ residual] → [ReLU] chain of modules with fewer ops when that cannot change anything
/// observable. <see cref="Sequential"/>, the zoo's residual blocks, ResNet's stem and GoogLeNet's BasicConv2d use it; a
/// custom block can too. Two fusions, the first that applies:
/// <list type="number">
/// <item><b>Inference</b> (<see cref="CanFuse"/>): the whole chain is one op. The batch norm (eval, running statistics) and
/// the convolution's bias become a per-channel scale and shift applied, with the residual and the ReLU, in one pass over
/// the convolution's output (the run-time analogue of torch.ao.quantization.fuse_modules; no weight is modified). The
/// values equal the modules run one by one up to float rounding. It needs all of:
/// <list type="bullet">
/// <item>a <see cref="Conv2d"/> followed by a <see cref="BatchNorm2d"/> (or a <see cref="Conv1d"/> by a <see cref="BatchNorm1d"/>)
/// with as many features as the convolution has output channels, on a batched input;</item>
/// <item>the batch norm is in eval mode (not <see cref="Module.Training"/>) and tracks running statistics (without them,
/// eval uses the batch statistics, which cannot be folded);</item>
/// <item>no module of the chain (convolution, batch norm, ReLU module) has forward hooks: hooks see every output;</item>
/// <item>no gradient would be recorded: <see cref="Autograd.IsEnabled"/> is false (<c>using (Autograd.NoGrad())</c>, the
/// usual inference setting), or none of the input, the residual and the parameters (convolution weight and bias, batch
/// norm weight and bias) requires grad. This is exactly when the unfused ops would record nothing.</item>
/// </list></item>
/// <item><b>Training</b> (and every other case): the convolution runs as its own module (<see cref="Module.Forward"/>, its
/// hooks fire), then the batch norm, the residual and the ReLU run as one op (<see cref="F.BatchNormActivation"/>) with the
/// batch norm module's parameters, buffers and mode (batch statistics and running-statistics update in training, momentum
/// or cumulative average, untracked statistics). Values, gradients and running statistics are bit-identical to the modules
/// one by one; the op keeps for backward only the batch norm's input and the output, where the modules keep the batch
/// norm's output and the sum too (torchvision's in-place ReLU saves the same as the fused op). It needs a batch norm
/// without forward hooks and a residual of the convolution output's shape; a ReLU module with hooks then runs on its own
/// after the fused batch norm (+ residual). Otherwise the modules run one by one.</item>
/// </list>
/// </summary>
public static class LayerFusion
{
    /// <summary>
    /// Whether <see cref="ConvBatchNorm"/> would run this chain as one inference op (see the class remarks for the rules).
    /// <paramref name="relu"/>: the ReLU module applied last, if any (its hooks forbid fusing it).
    /// </summary>
    public static bool CanFuse(ConvNd convolution, BatchNormBase norm, Tensor input, Tensor? residual = null, ReLU? relu = null)
    {
        ArgumentNullException.ThrowIfNull(convolution);
        ArgumentNullException.ThrowIfNull(norm);
        ArgumentNullException.ThrowIfNull(input);
        bool pair = (convolution, norm) is (Conv2d, BatchNorm2d) or (Conv1d, BatchNorm1d);
        return pair
            && input.Rank == convolution.SpatialRank + 2
            && convolution.OutChannels == norm.NumFeatures
            && !norm.Training && norm.RunningMean is not null && norm.RunningVar is not null
            && !convolution.HasForwardHooks && !norm.HasForwardHooks && relu?.HasForwardHooks != true
            && !NeedsGradient(convolution, norm, input, residual);
    }

    /// <summary>
    /// relu(norm(convolution(input)) + residual), the residual and the ReLU module optional: one fused op when
    /// <see cref="CanFuse"/>, else <c>convolution.Forward(input)</c> then the batch norm, residual and ReLU fused as the class
    /// remarks say, else exactly the modules one by one (<c>norm.Forward</c>, then <c>+ residual</c>, then
    /// <c>relu.Forward</c>), with their hooks.
    /// </summary>
    public static Tensor ConvBatchNorm(ConvNd convolution, BatchNormBase norm, Tensor input, Tensor? residual = null, ReLU? relu = null)
    {
        if (CanFuse(convolution, norm, input, residual, relu)) return Fused(convolution, norm, input, residual, relu is not null);
        return BatchNormActivation(norm, convolution.Forward(input), residual, relu, reluFunction: false);
    }

    /// <summary>
    /// F.Relu(norm(convolution(input)) + residual), for blocks whose ReLU is a function rather than a module (torchvision's
    /// BasicConv2d): fused as <see cref="ConvBatchNorm"/> is, else the modules one by one then <see cref="F.Relu"/>.
    /// </summary>
    public static Tensor ConvBatchNormRelu(ConvNd convolution, BatchNormBase norm, Tensor input, Tensor? residual = null)
    {
        if (CanFuse(convolution, norm, input, residual)) return Fused(convolution, norm, input, residual, relu: true);
        return BatchNormActivation(norm, convolution.Forward(input), residual, relu: null, reluFunction: true);
    }

    /// <summary>The fused inference op, once <see cref="CanFuse"/> has said yes.</summary>
    internal static Tensor Fused(ConvNd convolution, BatchNormBase norm, Tensor input, Tensor? residual, bool relu) =>
        F.ConvolutionBatchNormInference(convolution.SpatialRank, input, convolution.Weight, convolution.Bias, convolution.Stride,
            convolution.Padding, convolution.Dilation, convolution.Groups, norm.RunningMean!, norm.RunningVar!, norm.Weight, norm.Bias,
            norm.Eps, residual, relu);

    /// <summary>
    /// relu(norm(input) + residual), the residual optional, the ReLU a module (<paramref name="relu"/>), the function
    /// (<paramref name="reluFunction"/>) or none: one <see cref="F.BatchNormActivation"/> op when the batch norm has no hooks
    /// and the residual has the input's shape (a ReLU module with hooks then runs on its own), else the modules one by one.
    /// </summary>
    internal static Tensor BatchNormActivation(BatchNormBase norm, Tensor input, Tensor? residual, ReLU? relu, bool reluFunction)
    {
        Tensor output;
        if (norm.HasForwardHooks || (residual is not null && residual.Shape != input.Shape))
        {
            output = norm.Forward(input);
            if (residual is not null) output += residual;
            return reluFunction ? F.Relu(output) : relu is null ? output : relu.Forward(output);
        }
        bool reluFused = reluFunction || relu is { HasForwardHooks: false };
        output = norm.ForwardActivation(input, residual, reluFused);
        return relu is not null && !reluFused ? relu.Forward(output) : output;
    }

    private static bool NeedsGradient(ConvNd convolution, BatchNormBase norm, Tensor input, Tensor? residual) =>
        Autograd.IsEnabled
        && (input.RequiresGrad || residual?.RequiresGrad == true || convolution.Weight.RequiresGrad || convolution.Bias?.RequiresGrad == true
            || norm.Weight?.RequiresGrad == true || norm.Bias?.RequiresGrad == true);
}
