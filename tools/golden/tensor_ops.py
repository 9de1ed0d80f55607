"""Golden cases for the general tensor ops (tests/golden/tensor_ops): reductions over dims, max/min,
shape ops, joining/splitting/indexing, pad, clamp/maximum/minimum/comparisons/where/sign, matmul/bmm.
Odd sizes and negative dims on purpose; inputs with ties where tie-breaking matters."""
import torch
import torch.nn.functional as F
from golden_io import record_case, randn, seeded

G = "tensor_ops"


def ties(*shape, seed=0, requires_grad=True):
    """Small whole numbers, so that equal values (ties) are common."""
    return torch.randint(-2, 3, shape, generator=seeded(seed)).float().requires_grad_(requires_grad)


def const(x):
    return x.detach().clone()


# ---- reductions over dims ----
record_case(G, "sum_dim1", lambda x: x.sum(1), [randn(3, 5, 4, seed=1)])
record_case(G, "sum_dim_neg1_keep", lambda x: x.sum(-1, keepdim=True), [randn(3, 5, 7, seed=2)])
record_case(G, "sum_dims_0_2", lambda x: x.sum([0, 2]), [randn(3, 5, 4, seed=3)])
record_case(G, "sum_dims_neg_keep", lambda x: x.sum([-1, -3], keepdim=True), [randn(2, 3, 5, seed=4)])
record_case(G, "mean_dim0", lambda x: x.mean(0), [randn(5, 3, seed=5)])
record_case(G, "mean_dim_neg2", lambda x: x.mean(-2), [randn(3, 7, 5, seed=6)])
record_case(G, "mean_dims_keep", lambda x: x.mean([1, 2], keepdim=True), [randn(2, 3, 5, seed=7)])
record_case(G, "var_dim1", lambda x: x.var(1), [randn(4, 7, seed=8)])
record_case(G, "var_dim0_biased_keep", lambda x: x.var(0, unbiased=False, keepdim=True), [randn(5, 3, seed=9)])
record_case(G, "var_dims", lambda x: x.var([0, -1]), [randn(2, 3, 5, seed=10)])
record_case(G, "var_all", lambda x: x.var(), [randn(3, 5, seed=11)])
record_case(G, "std_dim_neg1", lambda x: x.std(-1), [randn(3, 6, seed=12)])
record_case(G, "std_dim0_biased_keep", lambda x: x.std(0, unbiased=False, keepdim=True), [randn(5, 3, seed=13)])

# ---- max / min / argmax / argmin ----
record_case(G, "max_dim1_values", lambda x: x.max(1)[0], [randn(3, 5, 4, seed=14)])
record_case(G, "max_dim1_indices", lambda x: x.max(1)[1].float(), [randn(3, 5, 4, seed=14, requires_grad=False)])
record_case(G, "max_dim_neg1_keep_values", lambda x: x.max(-1, keepdim=True)[0], [ties(4, 7, seed=15)])
record_case(G, "max_dim_neg1_keep_indices", lambda x: x.max(-1, keepdim=True)[1].float(), [ties(4, 7, seed=15, requires_grad=False)])
record_case(G, "min_dim0_values", lambda x: x.min(0)[0], [ties(5, 3, 2, seed=16)])
record_case(G, "min_dim0_indices", lambda x: x.min(0)[1].float(), [ties(5, 3, 2, seed=16, requires_grad=False)])
record_case(G, "argmax_dim1", lambda x: x.argmax(1).float(), [ties(3, 6, 2, seed=17, requires_grad=False)])
record_case(G, "argmin_dim_neg1_keep", lambda x: x.argmin(-1, keepdim=True).float(), [ties(3, 5, seed=18, requires_grad=False)])
record_case(G, "argmax_all", lambda x: x.argmax().float(), [ties(3, 5, seed=19, requires_grad=False)])
record_case(G, "argmin_all", lambda x: x.argmin().float(), [ties(3, 5, seed=20, requires_grad=False)])
record_case(G, "max_all", lambda x: x.max(), [randn(3, 5, seed=21)])
record_case(G, "min_all_ties", lambda x: x.min(), [ties(3, 5, seed=22)])
record_case(G, "max_all_ties", lambda x: x.max(), [ties(3, 5, seed=23)])

