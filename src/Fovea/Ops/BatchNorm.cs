using BatchNormKernel = Fovea.Kernels.Cpu.BatchNorm;

namespace Fovea;

// Batch normalisation (torch.nn.functional.batch_norm) for x: (N, C, *) with any number of trailing dims.
public static partial class F
{
    /// <summary>
    /// y = (x − mean) / √(var + eps) · weight + bias, per channel (dim 1) over every other position.
    /// training: mean and biased variance of this batch; running statistics (when given) are updated in
    /// place, unrecorded: running = (1 − momentum)·running + momentum·batch, with the unbiased variance.
    /// Otherwise the running statistics are used (both required). weight and bias are optional (shape (C)).
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f) =>
        BatchNormCore(input, runningMean, runningVar, weight, bias, training, momentum, eps, residual: null, relu: false);

    /// <summary>
    /// The batch norm behind <see cref="BatchNorm"/> and <see cref="BatchNormActivation"/>: y = act(x·scale + shift + residual)
    /// with act ReLU or the identity, the residual optional (same shape as the input, checked by the caller). One recorded
    /// node, which saves the input and the per-channel statistics, and the output only when the ReLU's gradient needs it.
    /// </summary>
    private static Tensor BatchNormCore(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum, float eps, Tensor? residual, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2)
            throw new ArgumentException($"BatchNorm: input has shape {input.Shape}, expected (N, C) or (N, C, ...).", nameof(input));
        // Viewed as (N, C, S): S is the product of the trailing (spatial) sizes, 1 for (N, C) input.
        int batch = input.Shape[0], channels = input.Shape[1], spatial = 1;
        for (int i = 2; i < input.Rank; i++) spatial *= input.Shape[i];
        CheckChannelTensor(runningMean, nameof(runningMean), channels, input.Shape);
        CheckChannelTensor(runningVar, nameof(runningVar), channels, input.Shape);
        CheckChannelTensor(weight, nameof(weight), channels, input.Shape);
        CheckChannelTensor(bias, nameof(bias), channels, input.Shape);
        if (!(eps >= 0) || !float.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm: eps must be finite and >= 0, got {eps}.");
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException("BatchNorm: evaluation (training: false) needs runningMean and runningVar.", runningMean is null ? nameof(runningMean) : nameof(runningVar));
        int count = batch * spatial;
        if (training && count <= 1)
            throw new ArgumentException($"BatchNorm: expected more than 1 value per channel when training, got input of shape {input.Shape}.", nameof(input));

        var (mean, invStd) = (new float[channels], new float[channels]);
        if (training)
        {
            var (batchMean, batchVariance) = (new double[channels], new double[channels]);
            BatchNormKernel.MeanVariance(input.Data, batch, channels, spatial, batchMean, batchVariance);
            for (int c = 0; c < channels; c++)
            {
                mean[c] = (float)batchMean[c];
                invStd[c] = (float)(1.0 / Math.Sqrt(batchVariance[c] + eps));
            }
            UpdateRunningStatistics(runningMean, runningVar, batchMean, batchVariance, count, momentum);
        }
        else
            for (int c = 0; c < channels; c++)
            {
                mean[c] = runningMean!.Data[c];
                invStd[c] = (float)(1.0 / Math.Sqrt((double)runningVar!.Data[c] + eps));
            }

        // y = x·scale + shift with scale = γ·invStd and shift = β − mean·scale (PyTorch's CPU formulation).
        var (scale, shift) = (new float[channels], new float[channels]);
        for (int c = 0; c < channels; c++)
        {
            scale[c] = invStd[c] * (weight?.Data[c] ?? 1f);
            shift[c] = (bias?.Data[c] ?? 0f) - mean[c] * scale[c];
        }
        var output = Tensor.NewStorage(input.Size);
        BatchNormKernel.Affine(input.Data, batch, channels, spatial, scale, shift, output, residual?.Data, relu);

        var inputs = new List<Tensor> { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (residual is not null) inputs.Add(residual);
        string opName = "batch_norm" + (residual is null ? "" : "_add") + (relu ? "_relu" : "");
        var x = input.Data;
        // The ReLU's gradient reads the output (output > 0 exactly where the sum before the ReLU is > 0); nothing else is kept.
        float[]? savedOutput = relu ? output : null;
        return Tensor.Record(new Tensor(output, input.Shape), opName, [.. inputs], grad =>
        {
            if (savedOutput is null)
                // Without ReLU the batch norm's output gradient is grad itself, and so is the residual's (as the add passes it on).
                return Gradients(grad.Data, residual?.RequiresGrad == true ? grad : null);
            if (residual?.RequiresGrad == true)
            {
                // The residual's gradient is the masked gradient: write it once to a new tensor and normalise from that.
                var masked = new Tensor(Tensor.NewStorage(grad.Size), grad.Shape);
                ReluGradientFromOutput(savedOutput, grad.Data, masked.Data);
                return Gradients(masked.Data, masked);
            }
            return WithReluMaskedGradient(savedOutput, grad, masked => Gradients(masked, null));
        });

        // gradients of (input, weight?, bias?, residual?) from the gradient of the normalised output x·scale + shift
        Tensor?[] Gradients(ReadOnlyMemory<float> gradOutput, Tensor? residualGradient)
        {
            var (sumGrad, sumGradNormalized) = (new double[channels], new double[channels]);
            BatchNormKernel.GradientSums(x, gradOutput, batch, channels, spatial, mean, invStd, sumGrad, sumGradNormalized);
            var gradients = new List<Tensor?>();
            if (input.RequiresGrad)
            {
                var gradInput = Tensor.NewStorage(input.Size);
                BatchNormKernel.InputGradient(x, gradOutput, batch, channels, spatial, mean, invStd, weight is null ? [] : weight.Data,
                    sumGrad, sumGradNormalized, batchStatistics: training, gradInput);
                gradients.Add(new Tensor(gradInput, input.Shape));
            }
            else gradients.Add(null);
            if (weight is not null) gradients.Add(weight.RequiresGrad ? ChannelVector(sumGradNormalized) : null);
            if (bias is not null) gradients.Add(bias.RequiresGrad ? ChannelVector(sumGrad) : null);
            if (residual is not null) gradients.Add(residualGradient);
            return [.. gradients];
        }
    }

    private static Tensor ChannelVector(double[] values) => new(values.Select(v => (float)v).ToArray(), new Shape(values.Length));

    private static void CheckChannelTensor(Tensor? tensor, string name, int channels, Shape inputShape)
    {
        if (tensor is not null && (tensor.Rank != 1 || tensor.Shape[0] != channels))
            throw new ArgumentException($"BatchNorm: {name} has shape {tensor.Shape}, expected ({channels}) for input of shape {inputShape} (channels are dim 1).", name);
    }

    private static void UpdateRunningStatistics(Tensor? runningMean, Tensor? runningVar, double[] batchMean, double[] batchVariance, int count, float momentum)
    {
        double unbiasing = (double)count / (count - 1);
        for (int c = 0; c < batchMean.Length; c++)
        {
            if (runningMean is not null)
                runningMean.Data[c] = (float)((1 - momentum) * runningMean.Data[c] + momentum * batchMean[c]);
            if (runningVar is not null)
                runningVar.Data[c] = (float)((1 - momentum) * runningVar.Data[c] + momentum * batchVariance[c] * unbiasing);
        }
    }
}
