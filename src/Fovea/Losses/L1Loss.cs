using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Mean absolute error (torch.nn.functional.l1_loss): |input - target| per element, then reduced.
    /// The gradient at input = target is 0, as in PyTorch.
    /// </summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        // Smooth L1 with beta = 0 is exactly |d|, with slope sign(d): one kernel serves both.
        PointwiseLoss.Apply("L1Loss", input, target, reduction,
            (x, y, loss) => PointwiseLossKernels.SmoothL1Forward(x, y, loss, beta: 0f),
            (upstream, x, y, gradX, gradY) => PointwiseLossKernels.SmoothL1Backward(upstream, x, y, gradX, gradY, beta: 0f));
}
