"""Golden cases for the losses and pairwise distance (tests/golden/losses).

Class-index targets are saved as floats (in.1); class weights and positive weights are extra inputs that do
not require grad. Run: cd tools/golden && /usr/bin/python3 losses.py
"""
import torch
import torch.nn.functional as F
from golden_io import record_case, randn, seeded

G = "losses"


def indices(*values):
    return torch.tensor(values, dtype=torch.long)


def uniform(*shape, seed, low=0.0, high=1.0, requires_grad=True):
    t = torch.rand(*shape, generator=seeded(seed)) * (high - low) + low
    return t.requires_grad_(requires_grad)


def constant(*values):
    return torch.tensor(values, dtype=torch.float32)


# ---- cross-entropy: reductions, label smoothing, ignore index, class weights, spatial, soft targets ----
targets = indices(1, 0, 4, 2)
for reduction in ("mean", "sum", "none"):
    record_case(G, f"cross_entropy_{reduction}", lambda x, t, r=reduction: F.cross_entropy(x, t, reduction=r),
                [randn(4, 5, seed=1, scale=2.0), targets])
    record_case(G, f"cross_entropy_smoothing_{reduction}",
                lambda x, t, r=reduction: F.cross_entropy(x, t, reduction=r, label_smoothing=0.2),
                [randn(4, 5, seed=2, scale=2.0), targets])
record_case(G, "cross_entropy_ignore_index", lambda x, t: F.cross_entropy(x, t),
            [randn(5, 4, seed=3), indices(0, -100, 3, -100, 1)])
record_case(G, "cross_entropy_ignore_class_smoothing", lambda x, t: F.cross_entropy(x, t, ignore_index=2, label_smoothing=0.3),
            [randn(5, 4, seed=4), indices(0, 2, 3, 2, 1)])
for reduction in ("mean", "sum", "none"):
    record_case(G, f"cross_entropy_weight_{reduction}",
                lambda x, t, w, r=reduction: F.cross_entropy(x, t, weight=w, reduction=r, ignore_index=0, label_smoothing=0.1),
                [randn(6, 3, seed=5), indices(0, 1, 2, 2, 1, 0), constant(0.5, 2.0, 1.5)])
spatial_targets = torch.randint(0, 3, (2, 4, 5), generator=seeded(6))
spatial_targets[0, 1, 2] = -100
for reduction in ("mean", "none"):
    record_case(G, f"cross_entropy_spatial_{reduction}", lambda x, t, r=reduction: F.cross_entropy(x, t, reduction=r, label_smoothing=0.1),
                [randn(2, 3, 4, 5, seed=7), spatial_targets])
record_case(G, "cross_entropy_unbatched", lambda x, t: F.cross_entropy(x, t), [randn(6, seed=8), torch.tensor(4)])
record_case(G, "cross_entropy_probabilities", lambda x, t: F.cross_entropy(x, t),
            [randn(3, 4, seed=9), torch.softmax(torch.randn(3, 4, generator=seeded(10)), 1).requires_grad_()])
record_case(G, "cross_entropy_probabilities_weight_smoothing", lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.25, reduction="sum"),
            [randn(2, 3, 2, seed=11), torch.softmax(torch.randn(2, 3, 2, generator=seeded(12)), 1).requires_grad_(), constant(1.0, 0.5, 3.0)])
record_case(G, "cross_entropy_large_logits", lambda x, t: F.cross_entropy(x, t, reduction="none"),
            [(torch.tensor([[1000.0, 0.0, -1000.0], [-500.0, 500.0, 499.0]])).requires_grad_(), indices(2, 2)])

# ---- negative log-likelihood ----
for reduction in ("mean", "sum", "none"):
    record_case(G, f"nll_{reduction}", lambda x, t, r=reduction: F.nll_loss(x, t, reduction=r),
                [randn(4, 5, seed=13), targets])
record_case(G, "nll_weight_ignore", lambda x, t, w: F.nll_loss(x, t, weight=w, ignore_index=1),
            [randn(5, 3, seed=14), indices(0, 1, 2, 1, 2), constant(0.2, 1.0, 3.0)])
