namespace Fovea;

/// <summary>
/// The shape shared by the elementwise losses (MSE, L1, smooth L1, binary cross-entropy): input and target of
/// one shape, a kernel that writes one loss per element, a kernel that writes the gradients with respect to the
/// input and the target, then a reduction. Each kernel runs once over whole spans.
/// </summary>
internal static class PointwiseLoss
{
    /// <summary>loss[i] = f(input[i], target[i]).</summary>
    public delegate void ForwardKernel(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss);

    /// <summary>
    /// inputGrad[i] = upstream[i]·∂f/∂input, targetGrad[i] = upstream[i]·∂f/∂target. An empty span means
    /// that gradient is not needed.
    /// </summary>
    public delegate void BackwardKernel(ReadOnlySpan<float> upstream, ReadOnlySpan<float> input, ReadOnlySpan<float> target,
        Span<float> inputGrad, Span<float> targetGrad);

    /// <summary>Checks the shapes, runs the forward kernel, records the backward one and reduces.</summary>
    public static Tensor Apply(string opName, Tensor input, Tensor target, Reduction reduction,
        ForwardKernel forward, BackwardKernel backward)
    {
        LossSupport.CheckSameShape(opName, input, target);
        var output = Tensor.NewStorage(input.Size);
        forward(input.Data, target.Data, output);
        var losses = Tensor.Record(new Tensor(output, input.Shape), opName, [input, target], upstream =>
        {
            var inputGrad = input.RequiresGrad ? Tensor.NewStorage(input.Size) : null;
            var targetGrad = target.RequiresGrad ? Tensor.NewStorage(target.Size) : null;
            backward(upstream.Data, input.Data, target.Data, inputGrad, targetGrad);
            return [
                inputGrad is null ? null : new Tensor(inputGrad, input.Shape),
                targetGrad is null ? null : new Tensor(targetGrad, target.Shape)];
        });
        return LossSupport.Reduce(losses, reduction);
    }
}
