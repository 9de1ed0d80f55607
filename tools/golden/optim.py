"""Golden runs for the optimizers, schedulers and gradient clipping (tests/golden/optim).

Optimizers: a fixed problem, Linear(4, 3) + MSE on fixed data, stepped 5 times from the same initial
parameters. Each file holds x, y, the initial parameters (param.weight, param.bias), the loss before each step
(step<k>.loss) and the parameters after each step (step<k>.weight, step<k>.bias), plus PyTorch's optimizer state
after the last step (state.<index>.<name>, the keys Fovea's Optimizer.StateDict uses).
Run: cd tools/golden && /usr/bin/python3 optim.py
"""
import math
import os

import torch
import torch.nn.functional as F
from golden_io import ROOT, save_safetensors, seeded

G = "optim"
STEPS = 5

x = torch.randn(8, 4, generator=seeded(100))
y = torch.randn(8, 3, generator=seeded(101))
initial_weight = torch.randn(3, 4, generator=seeded(102)) * 0.5
initial_bias = torch.randn(3, generator=seeded(103)) * 0.5


def path(name):
    return os.path.join(ROOT, G, f"{name}.safetensors")


def run_optimizer(name, make_optimizer):
    weight = initial_weight.clone().requires_grad_()
    bias = initial_bias.clone().requires_grad_()
    optimizer = make_optimizer(weight, bias)
    entries = {"x": x, "y": y, "param.weight": initial_weight, "param.bias": initial_bias}
    for step in range(1, STEPS + 1):
        optimizer.zero_grad()
        loss = F.mse_loss(F.linear(x, weight, bias), y)
        loss.backward()
        optimizer.step()
        entries[f"step{step}.loss"] = loss.detach().reshape(1)
        entries[f"step{step}.weight"] = weight.detach().clone()
        entries[f"step{step}.bias"] = bias.detach().clone()
    for index, parameter in enumerate((weight, bias)):
        for key, value in optimizer.state[parameter].items():
            if value is not None:  # plain SGD keeps momentum_buffer = None
                entries[f"state.{index}.{key}"] = torch.as_tensor(value, dtype=torch.float32)
    save_safetensors(path(name), entries)


run_optimizer("sgd_plain", lambda w, b: torch.optim.SGD([w, b], lr=0.1))
run_optimizer("sgd_momentum_dampening_weight_decay",
              lambda w, b: torch.optim.SGD([w, b], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01))
run_optimizer("sgd_nesterov", lambda w, b: torch.optim.SGD([w, b], lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.001))
run_optimizer("sgd_groups", lambda w, b: torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01, "weight_decay": 0.0}],
                                                         lr=0.1, momentum=0.5, weight_decay=0.05))
run_optimizer("adam", lambda w, b: torch.optim.Adam([w, b], lr=0.01))
run_optimizer("adam_weight_decay", lambda w, b: torch.optim.Adam([w, b], lr=0.01, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1))
run_optimizer("adam_amsgrad", lambda w, b: torch.optim.Adam([w, b], lr=0.02, amsgrad=True))
run_optimizer("adamw", lambda w, b: torch.optim.AdamW([w, b], lr=0.01, weight_decay=0.1))
run_optimizer("adamw_amsgrad", lambda w, b: torch.optim.AdamW([w, b], lr=0.01, amsgrad=True))


# ---- schedulers: the learning rate at epochs 0..10 ----
def scheduled_rates(make_schedulers, lr=0.1, epochs=10):
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=lr)
    schedulers = make_schedulers(optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(epochs):
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return torch.tensor(rates, dtype=torch.float64)


save_safetensors(path("schedulers"), {
    "step_lr": scheduled_rates(lambda o: [torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)]),
    "cosine": scheduled_rates(lambda o: [torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001)]),
    "cosine_long": scheduled_rates(lambda o: [torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7)], epochs=10),
    "step_then_cosine": scheduled_rates(lambda o: [torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
                                                   torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001)]),
})  # float64: PyTorch keeps learning rates as Python floats


# ---- gradient clipping ----
def clip_case(name, max_norm, norm_type):
    grads = [torch.randn(3, 4, generator=seeded(110)) * 2, torch.randn(5, generator=seeded(111)), torch.randn(2, 2, 2, generator=seeded(112))]
    parameters = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for parameter, grad in zip(parameters, grads):
        parameter.grad = grad.clone()
    no_grad = torch.zeros(3, requires_grad=True)  # skipped: its grad is None
    total = torch.nn.utils.clip_grad_norm_(parameters + [no_grad], max_norm, norm_type)
    entries = {"total_norm": total.reshape(1), "attr.max_norm": torch.tensor([float(max_norm)]), "attr.norm_type": torch.tensor([float(norm_type)])}
    for i, (parameter, grad) in enumerate(zip(parameters, grads)):
        entries[f"grad.{i}"] = grad
        entries[f"clipped.{i}"] = parameter.grad
    save_safetensors(path(name), entries)


clip_case("clip_grad_norm_2", 1.0, 2.0)
clip_case("clip_grad_norm_inf", 0.5, math.inf)
clip_case("clip_grad_norm_1", 3.0, 1.0)
clip_case("clip_grad_norm_3_unclipped", 100.0, 3.0)

grads = torch.randn(4, 5, generator=seeded(113)) * 2
parameter = torch.zeros(4, 5, requires_grad=True)
parameter.grad = grads.clone()
torch.nn.utils.clip_grad_value_([parameter], 0.75)
save_safetensors(path("clip_grad_value"), {"grad": grads, "clipped": parameter.grad})
