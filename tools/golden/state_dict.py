"""A PyTorch state dict saved as safetensors, with torchvision-style names, for the interop test.

The model mirrors torchvision's naming (conv1, bn1, layer1.0.conv1, ..., fc) on a small network:
conv + batch norm + pool + linear, with random weights and random running statistics, in eval mode.
num_batches_tracked stays int64, as PyTorch saves it. Writes tests/golden/state_dict/.
"""
import os
from collections import OrderedDict

import torch
import torch.nn as nn
from golden_io import ROOT, save_safetensors

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))) + x)


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5, stride=2, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = nn.Sequential(Block(8))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


model = SmallNet()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.num_batches_tracked.fill_(7)
model.eval()
x = torch.randn(2, 3, 19, 17)
with torch.no_grad():
    y = model(x)
state = OrderedDict((k, v) for k, v in model.state_dict().items())
assert state["bn1.num_batches_tracked"].dtype == torch.int64
out = os.path.join(ROOT, "state_dict")
save_safetensors(os.path.join(out, "smallnet.safetensors"), state)
save_safetensors(os.path.join(out, "smallnet_io.safetensors"), OrderedDict(input=x, output=y))
print("keys:", list(state.keys()))