record_case(G, "nll_spatial", lambda x, t: F.nll_loss(x, t), [randn(2, 3, 4, 5, seed=15), spatial_targets])

# ---- regression losses; the target is differentiable too ----
for reduction in ("mean", "sum", "none"):
    record_case(G, f"mse_{reduction}", lambda x, y, r=reduction: F.mse_loss(x, y, reduction=r), [randn(3, 4, seed=16), randn(3, 4, seed=17)])
    record_case(G, f"l1_{reduction}", lambda x, y, r=reduction: F.l1_loss(x, y, reduction=r), [randn(3, 4, seed=18), randn(3, 4, seed=19)])
    record_case(G, f"smooth_l1_{reduction}", lambda x, y, r=reduction: F.smooth_l1_loss(x, y, reduction=r),
                [randn(3, 5, seed=20, scale=1.5), randn(3, 5, seed=21)])
record_case(G, "smooth_l1_beta_0_5", lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), [randn(4, 5, seed=22), randn(4, 5, seed=23)])
record_case(G, "smooth_l1_beta_0", lambda x, y: F.smooth_l1_loss(x, y, beta=0.0), [randn(4, 5, seed=24), randn(4, 5, seed=25)])

# ---- binary cross-entropy ----
for reduction in ("mean", "sum", "none"):
    record_case(G, f"bce_{reduction}", lambda p, y, r=reduction: F.binary_cross_entropy(p, y, reduction=r),
                [uniform(4, 3, seed=26, low=0.05, high=0.95), uniform(4, 3, seed=27)])
    record_case(G, f"bce_with_logits_{reduction}", lambda x, y, r=reduction: F.binary_cross_entropy_with_logits(x, y, reduction=r),
                [randn(4, 3, seed=28, scale=3.0), uniform(4, 3, seed=29)])
record_case(G, "bce_weight", lambda p, y, w: F.binary_cross_entropy(p, y, weight=w),
            [uniform(4, 3, seed=30, low=0.05, high=0.95), uniform(4, 3, seed=31), constant(0.5, 1.0, 2.0)])
record_case(G, "bce_saturated", lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
            [constant(0.0, 1.0, 0.0, 1.0, 1e-30, 0.5).requires_grad_(), constant(1.0, 0.0, 0.0, 1.0, 1.0, 0.5)])
record_case(G, "bce_with_logits_pos_weight", lambda x, y, pw: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="sum"),
            [randn(4, 3, seed=32, scale=3.0), uniform(4, 3, seed=33), constant(3.0, 0.5, 1.0)])
record_case(G, "bce_with_logits_weight_pos_weight",
            lambda x, y, w, pw: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw),
            [randn(2, 4, seed=34), uniform(2, 4, seed=35), constant(2.0, 0.5).reshape(2, 1), constant(1.0, 2.0, 3.0, 4.0)])
record_case(G, "bce_with_logits_large", lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
            [constant(100.0, -100.0, 80.0, -80.0, 0.0).requires_grad_(), constant(0.0, 1.0, 1.0, 0.0, 0.5)])

# ---- pairwise distance and triplet loss (MISSION.md section 5) ----
for name, p in (("p2", 2.0), ("p1", 1.0), ("p3", 3.0), ("pinf", float("inf"))):
    record_case(G, f"pairwise_distance_{name}", lambda a, b, p=p: F.pairwise_distance(a, b, p=p),
                [randn(4, 6, seed=36), randn(4, 6, seed=37)])
for reduction in ("mean", "sum", "none"):
    record_case(G, f"triplet_{reduction}", lambda a, p, n, r=reduction: F.triplet_margin_loss(a, p, n, reduction=r),
                [randn(6, 5, seed=38), randn(6, 5, seed=39), randn(6, 5, seed=40)])
record_case(G, "triplet_swap", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, swap=True, reduction="none"),
            [randn(6, 5, seed=41), randn(6, 5, seed=42), randn(6, 5, seed=43)])
record_case(G, "triplet_p1_margin", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=1.0),
            [randn(6, 5, seed=44), randn(6, 5, seed=45), randn(6, 5, seed=46)])
record_case(G, "triplet_unbatched", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0),
            [randn(5, seed=47), randn(5, seed=48), randn(5, seed=49)])
