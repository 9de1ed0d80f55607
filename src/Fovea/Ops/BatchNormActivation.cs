namespace Fovea;

// Batch norm, + residual, ReLU as one recorded op: ResNet's bn → relu and relu(bn(x) + shortcut), in training too.
public static partial class F
{
    /// <summary>
    /// act(batch_norm(input) + residual) in one op, act = ReLU when <paramref name="relu"/> else the identity, the residual
    /// optional (same shape as the input). The batch norm is exactly <see cref="BatchNorm"/> (same arguments, same running
    /// statistics update in training) and the values and gradients equal those of <see cref="BatchNorm"/>, + residual,
    /// <see cref="Relu"/> run one after the other (each element goes through the same float operations). What differs is
    /// memory: the op records one node that keeps the input and the per-channel statistics (as the batch norm alone does)
    /// and, with the ReLU, its own output, where the separate ops keep the batch norm's output and the sum as well (torch's
    /// in-place ReLU saves the same). Backward: the ReLU's rule masks the output gradient (output > 0), the residual's
    /// gradient is that masked gradient, and the batch norm's backward runs on it. The residual is added after the
    /// normalisation, before the ReLU, and must have the input's shape (callers with a broadcast residual use the separate
    /// ops); the other arguments are <see cref="BatchNorm"/>'s.
    /// </summary>
    internal static Tensor BatchNormActivation(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum, float eps, Tensor? residual, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckResidualShape(input, residual);
        return BatchNormCore(input, runningMean, runningVar, weight, bias, training, momentum, eps, residual, relu);
    }

    /// <summary>The residual of <see cref="BatchNormActivation"/>, if any, must have the input's shape.</summary>
    internal static void CheckResidualShape(Tensor input, Tensor? residual)
    {
        if (residual is not null && residual.Shape != input.Shape)
            throw new ArgumentException($"BatchNormActivation: residual has shape {residual.Shape}, expected the input's shape {input.Shape}.", nameof(residual));
    }
}
