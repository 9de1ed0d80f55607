"""Golden cases for Fovea's fused batch norm + residual + ReLU (tests/golden/batch_norm_activation): PyTorch's
relu(batch_norm(x) + residual) computed with the separate ops, the residual and the ReLU optional.

Training cases pass no running statistics (golden_io saves the inputs after the call, and training would update
them in place); the eval cases take the running statistics as inputs that need no gradient.
"""
import torch
import torch.nn.functional as F
from golden_io import record_case, randn, seeded

G = "batch_norm_activation"


def fused(training, residual, relu, eps=1e-5):
    def fn(x, *rest):
        rest = list(rest)
        mean, var = (rest.pop(0), rest.pop(0)) if not training else (None, None)
        weight, bias = rest.pop(0), rest.pop(0)
        y = F.batch_norm(x, mean, var, weight, bias, training=training, eps=eps)
        if residual:
            y = y + rest.pop(0)
        return F.relu(y) if relu else y
    return fn


running_mean = randn(3, seed=707, requires_grad=False)
running_var = torch.rand(3, generator=seeded(708)) + 0.5

record_case(G, "train_relu", fused(True, residual=False, relu=True),
            [randn(2, 3, 4, 5, seed=700), randn(3, seed=701), randn(3, seed=702)])
record_case(G, "train_residual_relu", fused(True, residual=True, relu=True, eps=1e-3),
            [randn(2, 3, 4, 5, seed=703, scale=2.0), randn(3, seed=704), randn(3, seed=705), randn(2, 3, 4, 5, seed=706)])
record_case(G, "train_residual", fused(True, residual=True, relu=False),
            [randn(4, 3, 5, seed=709), randn(3, seed=710), randn(3, seed=711), randn(4, 3, 5, seed=712)])
record_case(G, "train_nc_relu", fused(True, residual=False, relu=True),
            [randn(6, 3, seed=713), randn(3, seed=714), randn(3, seed=715)])
record_case(G, "eval_residual_relu", fused(False, residual=True, relu=True),
            [randn(2, 3, 4, 5, seed=716), running_mean, running_var, randn(3, seed=717), randn(3, seed=718), randn(2, 3, 4, 5, seed=719)])
record_case(G, "eval_relu", fused(False, residual=False, relu=True),
            [randn(2, 3, 6, seed=720), running_mean, running_var, randn(3, seed=721), randn(3, seed=722)])
