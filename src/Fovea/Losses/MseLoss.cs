using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Mean squared error (torch.nn.functional.mse_loss): (input - target)² per element, then reduced.
    /// input and target must have the same shape; both can receive gradients.
    /// </summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        PointwiseLoss.Apply("MseLoss", input, target, reduction,
            PointwiseLossKernels.SquaredErrorForward, PointwiseLossKernels.SquaredErrorBackward);
}
