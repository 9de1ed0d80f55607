"""Golden cases for convolutions and transposed convolutions, functional and modules (tests/golden/conv).

Fovea's padding modes follow MISSION.md §2. PyTorch's padding='same' only allows stride 1, so for
Same with a stride > 1 (and for asymmetric padding) the (start, end) padding is computed here with
the MISSION formulas and applied with F.pad before an unpadded convolution.

PyTorch computes every case in float64 (inputs and parameters are float32 values, so exactly
representable), and the results are rounded to float32 once: the golden values are the exact
answers, and a difference measures Fovea's rounding alone, not PyTorch's float32 summation order.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from golden_io import record_case, randn

G = "conv"


def same_padding(size, kernel, stride, dilation=1):
    """MISSION.md §2: P_start = floor((S*ceil(I/S) - I + F - S) / 2), P_end = ceil(...), clamped at 0."""
    effective = dilation * (kernel - 1) + 1
    total = max(0, stride * math.ceil(size / stride) - size + effective - stride)
    return total // 2, total - total // 2


def f64(fn):
    """Runs fn on float64 copies of the (float32) inputs and rounds the result to float32;
    gradients flow back through the casts, so they are float64 gradients rounded once too."""
    return lambda *inputs: fn(*[x.double() for x in inputs]).float()


def case(name, fn, inputs):
    record_case(G, name, f64(fn), inputs)


def pad_then(conv, pads):
    """Applies per-dimension (start, end) padding (outermost spatial dimension first), then conv."""
    flat = []
    for start, end in reversed(pads):  # F.pad lists the last dimension first
        flat += [start, end]
    return lambda x, *rest: conv(F.pad(x, flat), *rest)


def same_then(conv, x_shape, kernel, stride, dilation=1):
    spatial = x_shape[2:]
    kernels = kernel if isinstance(kernel, tuple) else (kernel,) * len(spatial)
    strides = stride if isinstance(stride, tuple) else (stride,) * len(spatial)
    pads = [same_padding(i, k, s, dilation) for i, k, s in zip(spatial, kernels, strides)]
    for i, s, (start, end), k in zip(spatial, strides, pads, kernels):
        assert (i + start + end - (dilation * (k - 1) + 1)) // s + 1 == math.ceil(i / s)
    return pad_then(conv, pads)


# ---- Conv1d ----
case("conv1d", lambda x, w, b: F.conv1d(x, w, b), [randn(2, 3, 9, seed=1), randn(4, 3, 3, seed=2), randn(4, seed=3)])
case("conv1d_stride2_padding1", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
            [randn(2, 2, 10, seed=4), randn(3, 2, 4, seed=5), randn(3, seed=6)])
case("conv1d_same_stride3", same_then(lambda x, w, b: F.conv1d(x, w, b, stride=3), (1, 2, 10), 4, 3),
            [randn(1, 2, 10, seed=7), randn(2, 2, 4, seed=8), randn(2, seed=9)])
# Full: P = F_eff - 1 = 4 on both sides with dilation 2.
case("conv1d_full_dilation2_groups2", lambda x, w, b: F.conv1d(x, w, b, padding=4, dilation=2, groups=2),
            [randn(1, 4, 7, seed=10), randn(6, 2, 3, seed=11), randn(6, seed=12)])

# ---- Conv2d ----
case("conv2d", lambda x, w, b: F.conv2d(x, w, b), [randn(2, 3, 7, 6, seed=20), randn(4, 3, 3, 3, seed=21), randn(4, seed=22)])
# Valid drops the incomplete last windows: H 9 -> 3 windows of 2 at stride 3 (row 8 unused), W 12 -> 3 of 3 at stride 4.
case("conv2d_stride_greater_than_kernel", lambda x, w, b: F.conv2d(x, w, b, stride=(3, 4)),
            [randn(1, 2, 9, 12, seed=23), randn(3, 2, 2, 3, seed=24), randn(3, seed=25)])
case("conv2d_padding_per_dimension", lambda x, w, b: F.conv2d(x, w, b, padding=(1, 2)),
            [randn(1, 2, 5, 6, seed=26), randn(3, 2, 3, 3, seed=27), randn(3, seed=28)])
case("conv2d_asymmetric_padding", pad_then(lambda x, w, b: F.conv2d(x, w, b), [(0, 2), (1, 0)]),
            [randn(1, 2, 5, 6, seed=29), randn(2, 2, 3, 2, seed=30), randn(2, seed=31)])
case("conv2d_same_stride1", lambda x, w, b: F.conv2d(x, w, b, padding="same"),
            [randn(1, 2, 7, 8, seed=32), randn(3, 2, 3, 4, seed=33), randn(3, seed=34)])
case("conv2d_same_stride2", same_then(lambda x, w, b: F.conv2d(x, w, b, stride=2), (1, 2, 9, 8), 3, 2),
            [randn(1, 2, 9, 8, seed=35), randn(3, 2, 3, 3, seed=36), randn(3, seed=37)])
# W: F = 2 < S = 3, the Same padding clamps to 0.
case("conv2d_same_stride3", same_then(lambda x, w, b: F.conv2d(x, w, b, stride=3), (1, 2, 10, 9), (4, 2), 3),
            [randn(1, 2, 10, 9, seed=38), randn(2, 2, 4, 2, seed=39), randn(2, seed=40)])
case("conv2d_full", lambda x, w, b: F.conv2d(x, w, b, padding=(2, 1)),
            [randn(1, 2, 5, 6, seed=41), randn(3, 2, 3, 2, seed=42), randn(3, seed=43)])
case("conv2d_full_stride2", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=(2, 1)),
            [randn(1, 2, 5, 6, seed=44), randn(3, 2, 3, 2, seed=45), randn(3, seed=46)])
case("conv2d_dilation2", lambda x, w, b: F.conv2d(x, w, b, padding=1, dilation=2),
            [randn(1, 2, 9, 9, seed=47), randn(3, 2, 3, 3, seed=48), randn(3, seed=49)])
case("conv2d_same_dilation2", lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=2),
            [randn(1, 2, 8, 7, seed=50), randn(2, 2, 3, 2, seed=51), randn(2, seed=52)])
case("conv2d_groups2", lambda x, w, b: F.conv2d(x, w, b, groups=2),
            [randn(2, 4, 6, 6, seed=53), randn(6, 2, 3, 3, seed=54), randn(6, seed=55)])
case("conv2d_depthwise", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=3),
            [randn(1, 3, 7, 7, seed=56), randn(6, 1, 3, 3, seed=57), randn(6, seed=58)])
case("conv2d_no_bias", lambda x, w: F.conv2d(x, w, padding=1), [randn(2, 3, 5, 5, seed=59), randn(2, 3, 3, 3, seed=60)])
case("conv2d_pointwise", lambda x, w, b: F.conv2d(x, w, b), [randn(2, 4, 3, 3, seed=61), randn(5, 4, 1, 1, seed=62), randn(5, seed=63)])

# ---- Conv3d ----
case("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1)),
            [randn(1, 2, 5, 6, 4, seed=70), randn(3, 2, 3, 3, 2, seed=71), randn(3, seed=72)])
case("conv3d_same_dilation2_groups2", lambda x, w, b: F.conv3d(x, w, b, padding="same", dilation=2, groups=2),
            [randn(1, 4, 5, 5, 5, seed=73), randn(4, 2, 3, 3, 3, seed=74), randn(4, seed=75)])
case("conv3d_same_stride2", same_then(lambda x, w: F.conv3d(x, w, stride=2), (1, 2, 5, 4, 6), (2, 3, 3), 2),
            [randn(1, 2, 5, 4, 6, seed=76), randn(2, 2, 2, 3, 3, seed=77)])

# ---- ConvTranspose ----
case("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
            [randn(2, 3, 5, seed=80), randn(3, 2, 3, seed=81), randn(2, seed=82)])
case("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b),
            [randn(2, 3, 4, 5, seed=83), randn(3, 2, 3, 3, seed=84), randn(2, seed=85)])
case("conv_transpose2d_stride2_padding_output_padding",
            lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
            [randn(1, 2, 4, 3, seed=86), randn(2, 3, 3, 3, seed=87), randn(3, seed=88)])
case("conv_transpose2d_groups",
            lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 3), padding=(0, 1), output_padding=(1, 2), groups=2),
            [randn(1, 4, 3, 4, seed=89), randn(4, 3, 3, 2, seed=90), randn(6, seed=91)])
# output_padding 1 >= stride 1 is allowed because it is < dilation 2.
case("conv_transpose2d_dilation2_output_padding",
            lambda x, w: F.conv_transpose2d(x, w, stride=1, output_padding=1, dilation=2),
            [randn(1, 2, 3, 4, seed=92), randn(2, 2, 2, 3, seed=93)])
case("conv_transpose3d",
            lambda x, w, b: F.conv_transpose3d(x, w, b, stride=(1, 2, 2), padding=(0, 1, 1), output_padding=(0, 1, 0)),
            [randn(1, 2, 2, 3, 3, seed=94), randn(2, 2, 2, 2, 3, seed=95), randn(2, seed=96)])


# ---- Modules: parameters from PyTorch's default init, gradients of weight and bias ----
def module_case(name, make, x):
    torch.manual_seed(x.numel())  # seeds PyTorch's default initialisation of the module
    module = make().double()
    record_case(G, name, lambda x: module(x.double()).float(), [x], module=module)


module_case("module_conv1d", lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), randn(2, 3, 9, seed=100))
module_case("module_conv2d_same", lambda: nn.Conv2d(1, 6, 5, padding="same"), randn(2, 1, 8, 8, seed=101))
module_case("module_conv2d_groups", lambda: nn.Conv2d(4, 6, (3, 2), stride=2, padding=(1, 0), dilation=(1, 2), groups=2),
            randn(1, 4, 7, 8, seed=102))
module_case("module_conv2d_no_bias", lambda: nn.Conv2d(3, 2, 3, bias=False), randn(2, 3, 5, 4, seed=103))
module_case("module_conv3d", lambda: nn.Conv3d(2, 3, (2, 3, 3), stride=(1, 2, 1), padding=1), randn(1, 2, 4, 5, 4, seed=104))
module_case("module_conv_transpose1d", lambda: nn.ConvTranspose1d(2, 3, 4, stride=3, padding=1, output_padding=2),
            randn(2, 2, 4, seed=105))
module_case("module_conv_transpose2d", lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
            randn(1, 4, 3, 4, seed=106))
module_case("module_conv_transpose3d", lambda: nn.ConvTranspose3d(2, 2, (2, 2, 3), stride=2, bias=False),
            randn(1, 2, 2, 2, 3, seed=107))