# ---- shape ops ----
record_case(G, "permute_0231", lambda x: x.permute(0, 2, 3, 1), [randn(2, 3, 4, 5, seed=30)])
record_case(G, "permute_neg", lambda x: x.permute(-1, 0, 1), [randn(3, 4, 5, seed=31)])
record_case(G, "transpose_0_2", lambda x: x.transpose(0, 2), [randn(2, 3, 5, seed=32)])
record_case(G, "transpose_neg", lambda x: x.transpose(-1, -2), [randn(2, 3, 5, seed=33)])
record_case(G, "t_2d", lambda x: x.t(), [randn(3, 7, seed=34)])
record_case(G, "unsqueeze_0", lambda x: x.unsqueeze(0), [randn(3, 4, seed=35)])
record_case(G, "unsqueeze_neg1", lambda x: x.unsqueeze(-1), [randn(3, 4, seed=36)])
record_case(G, "squeeze_dim", lambda x: x.squeeze(-2), [randn(3, 1, 4, seed=37)])
record_case(G, "squeeze_all", lambda x: x.squeeze(), [randn(1, 3, 1, 4, seed=38)])
record_case(G, "expand", lambda x: x.expand(2, 3, 4), [randn(3, 1, seed=39)])
record_case(G, "expand_keep", lambda x: x.expand(3, -1, 5), [randn(1, 4, 1, seed=40)])
record_case(G, "broadcast_to", lambda x: torch.broadcast_to(x, (2, 3, 5)), [randn(5, seed=41)])
record_case(G, "repeat_more_dims", lambda x: x.repeat(2, 1, 3), [randn(2, 3, seed=42)])
record_case(G, "repeat_same_rank", lambda x: x.repeat(3, 2), [randn(2, 3, seed=43)])

# ---- joining, splitting, indexing ----
record_case(G, "cat_dim1", lambda a, b, c: torch.cat([a, b, c], 1), [randn(2, 3, 4, seed=50), randn(2, 1, 4, seed=51), randn(2, 5, 4, seed=52)])
record_case(G, "cat_dim_neg1", lambda a, b: torch.cat([a, b], -1), [randn(3, 2, seed=53), randn(3, 5, seed=54)])
record_case(G, "cat_dim0", lambda a, b: torch.cat([a, b], 0), [randn(3, 4, seed=55), randn(1, 4, seed=56)])
record_case(G, "stack_dim0", lambda a, b, c: torch.stack([a, b, c], 0), [randn(2, 3, seed=57), randn(2, 3, seed=58), randn(2, 3, seed=59)])
record_case(G, "stack_dim_neg1", lambda a, b: torch.stack([a, b], -1), [randn(2, 3, seed=60), randn(2, 3, seed=61)])
record_case(G, "stack_dim1", lambda a, b: torch.stack([a, b], 1), [randn(2, 3, seed=62), randn(2, 3, seed=63)])
for i in range(3):
    record_case(G, f"split_size_{i}", lambda x, i=i: x.split(3)[i], [randn(7, 3, seed=64)])
for i in range(3):
    record_case(G, f"split_sizes_{i}", lambda x, i=i: x.split([1, 4, 2], dim=-1)[i], [randn(2, 7, seed=65)])
for i in range(3):
    record_case(G, f"chunk_{i}", lambda x, i=i: x.chunk(4, 0)[i], [randn(6, 5, seed=66)])
record_case(G, "narrow", lambda x: x.narrow(1, 2, 3), [randn(4, 6, seed=67)])
record_case(G, "narrow_neg_start", lambda x: x.narrow(-2, -3, 2), [randn(5, 3, seed=68)])
record_case(G, "slice_step", lambda x: x[:, 1:6:2], [randn(3, 7, seed=69)])
record_case(G, "slice_neg_clamped", lambda x: x[-10:3], [randn(5, 2, seed=70)])
record_case(G, "slice_neg_start_to_end", lambda x: x[..., -3:], [randn(2, 3, 5, seed=71)])
record_case(G, "slice_step_past_end", lambda x: x[1:100:3], [randn(8, seed=72)])
record_case(G, "index_select_repeats", lambda x: x.index_select(1, torch.tensor([4, 0, 4, 2])), [randn(3, 5, seed=73)])
record_case(G, "index_select_dim_neg", lambda x: x.index_select(-3, torch.tensor([1, 1])), [randn(2, 3, 4, seed=74)])
record_case(G, "gather_dim1", lambda x, i: x.gather(1, i.long()), [randn(3, 5, seed=75), torch.tensor([[0., 4, 4, 1], [2, 2, 3, 0], [1, 0, 0, 0]])])
record_case(G, "gather_dim0_smaller", lambda x, i: x.gather(0, i.long()), [randn(4, 5, seed=76), torch.tensor([[3., 0, 1], [3, 3, 2]])])
record_case(G, "gather_dim_neg1_3d", lambda x, i: x.gather(-1, i.long()), [randn(2, 3, 4, seed=77), torch.tensor([[[3.], [0], [2]], [[1], [1], [3]]])])

