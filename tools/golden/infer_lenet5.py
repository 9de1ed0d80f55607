"""Golden files for `fovea infer`: a seeded PyTorch LeNet-5 (Fovea's layout, see summary_reference.py),
its state dict as safetensors, a batch of inputs and PyTorch's eval-mode logits as .npy.

Writes tests/golden/infer/lenet5.safetensors, lenet5_x.npy and lenet5_y.npy.
Run with /usr/bin/python3 (Debian's interpreter, which has torch).
"""
import os

import numpy as np
import torch

from golden_io import ROOT, save_safetensors
from summary_reference import lenet5


def main():
    torch.manual_seed(0)
    model = lenet5(num_classes=10).eval()
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)
    folder = os.path.join(ROOT, "infer")
    os.makedirs(folder, exist_ok=True)
    save_safetensors(os.path.join(folder, "lenet5.safetensors"), model.state_dict())
    np.save(os.path.join(folder, "lenet5_x.npy"), x.numpy())
    np.save(os.path.join(folder, "lenet5_y.npy"), y.numpy())
    print("logits", y.shape, "first row", y[0].tolist())


if __name__ == "__main__":
    main()
