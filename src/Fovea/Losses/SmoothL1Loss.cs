using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Smooth L1 loss (torch.nn.functional.smooth_l1_loss): with d = input - target, 0.5·d²/beta where
    /// |d| &lt; beta and |d| - 0.5·beta elsewhere, then reduced. beta = 0 gives the L1 loss.
    /// </summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, float beta = 1f)
    {
        LossSupport.CheckBeta(nameof(SmoothL1Loss), beta);
        return PointwiseLoss.Apply("SmoothL1Loss", input, target, reduction,
            (x, y, loss) => PointwiseLossKernels.SmoothL1Forward(x, y, loss, beta),
            (upstream, x, y, gradX, gradY) => PointwiseLossKernels.SmoothL1Backward(upstream, x, y, gradX, gradY, beta));
    }
}