# ---- pad ----
record_case(G, "pad_constant_last", lambda x: F.pad(x, (1, 2)), [randn(2, 3, 4, seed=80)])
record_case(G, "pad_constant_2d_value", lambda x: F.pad(x, (1, 0, 2, 1), value=0.5), [randn(1, 2, 3, 4, seed=81)])
record_case(G, "pad_constant_negative", lambda x: F.pad(x, (-1, 2, 1, -1)), [randn(2, 3, 4, seed=82)])
record_case(G, "pad_constant_3dims", lambda x: F.pad(x, (1, 1, 0, 2, 1, 0)), [randn(2, 3, 4, seed=83)])
record_case(G, "pad_reflect_1d", lambda x: F.pad(x, (2, 3), mode="reflect"), [randn(2, 3, 5, seed=84)])
record_case(G, "pad_reflect_2d", lambda x: F.pad(x, (1, 2, 3, 1), mode="reflect"), [randn(1, 2, 4, 5, seed=85)])
record_case(G, "pad_replicate_1d", lambda x: F.pad(x, (3, 1), mode="replicate"), [randn(2, 2, 4, seed=86)])
record_case(G, "pad_replicate_2d", lambda x: F.pad(x, (2, 1, 1, 3), mode="replicate"), [randn(1, 2, 3, 4, seed=87)])
record_case(G, "pad_replicate_3d", lambda x: F.pad(x, (1, 1, 1, 0, 0, 2), mode="replicate"), [randn(1, 1, 2, 3, 3, seed=88)])

# ---- elementwise ----
x = randn(4, 5, seed=90, requires_grad=False)
x[0, 0], x[1, 1], x[2, 2] = -0.5, 0.7, 0.7  # exactly on the bounds: the gradient passes there
record_case(G, "clamp", lambda x: x.clamp(-0.5, 0.7), [x.clone().requires_grad_()])
record_case(G, "clamp_min", lambda x: x.clamp(min=-0.5), [x.clone().requires_grad_()])
record_case(G, "clamp_max", lambda x: x.clamp(max=0.7), [x.clone().requires_grad_()])
record_case(G, "maximum_broadcast_ties", lambda a, b: torch.maximum(a, b), [ties(3, 1, 4, seed=91), ties(2, 4, seed=92)])
record_case(G, "minimum_broadcast_ties", lambda a, b: torch.minimum(a, b), [ties(3, 1, 4, seed=93), ties(2, 4, seed=94)])
a, b = ties(3, 1, 4, seed=95, requires_grad=False), ties(2, 4, seed=96, requires_grad=False)
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    record_case(G, f"{op}_broadcast", lambda a, b, op=op: getattr(torch, op)(a, b).float(), [a, b])
    record_case(G, f"{op}_scalar", lambda a, op=op: getattr(torch, op)(a, 1.0).float(), [a])
record_case(G, "where_broadcast", lambda c, x, y: torch.where(c.bool(), x, y),
            [(torch.rand(3, 1, 5, generator=seeded(97)) > 0.5).float(), randn(4, 5, seed=98), randn(3, 4, 1, seed=99)])
record_case(G, "sign", lambda x: x.sign(), [ties(3, 5, seed=100)])

# ---- matmul / bmm ----
record_case(G, "matmul_vv", lambda a, b: torch.matmul(a, b), [randn(5, seed=110), randn(5, seed=111)])
record_case(G, "matmul_mv", lambda a, b: torch.matmul(a, b), [randn(3, 5, seed=112), randn(5, seed=113)])
record_case(G, "matmul_vm", lambda a, b: torch.matmul(a, b), [randn(5, seed=114), randn(5, 4, seed=115)])
record_case(G, "matmul_mm", lambda a, b: torch.matmul(a, b), [randn(3, 5, seed=116), randn(5, 4, seed=117)])
record_case(G, "matmul_batched_by_matrix", lambda a, b: torch.matmul(a, b), [randn(2, 3, 5, 4, seed=118), randn(4, 6, seed=119)])
record_case(G, "matmul_matrix_by_batched", lambda a, b: torch.matmul(a, b), [randn(3, 5, seed=120), randn(2, 5, 4, seed=121)])
record_case(G, "matmul_broadcast_batch", lambda a, b: torch.matmul(a, b), [randn(2, 1, 3, 5, seed=122), randn(4, 5, 2, seed=123)])
record_case(G, "matmul_vector_by_batched", lambda a, b: torch.matmul(a, b), [randn(5, seed=124), randn(2, 5, 3, seed=125)])
record_case(G, "matmul_batched_by_vector", lambda a, b: torch.matmul(a, b), [randn(2, 3, 5, seed=126), randn(5, seed=127)])
record_case(G, "bmm", lambda a, b: torch.bmm(a, b), [randn(3, 4, 5, seed=128), randn(3, 5, 2, seed=129)])
