"""Golden values for weight initialisation (tests/golden/init): torch.nn.init.calculate_gain for every
supported nonlinearity, and the fans torch uses for a few weight shapes.
Run: cd tools/golden && /usr/bin/python3 init.py
"""
import os

import torch
from golden_io import ROOT, save_safetensors

gains = {name: torch.tensor([torch.nn.init.calculate_gain(name)], dtype=torch.float64)
         for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                      "sigmoid", "tanh", "relu", "leaky_relu", "selu")}
for slope in (0.0, 0.2, 2.23606797749979):  # sqrt(5): the slope behind PyTorch's default Linear/Conv initialisation
    gains[f"leaky_relu_{slope:g}"] = torch.tensor([torch.nn.init.calculate_gain("leaky_relu", slope)], dtype=torch.float64)
save_safetensors(os.path.join(ROOT, "init", "gains.safetensors"), gains)

fans = {}
for shape in ((7, 5), (64, 32, 3, 3), (8, 3, 2, 4, 5), (16, 4, 9)):
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fans["x".join(map(str, shape))] = torch.tensor([fan_in, fan_out], dtype=torch.float32)
save_safetensors(os.path.join(ROOT, "init", "fans.safetensors"), fans)
