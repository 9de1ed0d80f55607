"""Golden cases for pooling, activations, softmax, batch norm (tests/golden/pool_act_norm).

Pooling cases with padding PyTorch's own argument cannot express (Same, Full, asymmetric, or more than
kernel/2) are computed by padding the input first (-inf for max, zeros for avg) and pooling without
padding; the output is then cut to the size Fovea's rule gives (PyTorch's ceil_mode rule: the last
window must start inside the input or the start padding), and count_include_pad=False divides window
sums by window counts of a padded mask of ones. Dropout has no golden: its masks are random.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from golden_io import record_case, randn, seeded

G = "pool_act_norm"

# ---------------------------------------------------------------- pooling helpers (mirror Padding.Resolve and WindowGeometry.OutputSize)


def resolve(spec, i, size, k, s, d):
    eff = d * (k - 1) + 1
    if spec == "valid":
        return (0, 0)
    if spec == "full":
        return (eff - 1, eff - 1)
    if spec == "same":
        out = -(-size // s)
        total = max(0, s * out - size + eff - s)
        return (total // 2, total - total // 2)
    if isinstance(spec, int):
        return (spec, spec)
    item = spec[i] if len(spec) > 1 else spec[0]
    return item if isinstance(item, tuple) else (item, item)


def out_size(size, k, s, ps, pe, d, ceil):
    span = size + ps + pe - (d * (k - 1) + 1)
    if not ceil:
        return span // s + 1
    o = -(-span // s) + 1
    if (o - 1) * s >= size + ps:
        o -= 1
    return o


MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def window_sums(x, kernel, stride, ceil):
    """Sum over each window (no padding) via divisor_override=1; 1-D goes through avg_pool2d."""
    if len(kernel) == 1:
        return F.avg_pool2d(x.unsqueeze(-2), (1, kernel[0]), (1, stride[0]), 0, ceil, True, 1).squeeze(-2)
    return AVG[len(kernel)](x, kernel, stride, 0, ceil, True, 1)


def pool(x, kind, kernel, stride=None, spec=0, dilation=None, ceil=False, include_pad=True, divisor=None):
    r = len(kernel)
    stride = stride or kernel
    dilation = dilation or [1] * r
    sizes = x.shape[-r:]
    pads = [resolve(spec, i, sizes[i], kernel[i], stride[i], dilation[i]) for i in range(r)]
    outs = [out_size(sizes[i], kernel[i], stride[i], pads[i][0], pads[i][1], dilation[i], ceil) for i in range(r)]
    if all(a == b and a <= k // 2 for (a, b), k in zip(pads, kernel)):
        p = [a for a, _ in pads]
        if kind == "max":
            y = MAX[r](x, kernel, stride, p, dilation, ceil_mode=ceil)
        elif r == 1:
            assert divisor is None
            y = F.avg_pool1d(x, kernel, stride, p, ceil, include_pad)
        else:
            y = AVG[r](x, kernel, stride, p, ceil, include_pad, divisor)
        assert list(y.shape[-r:]) == outs, (y.shape, outs)
        return y
    flat = [v for a, b in reversed(pads) for v in (a, b)]
    if kind == "max":
        y = MAX[r](F.pad(x, flat, value=-math.inf), kernel, stride, 0, dilation, ceil_mode=ceil)
    else:
        sums = window_sums(F.pad(x, flat), kernel, stride, ceil)
        if divisor is not None:
            y = sums / divisor
        elif include_pad:
            y = AVG[r](F.pad(x, flat), kernel, stride, 0, ceil, True) if r > 1 else \
                F.avg_pool1d(F.pad(x, flat), kernel, stride, 0, ceil, True)
        else:
            y = sums / window_sums(F.pad(torch.ones_like(x), flat), kernel, stride, ceil)
    return y[(Ellipsis,) + tuple(slice(0, o) for o in outs)]


# name, kind, input shape, pool arguments (kernel, stride, padding spec, dilation, ceil, include_pad, divisor)
POOL_CASES = [
    ("max1d_k3_s2", "max", (2, 3, 9), dict(kernel=[3], stride=[2])),
    ("max1d_p1_d2_ceil", "max", (1, 2, 10), dict(kernel=[3], stride=[2], spec=1, dilation=[2], ceil=True)),
    ("max1d_unbatched", "max", (3, 9), dict(kernel=[2])),
    ("max2d_k2_odd", "max", (2, 3, 7, 5), dict(kernel=[2, 2])),
    ("max2d_k3x2_s2x1_p1x0", "max", (1, 2, 7, 6), dict(kernel=[3, 2], stride=[2, 1], spec=[1, 0])),
    ("max2d_stride_gt_kernel", "max", (1, 2, 9, 8), dict(kernel=[2, 2], stride=[3, 3])),
    ("max2d_ceil_rule", "max", (1, 1, 5, 6), dict(kernel=[2, 2], stride=[2, 2], spec=1, ceil=True)),
    ("max2d_dilation", "max", (1, 2, 9, 10), dict(kernel=[3, 3], stride=[1, 1], dilation=[2, 3])),
    ("max2d_dilation_p1_ceil", "max", (1, 1, 8, 9), dict(kernel=[3, 3], stride=[2, 2], spec=1, dilation=[2, 2], ceil=True)),
    ("max2d_same", "max", (1, 2, 7, 8), dict(kernel=[3, 3], stride=[2, 2], spec="same")),
    ("max2d_same_k4_s1", "max", (1, 1, 5, 6), dict(kernel=[4, 4], stride=[1, 1], spec="same")),
    ("max2d_full", "max", (1, 1, 5, 6), dict(kernel=[3, 3], stride=[2, 2], spec="full")),
    ("max2d_valid_k3_s3", "max", (1, 2, 8, 8), dict(kernel=[3, 3], stride=[3, 3], spec="valid")),
    ("max2d_asym", "max", (1, 2, 6, 7), dict(kernel=[3, 3], stride=[2, 2], spec=[(0, 1), (1, 0)])),
    ("max2d_asym_ceil", "max", (1, 1, 7, 6), dict(kernel=[3, 3], stride=[2, 2], spec=[(1, 0), (0, 1)], ceil=True)),
    ("max2d_unbatched", "max", (3, 7, 6), dict(kernel=[2, 2])),
    ("max3d_k2x3x2_p1x1x0", "max", (1, 2, 5, 6, 7), dict(kernel=[2, 3, 2], stride=[2, 2, 3], spec=[1, 1, 0])),
    ("max3d_same_ceil", "max", (1, 1, 5, 4, 6), dict(kernel=[3, 3, 3], stride=[2, 2, 2], spec="same", ceil=True)),
    ("max3d_dilation", "max", (1, 1, 6, 6, 6), dict(kernel=[2, 2, 2], stride=[2, 2, 2], dilation=[2, 2, 2])),
    ("avg1d_k3_s2_p1", "avg", (2, 3, 9), dict(kernel=[3], stride=[2], spec=1)),
    ("avg1d_k3_s2_p1_exclude", "avg", (2, 3, 9), dict(kernel=[3], stride=[2], spec=1, include_pad=False)),
    ("avg1d_ceil", "avg", (1, 2, 6), dict(kernel=[3], stride=[2], spec=1, ceil=True)),
    ("avg1d_unbatched", "avg", (3, 9), dict(kernel=[3])),
    ("avg2d_k2_odd", "avg", (2, 3, 7, 5), dict(kernel=[2, 2])),
    ("avg2d_k3_s2_p1", "avg", (1, 2, 7, 8), dict(kernel=[3, 3], stride=[2, 2], spec=1)),
    ("avg2d_k3_s2_p1_exclude", "avg", (1, 2, 7, 8), dict(kernel=[3, 3], stride=[2, 2], spec=1, include_pad=False)),
    ("avg2d_ceil", "avg", (1, 1, 6, 7), dict(kernel=[3, 3], stride=[2, 2], spec=1, ceil=True)),
    ("avg2d_ceil_exclude", "avg", (1, 1, 6, 7), dict(kernel=[3, 3], stride=[2, 2], spec=1, ceil=True, include_pad=False)),
    ("avg2d_divisor", "avg", (1, 2, 6, 6), dict(kernel=[3, 3], stride=[2, 2], spec=1, divisor=4)),
    ("avg2d_stride_gt_kernel", "avg", (1, 2, 9, 8), dict(kernel=[2, 2], stride=[3, 3])),
    ("avg2d_same", "avg", (1, 2, 7, 8), dict(kernel=[3, 3], stride=[2, 2], spec="same")),
    ("avg2d_same_k4_s1_exclude", "avg", (1, 2, 5, 6), dict(kernel=[4, 4], stride=[1, 1], spec="same", include_pad=False)),
    ("avg2d_full", "avg", (1, 1, 5, 6), dict(kernel=[3, 3], stride=[2, 2], spec="full")),
    ("avg2d_full_exclude", "avg", (1, 1, 5, 6), dict(kernel=[3, 3], stride=[2, 2], spec="full", include_pad=False)),
    ("avg2d_asym", "avg", (1, 2, 6, 7), dict(kernel=[3, 3], stride=[2, 2], spec=[(0, 1), (1, 0)])),
    ("avg2d_asym_ceil_exclude", "avg", (1, 2, 6, 7), dict(kernel=[3, 3], stride=[2, 2], spec=[(0, 1), (1, 0)], ceil=True, include_pad=False)),
    ("avg2d_k3x2_s2x3_p1", "avg", (1, 2, 7, 9), dict(kernel=[3, 2], stride=[2, 3], spec=1)),
    ("avg3d_k2", "avg", (1, 2, 5, 6, 7), dict(kernel=[2, 2, 2])),
    ("avg3d_k3_s2_p1_ceil_exclude", "avg", (1, 1, 5, 6, 7), dict(kernel=[3, 3, 3], stride=[2, 2, 2], spec=1, ceil=True, include_pad=False)),
    ("avg3d_divisor", "avg", (1, 1, 4, 5, 6), dict(kernel=[2, 3, 2], stride=[2, 2, 2], spec=1, divisor=5)),
    ("avg3d_same", "avg", (1, 1, 5, 4, 6), dict(kernel=[3, 3, 3], stride=[2, 2, 2], spec="same")),
    # ceil_mode with a first window longer than the input (2 rows, 3x3 windows): one window, clipped.
    ("max2d_ceil_window_past_input", "max", (1, 2, 2, 3), dict(kernel=[3, 3], stride=[2, 2], ceil=True)),
    ("avg2d_ceil_window_past_input", "avg", (1, 2, 2, 3), dict(kernel=[3, 3], stride=[2, 2], ceil=True)),
]

for seed, (name, kind, shape, args) in enumerate(POOL_CASES, start=100):
    record_case(G, name, lambda x, kind=kind, args=args: pool(x, kind, **args), [randn(*shape, seed=seed)])

record_case(G, "adaptive_avg2d_down", lambda x: F.adaptive_avg_pool2d(x, (3, 4)), [randn(2, 3, 7, 9, seed=200)])
record_case(G, "adaptive_avg2d_up", lambda x: F.adaptive_avg_pool2d(x, (5, 4)), [randn(1, 2, 3, 2, seed=201)])
record_case(G, "adaptive_max2d_down", lambda x: F.adaptive_max_pool2d(x, (3, 4)), [randn(2, 3, 7, 9, seed=202)])
record_case(G, "adaptive_max2d_up", lambda x: F.adaptive_max_pool2d(x, (5, 4)), [randn(1, 2, 3, 2, seed=203)])

# ---------------------------------------------------------------- activations


def with_kinks(*shape, seed, values):
    """randn with the first elements replaced by hand-picked values (exact kinks such as 0)."""
    t = torch.randn(*shape, generator=seeded(seed))
    flat = t.view(-1)
    flat[: len(values)] = torch.tensor(values)
    return t.requires_grad_()


def elu_cheat_sheet(alpha):
    return lambda z: torch.maximum(alpha * torch.expm1(z), z)


KINKS = [0.0, -0.0, 1e-3, -1e-3]
record_case(G, "relu", F.relu, [with_kinks(3, 7, seed=300, values=KINKS)])
record_case(G, "leaky_relu", F.leaky_relu, [with_kinks(3, 7, seed=301, values=KINKS)])
record_case(G, "leaky_relu_0_2", lambda x: F.leaky_relu(x, 0.2), [with_kinks(3, 7, seed=302, values=KINKS)])
record_case(G, "elu", F.elu, [with_kinks(3, 7, seed=303, values=KINKS + [-6.0, 4.0])])
record_case(G, "elu_alpha_0_5", lambda x: F.elu(x, 0.5), [with_kinks(3, 7, seed=304, values=KINKS + [-6.0, 4.0])])
# Cheat-sheet form: exact 0 (a crossing for alpha != 1) and values beyond the positive crossing z2
# (3.61 for alpha 0.1) and the negative crossing z1 (-1.59 for alpha 2).
record_case(G, "elu_sheet_alpha_0_1", elu_cheat_sheet(0.1), [with_kinks(3, 7, seed=305, values=[0.0, 1.0, 3.0, 4.0, 5.0, -2.0])])
record_case(G, "elu_sheet_alpha_1", elu_cheat_sheet(1.0), [with_kinks(3, 7, seed=306, values=[0.0, 2.0, -2.0])])
record_case(G, "elu_sheet_alpha_2", elu_cheat_sheet(2.0), [with_kinks(3, 7, seed=307, values=[0.0, -1.0, -2.0, 1.0])])
record_case(G, "sigmoid", torch.sigmoid, [with_kinks(4, 6, seed=308, values=[-90.0, -20.0, 0.0, 20.0, 90.0])])
record_case(G, "tanh", torch.tanh, [with_kinks(4, 6, seed=309, values=[-20.0, -3.0, 0.0, 3.0, 20.0])])

# ---------------------------------------------------------------- softmax (large values test the max subtraction)
record_case(G, "softmax_dim0", lambda x: F.softmax(x, 0), [randn(4, 3, 5, seed=400, scale=3.0)])
record_case(G, "softmax_dim1", lambda x: F.softmax(x, 1), [randn(2, 4, 5, seed=401, scale=3.0)])
record_case(G, "softmax_last", lambda x: F.softmax(x, -1), [randn(3, 6, seed=402, scale=3.0)])
record_case(G, "softmax_large_last", lambda x: F.softmax(x, -1), [(randn(2, 3, 4, seed=403, requires_grad=False) * 30 + 1000).requires_grad_()])
record_case(G, "softmax_large_dim1", lambda x: F.softmax(x, 1), [(randn(2, 3, 4, seed=404, requires_grad=False) * 30 - 1000).requires_grad_()])
record_case(G, "log_softmax_dim0", lambda x: F.log_softmax(x, 0), [randn(4, 3, 5, seed=405, scale=3.0)])
record_case(G, "log_softmax_dim1", lambda x: F.log_softmax(x, 1), [randn(2, 4, 5, seed=406, scale=3.0)])
record_case(G, "log_softmax_last", lambda x: F.log_softmax(x, -1), [randn(3, 6, seed=407, scale=3.0)])
record_case(G, "log_softmax_large_last", lambda x: F.log_softmax(x, -1), [(randn(2, 3, 4, seed=408, requires_grad=False) * 30 + 1000).requires_grad_()])
record_case(G, "log_softmax_large_dim0", lambda x: F.log_softmax(x, 0), [(randn(3, 2, 4, seed=409, requires_grad=False) * 30 - 1000).requires_grad_()])

# ---------------------------------------------------------------- batch norm, functional
record_case(G, "batch_norm_train_nc", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
            [randn(6, 4, seed=500), randn(4, seed=501), randn(4, seed=502)])
record_case(G, "batch_norm_train_nchw", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=1e-3),
            [randn(2, 3, 4, 5, seed=503, scale=2.0), randn(3, seed=504), randn(3, seed=505)])
record_case(G, "batch_norm_train_no_affine", lambda x: F.batch_norm(x, None, None, training=True),
            [randn(4, 3, 5, seed=506)])
running_mean, running_var = randn(3, seed=507, requires_grad=False), torch.rand(3, generator=seeded(508)) + 0.5
record_case(G, "batch_norm_eval", lambda x, m, v, w, b: F.batch_norm(x, m, v, w, b, training=False),
            [randn(2, 3, 4, 5, seed=509), running_mean, running_var, randn(3, seed=510), randn(3, seed=511)])
record_case(G, "batch_norm_eval_no_affine", lambda x, m, v: F.batch_norm(x, m, v, training=False),
            [randn(4, 3, 5, seed=512), running_mean, running_var])

# ---------------------------------------------------------------- batch norm, modules (running statistics after one step)


def bn_case(name, module, x, randomize_affine=True, running=None, train=True, seed=600):
    with torch.no_grad():
        if randomize_affine and module.affine:
            module.weight.copy_(torch.randn(module.num_features, generator=seeded(seed)))
            module.bias.copy_(torch.randn(module.num_features, generator=seeded(seed + 1)))
        if running is not None:
            module.running_mean.copy_(running[0])
            module.running_var.copy_(running[1])
    module.train(train)
    record_case(G, name, module, [x], module=module)


bn_case("bn1d_train_nc", nn.BatchNorm1d(4), randn(6, 4, seed=601, scale=2.0), seed=602)
bn_case("bn1d_train_ncl", nn.BatchNorm1d(3, momentum=0.3), randn(4, 3, 5, seed=603), seed=604)
bn_case("bn1d_cumulative", nn.BatchNorm1d(3, momentum=None), randn(5, 3, seed=605), seed=606)
bn_case("bn2d_train", nn.BatchNorm2d(3, eps=1e-3), randn(2, 3, 4, 5, seed=607, scale=3.0), seed=608)
bn_case("bn2d_train_no_affine", nn.BatchNorm2d(3, affine=False), randn(2, 3, 4, 5, seed=609))
bn_case("bn2d_eval", nn.BatchNorm2d(3), randn(2, 3, 4, 5, seed=610), train=False, seed=611,
        running=(torch.randn(3, generator=seeded(612)), torch.rand(3, generator=seeded(613)) + 0.5))
bn_case("bn2d_no_track_eval", nn.BatchNorm2d(3, track_running_stats=False), randn(2, 3, 4, 5, seed=614), train=False, seed=615)
