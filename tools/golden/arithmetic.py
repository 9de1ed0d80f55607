"""Golden cases for broadcasting arithmetic, elementwise math, matmul and linear (tests/golden/arithmetic)."""
import torch
import torch.nn.functional as F
from golden_io import record_case, randn

G = "arithmetic"
record_case(G, "add_broadcast", lambda a, b: a + b, [randn(2, 3, 4, seed=1), randn(3, 1, seed=2)])
record_case(G, "sub_broadcast", lambda a, b: a - b, [randn(4, seed=3), randn(2, 3, 4, seed=4)])
record_case(G, "mul_broadcast", lambda a, b: a * b, [randn(2, 1, 5, seed=5), randn(3, 1, seed=6)])
record_case(G, "div", lambda a, b: a / b, [randn(3, 5, seed=7), (torch.rand(3, 5, generator=torch.Generator().manual_seed(8)) + 0.5).requires_grad_()])
record_case(G, "exp", lambda a: a.exp(), [randn(3, 7, seed=9)])
record_case(G, "log", lambda a: a.log(), [(torch.rand(3, 7, generator=torch.Generator().manual_seed(10)) + 0.1).requires_grad_()])
record_case(G, "sqrt", lambda a: a.sqrt(), [(torch.rand(3, 7, generator=torch.Generator().manual_seed(11)) + 0.1).requires_grad_()])
record_case(G, "abs", lambda a: a.abs(), [randn(3, 7, seed=12)])
record_case(G, "pow_2_5", lambda a: a.pow(2.5), [(torch.rand(9, generator=torch.Generator().manual_seed(13)) + 0.1).requires_grad_()])
record_case(G, "matmul", lambda a, b: a @ b, [randn(5, 7, seed=14), randn(7, 3, seed=15)])
record_case(G, "matmul_ta_tb", lambda a, b: a.t() @ b.t(), [randn(7, 5, seed=16), randn(3, 7, seed=17)])
record_case(G, "linear", lambda x, w, b: F.linear(x, w, b), [randn(2, 3, 6, seed=18), randn(4, 6, seed=19), randn(4, seed=20)])
record_case(G, "sum", lambda a: a.sum(), [randn(4, 5, seed=21)])
record_case(G, "mean", lambda a: a.mean(), [randn(4, 5, seed=22)])
